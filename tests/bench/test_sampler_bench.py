"""``recbole-ctx bench sampler``: the baseline does the sampler's work; timings take turns."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import torch

from recbole_ctx.bench.sampler import Scale, make_graph, make_seeds, per_seed_python, time_interleaved
from recbole_ctx.sampler.temporal_sampler import TemporalNeighborSampler


def _edges(out, et):
    """Multiset of (seed, src gid, dst gid, time) of one edge type."""
    src, dst = out.edge_index[et]
    return Counter(zip(out.batch[et[0]][src].tolist(), out.node[et[0]][src].tolist(),
                       out.node[et[2]][dst].tolist(), out.edge_time[et].tolist()))


def _nodes(out, node_type):
    return Counter(zip(out.batch[node_type].tolist(), out.node[node_type].tolist(), out.hop[node_type].tolist()))


@pytest.mark.parametrize("fanouts", [[-1, -1], [5], [-1, 3]])
def test_baseline_builds_the_samplers_output(fanouts):
    """Same output as the sampler for fanout -1 (nothing random); as many edges when only
    the last hop draws."""
    scale = Scale(users=200, items=50, events=3000)
    graph = make_graph(scale)
    users, times = make_seeds(scale, 16)
    ours = TemporalNeighborSampler(graph, fanouts, bidirectional=False).sample(
        users, times, generator=torch.Generator().manual_seed(0))
    base = per_seed_python(graph, fanouts, users.numpy(), times.numpy(), np.random.default_rng(0))
    exact = all(k == -1 for k in fanouts)
    assert torch.equal(base.node["user"][:16], users)  # seeds first, in batch order
    for et in graph.edge_types:
        src, dst = base.edge_index[et]
        assert bool((base.batch[et[0]][src] == base.batch[et[2]][dst]).all())  # edges stay in their seed
        assert bool((base.edge_time[et] <= times[base.batch[et[0]][src]]).all())
        if exact:
            assert _edges(base, et) == _edges(ours, et)
        else:
            assert base.edge_index[et].shape == ours.edge_index[et].shape
    for node_type in graph.num_nodes:
        if exact:
            assert _nodes(base, node_type) == _nodes(ours, node_type)
        for field in ("node", "batch", "hop"):
            assert getattr(base, field)[node_type].dtype == torch.long


def test_timed_calls_take_turns_until_each_has_its_repeats():
    order = []
    timings = time_interleaved([(lambda: order.append("a"), 3), (lambda: order.append("b"), 1)],
                               torch.device("cpu"))
    assert order == ["a", "b", "a", "a"]
    assert len(timings) == 2 and all(t.wall >= 0 and t.cpu >= 0 for t in timings)
