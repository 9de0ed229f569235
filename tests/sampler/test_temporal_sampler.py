"""Properties of the temporal sampler on random temporal graphs (hypothesis)."""
from __future__ import annotations

import math
from collections import Counter

import pytest
import torch
from hypothesis import assume, given, settings, strategies as st

from recbole_ctx.sampler.temporal_graph import TemporalGraph
from recbole_ctx.sampler.temporal_sampler import TemporalNeighborSampler

RATE = ("user", "rate", "item")
TAG = ("item", "has", "tag")
TIMES = [1.0, 2.0, 3.0, 5.0, 8.0]


@st.composite
def temporal_graphs(draw):
    """A user-item event graph with repeat events and time ties, plus static item-tag edges."""
    n_user, n_item, n_tag = draw(st.integers(1, 6)), draw(st.integers(1, 6)), draw(st.integers(1, 3))
    n_ev = draw(st.integers(0, 30))
    src = draw(st.lists(st.integers(0, n_user - 1), min_size=n_ev, max_size=n_ev))
    dst = draw(st.lists(st.integers(0, n_item - 1), min_size=n_ev, max_size=n_ev))
    time = draw(st.lists(st.sampled_from(TIMES), min_size=n_ev, max_size=n_ev))
    n_tag_edges = draw(st.integers(0, 6))
    t_src = draw(st.lists(st.integers(0, n_item - 1), min_size=n_tag_edges, max_size=n_tag_edges))
    t_dst = draw(st.lists(st.integers(0, n_tag - 1), min_size=n_tag_edges, max_size=n_tag_edges))
    events = {
        RATE: (torch.tensor(src, dtype=torch.long), torch.tensor(dst, dtype=torch.long),
               torch.tensor(time, dtype=torch.float64)),
        TAG: (torch.tensor(t_src, dtype=torch.long), torch.tensor(t_dst, dtype=torch.long), None),
    }
    graph = TemporalGraph.from_edges({"user": n_user, "item": n_item, "tag": n_tag}, events)
    n_seed = draw(st.integers(1, 5))
    seeds = draw(st.lists(st.integers(0, n_user - 1), min_size=n_seed, max_size=n_seed))
    seed_time = draw(st.lists(st.sampled_from(TIMES + [0.0, 4.0, math.inf]), min_size=n_seed, max_size=n_seed))
    return graph, torch.tensor(seeds), torch.tensor(seed_time, dtype=torch.float64)


def coo(graph: TemporalGraph, et):
    """Global (src, dst, time) triples of one stored edge type."""
    rowptr = graph.rowptr[et]
    src = torch.repeat_interleave(torch.arange(rowptr.numel() - 1), rowptr[1:] - rowptr[:-1])
    return list(zip(src.tolist(), graph.col[et].tolist(), graph.time[et].tolist()))


def brute_force(graph: TemporalGraph, seed: int, t: float, hops: int):
    """BFS over events with time <= t: {(type, gid): hop} and the traversed edge triples."""
    dist = {("user", seed): 0}
    frontier = [("user", seed)]
    edges = set()
    for h in range(1, hops + 1):
        nxt = []
        for node_type, gid in frontier:
            for et in graph.edge_types:
                if et[0] != node_type:
                    continue
                for s, d, tt in coo(graph, et):
                    if s == gid and tt <= t:
                        edges.add((et, s, d, tt))
                        if (et[2], d) not in dist:
                            dist[(et[2], d)] = h
                            nxt.append((et[2], d))
        frontier = nxt
    return dist, edges


def sampled_edges(out, graph, b):
    """Global (edge type, src, dst, time) multiset of seed b's subgraph."""
    res = []
    for et, ei in out.edge_index.items():
        src_g, dst_g = out.node[et[0]][ei[0]], out.node[et[2]][ei[1]]
        mine = out.batch[et[0]][ei[0]] == b
        assert torch.equal(mine, out.batch[et[2]][ei[1]] == b), "edge crosses seeds"
        for s, d, t in zip(src_g[mine].tolist(), dst_g[mine].tolist(), out.edge_time[et][mine].tolist()):
            res.append((et, s, d, t))
    return res


