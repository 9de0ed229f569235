"""Hand memory that loading freed back to the operating system.

Building a dataset and its graph store frees large transient buffers that the process's
allocators keep for reuse instead of returning them: pyarrow's pool (the atomic reader's
parse) keeps its freed pages, and glibc keeps freed chunks in its heap once its dynamic
mmap threshold has grown past their size (each large ``free`` raises it), which torch's
and pandas' temporaries reach.  Nothing reuses most of that memory later, yet it stays
in the resident set for the whole run, in every DDP rank (measured in docs/results.md:
about 320 MiB a process at 3M events).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim`` or None (other C libraries, other systems)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return getattr(libc, "malloc_trim", None)


def release_free_memory() -> None:
    """Return the free pages of pyarrow's pool (when pyarrow is loaded) and of glibc's heap."""
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:
        pyarrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
