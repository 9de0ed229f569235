"""Concatenated index ranges: the vectorised form of ``for r: for p in range(start[r], start[r] + count[r])``.

Reading variable-length rows out of a CSR array, expanding groups into their members
and sampling "all events of a row" all reduce to this one operation.
"""
from __future__ import annotations

import torch
from torch import Tensor


def concat_ranges(start: Tensor, count: Tensor, total: int | None = None) -> tuple[Tensor, Tensor]:
    """The ranges ``[start_r, start_r + count_r)`` of all rows ``r``, one after another.

    Args:
        start: int64 [R] first position of each range.
        count: int64 [R] length of each range (>= 0).
        total: ``count.sum()`` when the caller knows it (saves a host sync on CUDA).

    Returns:
        ``(row, position)``, both int64 [sum(count)] on ``count``'s device: the range each
        entry belongs to and the entry's position.
    """
    row = torch.repeat_interleave(count, output_size=total)
    first = torch.cumsum(count, 0) - count  # where each range begins in the output
    position = torch.arange(row.numel(), device=count.device) + (start - first).index_select(0, row)
    return row, position