fanout_lists = st.lists(st.integers(1, 3) | st.just(-1), min_size=1, max_size=3)


@settings(max_examples=60, deadline=None)
@given(temporal_graphs(), fanout_lists, st.sampled_from(["uniform", "last"]), st.booleans())
def test_no_edge_after_seed_time(case, fanouts, strategy, bidirectional):
    graph, seeds, seed_time = case
    out = TemporalNeighborSampler(graph, fanouts, strategy, bidirectional).sample(
        seeds, seed_time, generator=torch.Generator().manual_seed(0))
    for et, ei in out.edge_index.items():
        assert (out.edge_time[et] <= seed_time[out.batch[et[0]][ei[0]]]).all()
    assert torch.equal(out.node["user"][: seeds.numel()], seeds)
    assert torch.equal(out.batch["user"][: seeds.numel()], torch.arange(seeds.numel()))


@settings(max_examples=60, deadline=None)
@given(temporal_graphs(), st.integers(1, 3), st.sampled_from(["uniform", "last"]))
def test_full_fanout_equals_bfs(case, hops, strategy):
    graph, seeds, seed_time = case
    out = TemporalNeighborSampler(graph, [-1] * hops, strategy, bidirectional=False).sample(seeds, seed_time)
    for b, (seed, t) in enumerate(zip(seeds.tolist(), seed_time.tolist())):
        dist, edges = brute_force(graph, seed, t, hops)
        got = {}
        for node_type in graph.num_nodes:
            mine = out.batch[node_type] == b
            for gid, hop in zip(out.node[node_type][mine].tolist(), out.hop[node_type][mine].tolist()):
                assert (node_type, gid) not in got, "node repeated inside one subgraph"
                got[(node_type, gid)] = hop
        assert got == dist
        sampled = sampled_edges(out, graph, b)
        assert Counter(sampled) == Counter(e for e in sampled if e in edges)
        assert set(sampled) == edges


@settings(max_examples=60, deadline=None)
@given(temporal_graphs(), st.integers(1, 3))
def test_last_returns_most_recent(case, k):
    graph, seeds, seed_time = case
    out = TemporalNeighborSampler(graph, [k], "last", bidirectional=False).sample(seeds, seed_time)
    for b, (seed, t) in enumerate(zip(seeds.tolist(), seed_time.tolist())):
        visible = sorted(tt for s, _, tt in coo(graph, RATE) if s == seed and tt <= t)
        got = sorted(tt for et, *_, tt in sampled_edges(out, graph, b) if et == RATE)
        assert got == visible[len(visible) - min(k, len(visible)):]


@settings(max_examples=60, deadline=None)
@given(temporal_graphs(), st.integers(1, 3))
def test_uniform_draws_min_k_distinct_visible_events(case, k):
    graph, seeds, seed_time = case
    out = TemporalNeighborSampler(graph, [k], "uniform", bidirectional=False).sample(
        seeds, seed_time, generator=torch.Generator().manual_seed(1))
    for b, (seed, t) in enumerate(zip(seeds.tolist(), seed_time.tolist())):
        visible = Counter((d, tt) for s, d, tt in coo(graph, RATE) if s == seed and tt <= t)
        got = Counter((d, tt) for et, _, d, tt in sampled_edges(out, graph, b) if et == RATE)
        assert sum(got.values()) == min(k, sum(visible.values()))
        assert all(got[e] <= visible[e] for e in got)


@settings(max_examples=40, deadline=None)
@given(temporal_graphs(), fanout_lists, st.integers(0, 2**31))
def test_same_seed_same_sample(case, fanouts, rng_seed):
    graph, seeds, seed_time = case
    sampler = TemporalNeighborSampler(graph, fanouts, "uniform")
    a = sampler.sample(seeds, seed_time, generator=torch.Generator().manual_seed(rng_seed))
    b = sampler.sample(seeds, seed_time, generator=torch.Generator().manual_seed(rng_seed))
    for field in ("node", "batch", "hop", "edge_index", "edge_time"):
        x, y = getattr(a, field), getattr(b, field)
        assert x.keys() == y.keys() and all(torch.equal(x[key], y[key]) for key in x)


