"""release_free_memory hands pyarrow's and glibc's freed pages back to the system."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from recbole_ctx.utils.free_memory import _malloc_trim

# Runs in a fresh interpreter: this process's heap would be shaped by every earlier test.
PROBE = """
import json, numpy as np, pyarrow as pa, pyarrow.compute as pc, torch
from recbole_ctx.utils.free_memory import release_free_memory

def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:")) / 1024

out = {}
base = rss()
a = pa.array(np.arange(30_000_000)); b = pc.add(a, 1); del a, b  # 2 x 229 MiB through pyarrow's pool
out["arrow_kept"] = rss() - base
release_free_memory()
out["arrow_after"] = rss() - base
base = rss()
big = torch.ones(2**21); del big  # a freed 8 MiB mmap raises glibc's mmap threshold past 4 MiB
chunks = [torch.ones(2**20) for _ in range(120)]  # 4 MiB each, now from the heap
del chunks[::2]  # 240 MiB of holes between live chunks: free() cannot trim them off the top
out["heap_kept"] = rss() - base
release_free_memory()
out["heap_after"] = rss() - base
print(json.dumps(out))
"""


@pytest.mark.skipif(_malloc_trim() is None, reason="needs Linux with glibc (malloc_trim)")
def test_freed_pages_leave_the_resident_set():
    out = json.loads(subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                                    check=True).stdout.splitlines()[-1])
    assert out["arrow_kept"] - out["arrow_after"] > 150
    assert out["heap_kept"] - out["heap_after"] > 150  # the 240 MiB of holes; the live half stays
