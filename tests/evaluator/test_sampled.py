"""Encode-once scoring of sampled candidates reproduces per-row scoring and RecBole's ranking."""
from __future__ import annotations

import pytest
import torch
from support.topk_reference import recbole_rec_topk

from recbole_ctx.evaluator.sampled import candidate_scores, sampled_topk, source_rows


def _sampled_batch(n_pos: list[int], times: int, n_items: int, gen: torch.Generator):
    """RecBole's NegSampleEvalDataLoader layout: per user, ``times`` copies of its rows."""
    row_idx, copy_of, items, positive_u, positive_i = [], [], [], [], []
    start = 0
    for user, n in enumerate(n_pos):
        pos = torch.randperm(n_items - 1, generator=gen)[:n] + 1
        negs = torch.randint(1, n_items, (n * (times - 1),), generator=gen)
        items += [pos, negs]
        row_idx += [user] * n * times
        copy_of += [start + j % n for j in range(n * times)]
        positive_u += [user] * n
        positive_i.append(pos)
        start += n * times
    return (torch.tensor(row_idx), torch.tensor(copy_of), torch.cat(items), torch.tensor(positive_u),
            torch.cat(positive_i))


@pytest.mark.parametrize("block_size", [1, 2, 100])
def test_candidates_scored_from_their_source_row(block_size):
    gen = torch.Generator().manual_seed(block_size)
    n_items, times = 30, 4
    row_idx, copy_of, items, positive_u, _ = _sampled_batch([2, 1, 3], times, n_items, gen)
    row_state = torch.randn(len(row_idx), 5, generator=gen)[copy_of]  # copies share their row's state
    item_emb = torch.randn(n_items, 5, generator=gen)
    sources, source_of = source_rows(row_idx, positive_u, times)
    assert torch.equal(sources[source_of], copy_of)
    encoded = []
    got = candidate_scores(lambda rows: encoded.append(rows) or row_state[rows] @ item_emb.T,
                           sources, source_of, items, block_size)
    expected = (row_state * item_emb[items]).sum(1)
    assert torch.allclose(got, expected, atol=1e-6)
    assert torch.equal(torch.cat(encoded), sources)  # every source encoded exactly once
    assert len(sources) == 6


def test_wrong_layout_is_refused():
    with pytest.raises(ValueError, match="not 3 copies"):
        source_rows(torch.tensor([0, 0, 1]), torch.tensor([0, 1]), 3)


def test_ranking_matches_recbole_scatter():
    gen = torch.Generator().manual_seed(0)
    n_items, times = 50, 11
    row_idx, _, items, positive_u, positive_i = _sampled_batch([1, 2, 1], times, n_items, gen)
    cand = torch.randn(len(items), generator=gen)
    hits, ranked = sampled_topk(cand, row_idx, items, positive_u, positive_i, n_items, 5)
    scores = torch.full((3, n_items), -torch.inf)
    scores[row_idx, items] = cand
    assert torch.equal(hits, recbole_rec_topk(scores, positive_u, positive_i, 5).to(torch.int64))
    assert torch.equal(ranked, torch.topk(scores, 5).indices)
