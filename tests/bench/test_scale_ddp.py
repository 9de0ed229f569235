"""``bench scale --stages ddp``: per-rank memory of a DDP run against one process."""
from __future__ import annotations

import re

from recbole_ctx.bench import scale, scale_ddp


def test_memory_reads_this_process():
    before = scale_ddp.memory_mib()
    block = bytearray(64 * 2**20)  # touched: resident
    after = scale_ddp.memory_mib()
    assert after["VmRSS"] - before["VmRSS"] > 48 and after["VmHWM"] >= after["VmRSS"] > after["Pss"] > 0
    del block


def test_ddp_stage_reports_every_rank_of_both_runs(capsys):
    assert scale.main(["--rows", "20000", "--model", "ShallowItem", "--steps", "2", "--eval-users", "50",
                       "--stages", "ddp"]) == 0
    out = capsys.readouterr().out
    rows = [[float(x) for x in re.findall(r"\d+", line)] for line in out.splitlines()
            if re.match(r"\d proc +\d ", line)]
    assert [r[:2] for r in rows] == [[1, 0], [2, 0], [2, 1]]
    for r in rows:
        start, rss, peak = r[2], r[3:11:2], r[4:11:2]
        assert len(rss) == len(peak) == 4
        assert all(p >= m > start for m, p in zip(rss, peak))  # each stage after the interpreter's start
    sizes = dict(re.findall(r"(\w+) (\d+) MiB", out.split("held by every rank:")[1]))
    assert set(sizes) == {"inter_feat", "graph", "examples", "parameters"}
