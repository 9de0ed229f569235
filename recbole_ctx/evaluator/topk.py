"""Top-k hit matrices in RecBole's ``rec.topk`` layout, and RecBole's metrics on them.

``rec.topk`` is what RecBole's ``Collector`` hands its TopK metrics: int [B, k + 1],
columns 0..k-1 say whether the item ranked there is a positive, the last column is
the number of positives of the row.  Feeding RecBole's own metric classes this
tensor keeps Recall, NDCG, Hit, MAP, MRR, Precision exactly RecBole's definitions.
"""
from __future__ import annotations

from collections import OrderedDict

import torch
from torch import Tensor


def topk_hits(scores: Tensor, pos_rows: Tensor, pos_items: Tensor, k: int) -> tuple[Tensor, Tensor]:
    """Hit matrix and ranked item ids of one block of rows.

    Ranks with ``torch.topk`` on ``scores`` exactly as RecBole's ``Collector`` does, so
    ties are broken the same way for the same score matrix.

    Args:
        scores: float [B, n_items], higher is better (masked items at -inf).
        pos_rows: int64 [P], row in [0, B) of each positive.
        pos_items: int64 [P], item id of each positive (duplicates count once, as in
            RecBole's dense positive matrix).
        k: largest cut-off asked for.

    Returns:
        (rec_topk int64 [B, k + 1], topk_idx int64 [B, k]), both on ``scores.device``.
    """
    topk_idx = torch.topk(scores, k, dim=-1).indices
    # Membership on flat (row, item) keys instead of RecBole's dense [B, n_items] positive
    # matrix: the dense matrix's row sums alone cost more than the top-k on CPU.
    n_rows, n_items = scores.shape
    pos_keys = torch.unique(pos_rows * n_items + pos_items)
    row_base = torch.arange(n_rows, device=scores.device).unsqueeze(1) * n_items
    hits = torch.isin(row_base + topk_idx, pos_keys).to(torch.int64)
    n_pos = torch.bincount(pos_keys // n_items, minlength=n_rows).unsqueeze(1)
    return torch.cat((hits, n_pos), dim=1), topk_idx


def evaluate_rec_topk(config, rec_topk_rows: Tensor) -> OrderedDict:
    """RecBole's metrics (``config['metrics']`` at ``config['topk']``) over all rows."""
    from recbole.evaluator import Evaluator
    from recbole.evaluator.collector import DataStruct

    struct = DataStruct()
    struct.set("rec.topk", rec_topk_rows.cpu())
    return Evaluator(config).evaluate(struct)