@settings(max_examples=40, deadline=None)
@given(temporal_graphs(), fanout_lists)
def test_excluded_pairs_never_sampled(case, fanouts):
    graph, seeds, seed_time = case
    items = torch.arange(graph.num_nodes["item"])[: seeds.numel()]
    pairs = (seeds[: items.numel()], items)
    out = TemporalNeighborSampler(graph, fanouts, "uniform").sample(
        seeds, seed_time, exclude={RATE: pairs}, generator=torch.Generator().manual_seed(0))
    banned = set(zip(pairs[0].tolist(), pairs[1].tolist()))
    for b in range(seeds.numel()):
        for et, s, d, _ in sampled_edges(out, graph, b):
            if et == RATE:
                assert (s, d) not in banned
            if et == ("item", "rev_rate", "user"):
                assert (d, s) not in banned


def test_uniform_is_uniform_over_subsets():
    """Each of 6 events of one row is drawn with probability 2/6."""
    graph = TemporalGraph.from_edges({"user": 1, "item": 6}, {RATE: (
        torch.zeros(6, dtype=torch.long), torch.arange(6), torch.arange(6, dtype=torch.float64))})
    sampler = TemporalNeighborSampler(graph, [2], "uniform", bidirectional=False)
    gen = torch.Generator().manual_seed(0)
    out = sampler.sample(torch.zeros(6000, dtype=torch.long), torch.full((6000,), 10.0), generator=gen)
    freq = torch.bincount(out.node["item"], minlength=6).double() / 6000
    assert torch.allclose(freq, torch.full((6,), 2 / 6, dtype=torch.float64), atol=0.03)


def test_bidirectional_adds_each_reverse_once():
    graph = TemporalGraph.from_edges({"user": 2, "item": 1}, {RATE: (
        torch.tensor([0, 1]), torch.tensor([0, 0]), torch.tensor([1.0, 2.0]))})
    out = TemporalNeighborSampler(graph, [-1, -1]).sample(torch.tensor([0]), torch.tensor([5.0]))
    rev = ("item", "rev_rate", "user")
    assert out.edge_index[RATE].shape[1] == 2 and out.edge_index[rev].shape[1] == 2
    assert sorted(out.edge_time[rev].tolist()) == [1.0, 2.0]


@pytest.mark.parametrize("kwargs, message", [
    (dict(fanouts=[]), "fanouts"),
    (dict(fanouts=[0]), "fanouts"),
    (dict(fanouts=[2], strategy="newest"), "strategy"),
])
def test_bad_sampler_arguments(kwargs, message):
    graph = TemporalGraph.from_edges({"user": 1, "item": 1}, {RATE: (torch.tensor([0]), torch.tensor([0]), None)})
    with pytest.raises(ValueError, match=message):
        TemporalNeighborSampler(graph, **kwargs)


@pytest.mark.parametrize("seeds, times, seed_type, message", [
    ([3], [1.0], "user", "out of range"),
    ([-1], [1.0], "user", "out of range"),
    ([0], [math.nan], "user", "NaN"),
    ([0], [1.0, 2.0], "user", "one time per seed"),
    ([0], [1.0], "movie", "not a node type"),
])
def test_bad_seeds(seeds, times, seed_type, message):
    graph = TemporalGraph.from_edges({"user": 2, "item": 1}, {RATE: (torch.tensor([0]), torch.tensor([0]), None)})
    sampler = TemporalNeighborSampler(graph, [2])
    with pytest.raises(ValueError, match=message):
        sampler.sample(torch.tensor(seeds), torch.tensor(times, dtype=torch.float64), seed_type=seed_type)


def triples(out, et):
    ei = out.edge_index[et]
    return list(zip(out.node[et[0]][ei[0]].tolist(), out.node[et[2]][ei[1]].tolist(),
                    out.batch[et[0]][ei[0]].tolist(), out.edge_time[et].tolist()))


