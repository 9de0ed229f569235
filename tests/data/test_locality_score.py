"""Locality score (ContextGNN eq. 1): the share of future targets inside the k-hop neighbourhood."""
from __future__ import annotations

import pytest
import torch
from recbole.config import Config

import recbole_ctx  # noqa: F401  (RecBole compatibility)
from recbole_ctx.data import TemporalDataset, TemporalExamples, graph_of
from recbole_ctx.data.locality_score import locality_per_example
from recbole_ctx.sampler.temporal_graph import TemporalGraph

RATE = ("user", "rate", "item")


def test_locality_counts_targets_within_k_hops_up_to_t():
    # u0 -a(t1)- ; u1 -a(t1), b(t2), c(t9) ; u0's 3-hop items up to T=5: a (hop 1), b (hop 3)
    graph = TemporalGraph.from_edges({"user": 2, "item": 4}, {RATE: (
        torch.tensor([0, 1, 1, 1]), torch.tensor([0, 0, 1, 2]),
        torch.tensor([1.0, 1.0, 2.0, 9.0], dtype=torch.float64))})
    examples = TemporalExamples(
        user=torch.tensor([0, 0]), seed_time=torch.tensor([5.0, 0.5], dtype=torch.float64),
        target_ptr=torch.tensor([0, 4, 5]), target_item=torch.tensor([0, 1, 2, 3, 0]))
    assert locality_per_example(graph, examples, k=1).tolist() == [0.25, 0.0]
    assert locality_per_example(graph, examples, k=3).tolist() == [0.5, 0.0]
    assert locality_per_example(graph, examples, k=3, batch_size=1).tolist() == [0.5, 0.0]


def test_locality_rejects_k_zero(tiny_config):
    dataset = TemporalDataset(Config(model="BPR", dataset="tiny-temporal", config_dict=tiny_config))
    with pytest.raises(ValueError, match="k must be >= 1"):
        locality_per_example(graph_of(dataset), dataset.temporal_examples["valid"], k=0)
