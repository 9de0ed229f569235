"""Full-sort ranking of many rows against all items, one memory-bounded block at a time.

Everything per block stays on the scores' device (masking, ``torch.topk``, hit lookup);
the only per-row data that leaves it is the ``rec.topk`` hit matrix (and the ranked
item ids when a metric needs them), concatenated and copied once at the end.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import torch
from torch import Tensor
from tqdm import tqdm

from recbole_ctx.evaluator.csr import ItemCSR
from recbole_ctx.evaluator.topk import topk_hits

# Bytes per (row, item) cell of a block: the float32 score (4) and as much again for the
# model's own temporaries while scoring (e.g. a bias add that copies) and top-k workspace.
_BYTES_PER_CELL = 8

ScoreFn = Callable[[int, int], Tensor]


class RankedRows(NamedTuple):
    """Result of a full-sort pass, on CPU.

    Attributes:
        rec_topk: int64 [R, k + 1], RecBole's ``rec.topk`` layout.
        rec_items: int64 [R, k] ranked item ids, or None when not asked for.
    """

    rec_topk: Tensor
    rec_items: Tensor | None


def block_rows(n_items: int, budget_bytes: int) -> int:
    """Rows per block so that one block of scores and masks fits in ``budget_bytes``."""
    if n_items <= 0 or budget_bytes <= 0:
        raise ValueError(f"block_rows needs n_items > 0 and budget_bytes > 0, got {n_items}, {budget_bytes}")
    return max(1, budget_bytes // (n_items * _BYTES_PER_CELL))


def fullsort_topk(
    score_fn: ScoreFn,
    positives: ItemCSR,
    k: int,
    history: ItemCSR | None = None,
    block_size: int = 1024,
    mask_padding: bool = True,
    with_items: bool = False,
    progress: bool = False,
    row_range: tuple[int, int] | None = None,
) -> RankedRows:
    """Rank all items for every row, block by block.

    Args:
        score_fn: ``score_fn(start, end)`` -> float [end - start, n_items] scores of rows
            ``[start, end)`` (higher is better) on the evaluation device; it is masked in
            place, so it may be a view of the model's output.
        positives: items that count as hits, one set per row; its ``items`` must live on
            the scores' device (``ItemCSR.to``).
        k: largest cut-off.
        history: items to rank last (-inf) per row, or None for no history mask (the
            temporal protocol's repeat-purchase setting).
        block_size: rows scored at once (``block_rows`` picks it from a byte budget).
        mask_padding: set item 0 (RecBole's ``[PAD]``) to -inf as RecBole's trainer does.
        with_items: also return the ranked item ids (for ``rec.items`` metrics).
        progress: show a progress bar over blocks.
        row_range: rank only rows ``[start, end)`` (default: all); the result has
            ``end - start`` rows.
    """
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}")
    n_rows = positives.n_rows
    if history is not None and history.n_rows != n_rows:
        raise ValueError(f"history has {history.n_rows} rows but positives have {n_rows}")
    first, last = row_range if row_range is not None else (0, n_rows)
    hits, items = [], []
    starts = range(first, last, block_size)
    for start in tqdm(starts, desc="full-sort eval", unit="block", disable=not progress):
        end = min(start + block_size, last)
        scores = score_fn(start, end)
        if scores.dim() != 2 or scores.shape[0] != end - start or scores.shape[1] < k:
            raise ValueError(f"score_fn({start}, {end}) returned shape {tuple(scores.shape)}; "
                             f"expected [{end - start}, n_items >= {k}]")
        if mask_padding:
            scores[:, 0] = -torch.inf
        if history is not None:
            scores[history.block(start, end)] = -torch.inf
        block_hits, block_items = topk_hits(scores, *positives.block(start, end), k)
        hits.append(block_hits)
        if with_items:
            items.append(block_items)
    if not hits:
        empty = torch.zeros(0, k + 1, dtype=torch.int64)
        return RankedRows(empty, empty[:, :k] if with_items else None)
    return RankedRows(torch.cat(hits).cpu(), torch.cat(items).cpu() if with_items else None)