@settings(max_examples=60, deadline=None)
@given(temporal_graphs(), fanout_lists, st.sampled_from(["uniform", "last"]), st.integers(0, 1000))
def test_bidirectional_is_union_of_both_directions(case, fanouts, strategy, rng_seed):
    """Same draws with and without the reverse output: every drawn edge is kept, every
    reversed one is added unless the same event was drawn in that direction too."""
    graph, seeds, seed_time = case
    one_way, both = (TemporalNeighborSampler(graph, fanouts, strategy, bidirectional=b).sample(
        seeds, seed_time, generator=torch.Generator().manual_seed(rng_seed)) for b in (False, True))
    for et in graph.edge_types:
        rev = (et[2], "rev_" + et[1] if not et[1].startswith("rev_") else et[1][4:], et[0])
        drawn = Counter(triples(one_way, et))
        reversed_ = Counter((d, s, b, t) for s, d, b, t in triples(one_way, rev))
        got = Counter(triples(both, et))
        assert set(got) == set(drawn) | set(reversed_)
        assert all(got[e] >= drawn[e] and got[e] <= max(drawn[e], reversed_[e]) for e in got)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(TIMES), max_size=40), min_size=1, max_size=12),
       st.lists(st.sampled_from(TIMES + [0.0, 4.0, math.inf]), min_size=12, max_size=12),
       st.integers(1, 3))
def test_visible_end_with_row_compaction_equals_per_row_search(rows, limits, bisect_round):
    """The bisection that drops finished rows finds the same ends as a per-row search."""
    import recbole_ctx.sampler.temporal_sampler as sampler_module

    src = torch.cat([torch.full((len(r),), i) for i, r in enumerate(rows)]).long()
    time = torch.tensor([t for r in rows for t in r], dtype=torch.float64)
    assume(time.numel() > 0)  # the sampler skips edge types without events
    graph = TemporalGraph.from_edges({"user": len(rows), "item": 1},
                                     {RATE: (src, torch.zeros_like(src), time)})
    frontier = torch.arange(len(rows))
    start, end = graph.rowptr[RATE][frontier], graph.rowptr[RATE][frontier + 1]
    limit = torch.tensor(limits[: len(rows)], dtype=torch.float64)
    expected = [int(s) + sum(t <= lim for t in sorted(r)) for s, r, lim in zip(start.tolist(), rows, limits)]
    sampler = TemporalNeighborSampler(graph, [1])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sampler_module, "_COMPACT_MIN_ROWS", 1)
        patch.setattr(sampler_module, "_BISECT_ROUND", bisect_round)
        assert sampler._visible_end(RATE, start, end, limit).tolist() == expected


@settings(max_examples=40, deadline=None)
@given(temporal_graphs(), fanout_lists, st.sampled_from(["uniform", "last"]), st.integers(0, 1000))
def test_sorts_padded_for_the_radix_path_change_no_sample(case, fanouts, strategy, rng_seed):
    """Padding every key sort (unique, reverse-edge matching) gives the unpadded sample."""
    import recbole_ctx.sampler.tensor_ops as tensor_ops

    graph, seeds, seed_time = case
    outs = []
    for pad in (False, True):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(tensor_ops, "_CPU_RADIX_SORT", pad)
            patch.setattr(tensor_ops, "_PAD_TO_RADIX_FROM", {torch.int32: 1, torch.int64: 1})
            outs.append(TemporalNeighborSampler(graph, fanouts, strategy).sample(
                seeds, seed_time, generator=torch.Generator().manual_seed(rng_seed)))
    plain, padded = outs
    for node_type in plain.node:
        for field in ("node", "batch", "hop"):
            assert torch.equal(getattr(plain, field)[node_type], getattr(padded, field)[node_type])
    for et in plain.edge_index:
        assert torch.equal(plain.edge_index[et], padded.edge_index[et])
        assert torch.equal(plain.edge_time[et], padded.edge_time[et])
