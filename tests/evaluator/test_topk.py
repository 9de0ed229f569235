"""``topk_hits`` equals RecBole's dense-matrix ``rec.topk``, ties and duplicates included."""
from __future__ import annotations

import pytest
import torch
from support.topk_reference import recbole_rec_topk

from recbole_ctx.evaluator.topk import evaluate_rec_topk, topk_hits


@pytest.mark.parametrize("seed", range(4))
def test_equals_recbole_dense_computation(seed):
    gen = torch.Generator().manual_seed(seed)
    n_rows, n_items, k = 17, 60, 12
    scores = torch.randint(0, 5, (n_rows, n_items), generator=gen).float()  # many ties
    scores[torch.rand(n_rows, n_items, generator=gen) < 0.2] = -torch.inf
    pos_rows = torch.randint(0, n_rows - 1, (80,), generator=gen)  # last row: no positive
    pos_items = torch.randint(0, n_items, (80,), generator=gen)  # duplicates included
    hits, ranked = topk_hits(scores, pos_rows, pos_items, k)
    assert torch.equal(hits, recbole_rec_topk(scores, pos_rows, pos_items, k).to(torch.int64))
    assert torch.equal(ranked, torch.topk(scores, k).indices)
    assert hits[-1, -1] == 0


def test_metrics_are_recbole_definitions():
    from recbole.config import Config

    import recbole_ctx  # noqa: F401

    config = Config(model="BPR", dataset="ml-100k", config_dict={
        "metrics": ["Recall", "Hit", "Precision"], "topk": [2], "metric_decimal_place": 6, "state": "ERROR"})
    rows = torch.tensor([[1, 0, 2], [0, 0, 1], [1, 1, 4]])  # hits at ranks 1..2, then #positives
    result = evaluate_rec_topk(config, rows)
    assert result["recall@2"] == pytest.approx((1 / 2 + 0 + 2 / 4) / 3, abs=1e-6)
    assert result["hit@2"] == pytest.approx(2 / 3, abs=1e-6)
    assert result["precision@2"] == pytest.approx((1 / 2 + 0 + 1) / 3, abs=1e-6)
