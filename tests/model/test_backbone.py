"""Backbone: shapes, time encoding, message passing stays inside each seed's subgraph."""
from __future__ import annotations

import math
import warnings

import pytest
import torch

from recbole_ctx.sampler.temporal_graph import TemporalGraph
from recbole_ctx.model.backbone import HeteroSubgraphGNN, node_times
from recbole_ctx.model.layers import class_set
from recbole_ctx.model.layers.class_set import build_class_set
from recbole_ctx.model.layers.node_encoder import FeatureColumn
from recbole_ctx.model.layers.time_encoding import RelativeTimeEncoder
from recbole_ctx.sampler.temporal_sampler import TemporalNeighborSampler

ET = ("user", "interacts", "item")


def tiny_graph(num_users: int = 6, num_items: int = 9, num_edges: int = 30, seed: int = 0) -> TemporalGraph:
    gen = torch.Generator().manual_seed(seed)
    src = torch.randint(0, num_users, (num_edges,), generator=gen)
    dst = torch.randint(0, num_items, (num_edges,), generator=gen)
    time = torch.rand(num_edges, generator=gen, dtype=torch.float64) * 1e6
    return TemporalGraph.from_edges({"user": num_users, "item": num_items}, {ET: (src, dst, time)})


def make_backbone(graph: TemporalGraph, channels: int = 8, layers: int = 2) -> HeteroSubgraphGNN:
    torch.manual_seed(0)
    columns = {"item": [FeatureColumn("genre", "token", torch.arange(graph.num_nodes["item"]) % 3, 3)]}
    return HeteroSubgraphGNN(graph.node_types, graph.edge_types, channels, layers, columns)


def test_output_shapes_and_disjoint_seeds():
    graph = tiny_graph()
    sampler = TemporalNeighborSampler(graph, [4, 4], strategy="last")
    model = make_backbone(graph).eval()
    users = torch.tensor([0, 1, 2])
    sub = sampler.sample(users, torch.full((3,), math.inf, dtype=torch.float64))
    out = model(sub)
    for t in ("user", "item"):
        assert out[t].shape == (sub.num_nodes(t), 8)
        assert torch.isfinite(out[t]).all()
    # Seed 0 alone gives the same seed-0 representation: nothing leaks across seeds.
    alone = model(sampler.sample(users[:1], torch.full((1,), math.inf, dtype=torch.float64)))
    torch.testing.assert_close(alone["user"][0], out["user"][0])


def test_node_times_are_latest_incident_edge():
    graph = tiny_graph()
    sub = TemporalNeighborSampler(graph, [3], strategy="last").sample(
        torch.tensor([0]), torch.tensor([math.inf], dtype=torch.float64))
    times = node_times(sub)
    ei, et = sub.edge_index[ET], sub.edge_time[ET]
    for local in range(sub.num_nodes("item")):
        incident = et[ei[1] == local]
        assert times["item"][local] == incident.max()


def test_time_encoding_ignores_non_finite_and_depends_on_delta():
    enc = RelativeTimeEncoder(4)
    out = enc(torch.tensor([math.inf, 0.0, 86400.0 * 30], dtype=torch.float64))
    torch.testing.assert_close(out[0], enc.lin.bias)  # no signal for static nodes
    assert not torch.allclose(out[1], out[2])


def test_class_set_keeps_targets_and_subgraph_items_and_has_size_c(monkeypatch):
    targets, subgraph = torch.tensor([3, 3, 17]), torch.tensor([5, 17, 40, 41])
    classes = build_class_set(100, targets, subgraph, 10, torch.Generator().manual_seed(1))
    assert classes.numel() == 10 and classes.unique().numel() == 10
    assert set(targets.tolist()) | set(subgraph.tolist()) <= set(classes.tolist())
    # Mandatory items beyond C are all kept (with a warning: no uniform negatives are
    # left); C >= |R| is the full softmax.
    monkeypatch.setattr(class_set, "_warned_starved", False)
    with pytest.warns(RuntimeWarning, match=r"take 5 of num_classes=2 classes, leaving 0 uniform"):
        assert build_class_set(100, targets, subgraph, 2).numel() == 5
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per process
        assert build_class_set(100, targets, subgraph, 3).numel() == 5
    assert build_class_set(100, targets, subgraph, 10**6).sort().values.equal(torch.arange(100))



def _sub(graph: TemporalGraph):
    sampler = TemporalNeighborSampler(graph, [4, 4], strategy="last")
    return sampler.sample(torch.tensor([0, 1, 2]), torch.full((3,), math.inf, dtype=torch.float64))


def _backbone(graph: TemporalGraph, **options) -> HeteroSubgraphGNN:
    torch.manual_seed(0)
    return HeteroSubgraphGNN(graph.node_types, graph.edge_types, 8, 2, **options)


def test_defaults_are_layer_norm_relu_and_no_dropout():
    graph = tiny_graph()
    sub = _sub(graph)
    default = _backbone(graph).train()
    explicit = _backbone(graph, norm=torch.nn.LayerNorm, activation=torch.relu, dropout=0.0).train()
    assert all(isinstance(n, torch.nn.LayerNorm) for norms in default.norms for n in norms.values())
    for t, h in default(sub).items():
        torch.testing.assert_close(h, explicit(sub)[t], rtol=0, atol=0)  # training mode: no dropout


def test_norm_activation_and_dropout_are_applied():
    graph = tiny_graph()
    sub = _sub(graph)
    calls = []

    def recording(h):
        calls.append(h.shape)
        return torch.tanh(h)

    plain = _backbone(graph, norm=None, activation=recording).eval()
    assert not any(isinstance(n, torch.nn.LayerNorm) for norms in plain.norms for n in norms.values())
    out = plain(sub)
    assert len(calls) == len(out)  # once per node type, between the two layers only
    normed = _backbone(graph).eval()
    assert not torch.allclose(out["user"], normed(sub)["user"])
    dropped = _backbone(graph, dropout=0.5)
    kept = _backbone(graph)
    torch.testing.assert_close(dropped.eval()(sub)["user"], kept.eval()(sub)["user"])  # inactive in eval
    torch.manual_seed(1)
    assert not torch.allclose(dropped.train()(sub)["user"], kept.train()(sub)["user"])
    with pytest.raises(ValueError, match="dropout"):
        _backbone(graph, dropout=1.0)
