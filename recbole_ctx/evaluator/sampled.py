"""Sampled-candidate ranking (RecBole's ``uni100``/``pop100`` modes) from one encoding per row.

RecBole's ``NegSampleEvalDataLoader`` hands each user's interactions repeated ``times``
(= 1 + negatives) times with the candidate item swapped in, and its trainer calls
``model.predict`` on every copy: the user/session is encoded ``times`` times.  Here the
distinct source rows (the first copy of each interaction) are scored once against all
items with ``full_sort_predict`` and each copy's candidate score is gathered from that.
Ranking then replays RecBole's ``_neg_sample_batch_eval`` exactly: candidates scattered
into an all ``-inf`` [users, n_items] matrix, ``torch.topk`` over it.
"""
from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from recbole_ctx.evaluator.topk import topk_hits

RowScoreFn = Callable[[Tensor], Tensor]


def source_rows(row_idx: Tensor, positive_u: Tensor, times: int) -> tuple[Tensor, Tensor]:
    """Which row of a sampled batch each row is a copy of.

    In a batch, user ``g``'s ``n_g`` interactions come as ``times`` consecutive copies
    of the same ``n_g`` rows (positives first, then one block per negative).

    Args:
        row_idx: int64 [N], user slot in [0, B) of each row (RecBole's ``row_idx``).
        positive_u: int64 [P], user slot of each positive (RecBole's ``positive_u``).
        times: copies per interaction (1 + negatives per positive).

    Returns:
        (sources int64 [S]: batch rows that are first copies, ascending;
         source_of int64 [N]: index into ``sources`` of the row each row copies).
    """
    n_users = int(positive_u[-1]) + 1 if positive_u.numel() else 0
    sizes = torch.bincount(row_idx, minlength=n_users)
    n_pos = torch.bincount(positive_u, minlength=n_users)
    if not torch.equal(sizes, n_pos * times):
        raise ValueError(f"sampled batch is not {times} copies of each user's positives "
                         "(unexpected NegSampleEvalDataLoader layout)")
    group_start = torch.cumsum(sizes, 0) - sizes
    offset = torch.arange(row_idx.numel(), device=row_idx.device) - group_start[row_idx]
    row_n_pos = n_pos[row_idx]
    is_source = offset < row_n_pos
    rank_among_sources = torch.cumsum(is_source, 0) - 1
    copied_row = group_start[row_idx] + offset % row_n_pos
    return is_source.nonzero().squeeze(1), rank_among_sources[copied_row]


def candidate_scores(score_rows: RowScoreFn, sources: Tensor, source_of: Tensor, items: Tensor,
                     block_size: int) -> Tensor:
    """Score of each row's candidate item, encoding every source row once.

    Args:
        score_rows: maps int64 [S] batch rows to float [S, n_items] full-sort scores.
        sources, source_of: from ``source_rows``.
        items: int64 [N], candidate item id of each row.
        block_size: source rows scored at once (bounds the [block, n_items] matrix).

    Returns:
        float [N], in row order.
    """
    scores = torch.empty(items.numel(), device=items.device)
    for start in range(0, sources.numel(), max(1, block_size)):
        end = min(start + block_size, sources.numel())
        full = score_rows(sources[start:end])
        in_block = ((source_of >= start) & (source_of < end)).nonzero().squeeze(1)
        scores[in_block] = full[source_of[in_block] - start, items[in_block]].to(scores.dtype)
    return scores


def sampled_topk(cand_scores: Tensor, row_idx: Tensor, items: Tensor, positive_u: Tensor,
                 positive_i: Tensor, n_items: int, k: int) -> tuple[Tensor, Tensor]:
    """RecBole's ranking of sampled candidates (``Trainer._neg_sample_batch_eval``).

    Args:
        cand_scores: float [N]; row_idx, items: int64 [N] (user slot, candidate item);
        positive_u, positive_i: int64 [P]; n_items: item count; k: largest cut-off.

    Returns:
        ``topk_hits`` of the [users, n_items] matrix that is -inf off the candidates.
    """
    n_users = int(positive_u[-1]) + 1
    scores = torch.full((n_users, n_items), -torch.inf, device=cand_scores.device)
    scores[row_idx, items] = cand_scores
    return topk_hits(scores, positive_u, positive_i, k)
