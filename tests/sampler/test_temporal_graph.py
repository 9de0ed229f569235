"""The CSR graph store: layout, reverse relations, static edges."""
from __future__ import annotations

import math

import pytest
import torch

from recbole_ctx.sampler.temporal_graph import TemporalGraph

RATE = ("user", "rate", "item")


def test_rows_sorted_by_time_and_reverse_added():
    src, dst = torch.tensor([1, 0, 1, 1, 0]), torch.tensor([0, 2, 1, 2, 0])
    time = torch.tensor([5.0, 3.0, 1.0, 3.0, 4.0], dtype=torch.float64)
    g = TemporalGraph.from_edges({"user": 3, "item": 3}, {RATE: (src, dst, time)})
    assert g.edge_types == [RATE, ("item", "rev_rate", "user")]
    assert g.rowptr[RATE].tolist() == [0, 2, 5, 5]
    assert g.col[RATE].tolist() == [2, 0, 1, 2, 0]
    assert g.time[RATE].tolist() == [3.0, 4.0, 1.0, 3.0, 5.0]
    rev = ("item", "rev_rate", "user")
    assert g.rowptr[rev].tolist() == [0, 2, 3, 5]
    assert g.time[rev].tolist() == [4.0, 5.0, 1.0, 3.0, 3.0]
    assert g.max_time() == 5.0 and g.nbytes() == (4 + 4) * 8 + 2 * 5 * 16


def test_static_edges_are_minus_inf():
    g = TemporalGraph.from_edges({"user": 1, "item": 2}, {RATE: (
        torch.tensor([0, 0]), torch.tensor([0, 1]), torch.tensor([math.nan, 2.0], dtype=torch.float64))})
    assert g.time[RATE].tolist() == [-math.inf, 2.0]
    g = TemporalGraph.from_edges({"user": 1, "item": 2}, {RATE: (torch.tensor([0]), torch.tensor([1]), None)})
    assert g.time[RATE].tolist() == [-math.inf] and g.max_time() == -math.inf


@pytest.mark.parametrize("edges, message", [
    ({RATE: (torch.tensor([0]), torch.tensor([5]), None)}, "dst id out of range"),
    ({RATE: (torch.tensor([-1]), torch.tensor([0]), None)}, "src id out of range"),
    ({("user", "rate", "movie"): (torch.tensor([0]), torch.tensor([0]), None)}, "unknown node type"),
    ({RATE: (torch.tensor([0, 0]), torch.tensor([0]), None)}, "same shape"),
])
def test_bad_edges(edges, message):
    with pytest.raises(ValueError, match=message):
        TemporalGraph.from_edges({"user": 1, "item": 2}, edges)
