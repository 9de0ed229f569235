"""``recbole-ctx bench sampler``: the baseline does the sampler's work; timings take turns."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from recbole_ctx.bench.sampler import Scale, make_graph, make_seeds, per_seed_python, time_interleaved
from recbole_ctx.sampler.temporal_sampler import TemporalNeighborSampler


@pytest.mark.parametrize("fanouts", [[-1, -1], [5]])
def test_baseline_draws_as_many_edges(fanouts):
    """All edges for fanout -1; min(k, visible) per row for one hop."""
    scale = Scale(users=200, items=50, events=3000)
    graph = make_graph(scale)
    users, times = make_seeds(scale, 16)
    out = TemporalNeighborSampler(graph, fanouts, bidirectional=False).sample(
        users, times, generator=torch.Generator().manual_seed(0))
    ours = sum(int(e.shape[1]) for e in out.edge_index.values())
    assert ours == per_seed_python(graph, fanouts, users.numpy(), times.numpy(), np.random.default_rng(0))


def test_timed_calls_take_turns_until_each_has_its_repeats():
    order = []
    timings = time_interleaved([(lambda: order.append("a"), 3), (lambda: order.append("b"), 1)],
                               torch.device("cpu"))
    assert order == ["a", "b", "a", "a"]
    assert len(timings) == 2 and all(t.wall >= 0 and t.cpu >= 0 for t in timings)
