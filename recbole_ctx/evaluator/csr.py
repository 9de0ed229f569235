"""Row-compressed item sets (a user's positives, a user's history) for block-wise evaluation.

Built once per evaluation set, then sliced per block of consecutive rows without any
Python loop over rows: the flat ``(row, item)`` pairs of rows ``[start, end)`` are the
contiguous range ``ptr[start]:ptr[end]`` of two precomputed index tensors.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor


@dataclass(frozen=True)
class ItemCSR:
    """Item sets of ``n_rows`` rows.

    Attributes:
        ptr: int64 [n_rows + 1] on CPU; row ``r`` owns entries ``ptr[r]:ptr[r + 1]``.
        items: int64 [nnz], item id of each entry (any device).
        rows: int64 [nnz], row of each entry (same device as ``items``); precomputed so
            that slicing a block needs no ``repeat_interleave`` (a host sync on CUDA).
    """

    ptr: Tensor
    items: Tensor
    rows: Tensor

    @property
    def n_rows(self) -> int:
        return self.ptr.numel() - 1

    @classmethod
    def from_lengths(cls, lengths: Tensor, items: Tensor) -> "ItemCSR":
        """CSR from per-row set sizes (int64 [R], CPU) and the concatenated items (int64 [nnz])."""
        lengths = lengths.to(dtype=torch.int64, device="cpu")
        if int(lengths.sum()) != items.numel():
            raise ValueError(f"row lengths sum to {int(lengths.sum())} but {items.numel()} items were given")
        ptr = torch.zeros(lengths.numel() + 1, dtype=torch.int64)
        torch.cumsum(lengths, 0, out=ptr[1:])
        rows = torch.repeat_interleave(torch.arange(lengths.numel()), lengths).to(items.device)
        return cls(ptr=ptr, items=items.to(torch.int64), rows=rows)

    @classmethod
    def from_tensor_list(cls, per_row: Sequence[Tensor] | np.ndarray) -> "ItemCSR":
        """CSR from one 1-D int64 tensor per row (RecBole's ``uid2positive_item`` layout).

        Runs once per evaluation set: one ``torch.cat`` and one length vector.
        """
        lengths = torch.from_numpy(np.fromiter((t.numel() for t in per_row), dtype=np.int64, count=len(per_row)))
        items = torch.cat(list(per_row)) if len(per_row) else torch.zeros(0, dtype=torch.int64)
        return cls.from_lengths(lengths, items)

    @classmethod
    def one_per_row(cls, items: Tensor) -> "ItemCSR":
        """CSR where row ``r`` holds exactly ``items[r]`` (next-item targets of sequential rows)."""
        return cls.from_lengths(torch.ones(items.numel(), dtype=torch.int64), items)

    def to(self, device: torch.device | str) -> "ItemCSR":
        return ItemCSR(ptr=self.ptr, items=self.items.to(device), rows=self.rows.to(device))

    def block(self, start: int, end: int) -> tuple[Tensor, Tensor]:
        """Entries of rows ``[start, end)``: (row - start, item), both int64 [nnz_block]."""
        lo, hi = int(self.ptr[start]), int(self.ptr[end])
        return self.rows[lo:hi] - start, self.items[lo:hi]
