"""Full-sort evaluation under DDP: each rank ranks a contiguous share of the rows, then the
hit matrices are gathered so every rank computes the metrics of all rows.

RecBole's own DDP evaluation averages per-rank metrics weighted by batch count, over a
``DistributedSampler`` that pads with repeated rows; gathering the rows instead gives
exactly the single-process metrics.
"""
from __future__ import annotations

from collections.abc import Callable

import torch
import torch.distributed as dist

from recbole_ctx.evaluator.fullsort import RankedRows


def distributed() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank_share(n_rows: int) -> tuple[int, int]:
    """``[start, end)`` of this rank's rows (all rows outside DDP)."""
    if not distributed():
        return 0, n_rows
    rank, world = dist.get_rank(), dist.get_world_size()
    return rank * n_rows // world, (rank + 1) * n_rows // world


def ranked_over_ranks(rank_rows: Callable[[int, int], RankedRows], n_rows: int) -> RankedRows:
    """``rank_rows(start, end)`` on this rank's share, gathered in row order on every rank.

    Returns:
        RankedRows of all ``n_rows`` rows (CPU), equal to ``rank_rows(0, n_rows)``.
    """
    start, end = rank_share(n_rows)
    mine = rank_rows(start, end)
    if not distributed():
        return mine
    parts: list[RankedRows | None] = [None] * dist.get_world_size()
    dist.all_gather_object(parts, (mine.rec_topk, mine.rec_items))
    items = [p[1] for p in parts]
    return RankedRows(torch.cat([p[0] for p in parts]),
                      None if items[0] is None else torch.cat(items))
