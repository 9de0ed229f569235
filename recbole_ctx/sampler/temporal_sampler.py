"""Temporal k-hop neighbour sampling over a :class:`TemporalGraph`, vectorised per batch.

For seeds ``(v_b, T_b)`` and fanouts ``[k_1, ..., k_L]`` the sampler grows, for every
seed at once, the subgraph ``G_L^(-inf, T_b][v_b]`` (ContextGNN paper, section 4): at
hop ``h`` every node first reached at hop ``h - 1`` draws at most ``k_h`` of its events
with time ``<= T_b`` per edge type (``-1``: all of them).  Python loops run only over
hops and edge types; everything per seed, node or edge is a tensor operation, so the
same code runs on CPU and CUDA.

Subgraphs are disjoint (see :mod:`recbole_ctx.sampler.subgraph`): node identity inside
the output is the pair (seed, global id), so a node reached twice from the same seed
appears once (at the hop it was first reached) and a node reached from two seeds
appears twice.  Every sampled edge is kept, including edges that close a cycle back to
an already visited node.

Leakage control (``exclude``): in static link prediction the pair being predicted is
an edge of the training graph.  ``exclude`` lists global (src, dst) pairs per edge
type; every event of such a pair, in both directions, is dropped from every subgraph of
the batch.  Dropping happens after drawing, so a row that touches an excluded pair may
keep fewer than ``k`` neighbours; with one target pair per seed that is at most one.
"""
from __future__ import annotations

import math

import torch
from torch import Tensor

from recbole_ctx.data.temporal_graph import EdgeType, TemporalGraph, reverse_edge_type
from recbole_ctx.sampler.subgraph import SampledSubgraph

STRATEGIES = ("uniform", "last")


class TemporalNeighborSampler:
    """Samples disjoint temporal k-hop subgraphs around (node, time) seeds.

    Args:
        graph: the graph store (its device decides where sampling runs).
        fanouts: neighbours drawn per node and edge type at each hop; ``-1`` = all.
        strategy: ``"uniform"`` (uniform without replacement among events <= T) or
            ``"last"`` (the most recent events <= T).
        bidirectional: also emit each sampled edge reversed under the reverse relation
            (``rev_<relation>``) so that messages can flow both ways; an event drawn
            in both directions is then kept once per edge type.
    """

    def __init__(self, graph: TemporalGraph, fanouts: list[int], strategy: str = "uniform",
                 bidirectional: bool = True):
        fanouts = list(fanouts)
        if not fanouts:
            raise ValueError("fanouts must list at least one hop, e.g. [20, 10]")
        bad = [k for k in fanouts if not isinstance(k, int) or (k < 1 and k != -1)]
        if bad:
            raise ValueError(f"fanouts must be positive ints or -1 (all), got {fanouts}")
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
        if bidirectional:
            missing = [et for et in graph.edge_types if reverse_edge_type(et) not in graph.rowptr]
            if missing:
                raise ValueError(f"bidirectional output needs the reverse of {missing} in the graph")
        self.graph = graph
        self.fanouts = fanouts
        self.strategy = strategy
        self.bidirectional = bidirectional
        # Binary search over a row needs bit_length(max degree) halvings.
        self._search_steps = {et: graph.max_degree(et).bit_length() for et in graph.edge_types}

    def sample(
        self,
        seed_nodes: Tensor,
        seed_time: Tensor | None = None,
        seed_type: str = "user",
        generator: torch.Generator | None = None,
        exclude: dict[EdgeType, tuple[Tensor, Tensor]] | None = None,
    ) -> SampledSubgraph:
        """Sample one subgraph per seed.

        Args:
            seed_nodes: int64 [B] global ids of ``seed_type``.
            seed_time: float64 [B] seed time T per seed in Unix seconds (``None`` or
                +inf: static, every edge visible).
            seed_type: node type of the seeds.
            generator: random generator on the graph's device (``uniform`` only);
                the same generator state gives the same sample.
            exclude: per edge type, global ``(src int64 [P], dst int64 [P])`` pairs
                whose events (both directions) are removed from all subgraphs.

        Returns:
            a :class:`SampledSubgraph` on the graph's device.
        """
        graph, device = self.graph, self.graph.device
        seed_nodes, seed_time = self._check_seeds(seed_nodes, seed_time, seed_type, device)
        excluded = self._excluded_keys(exclude, device)
        state = _NodeState(graph.num_nodes, seed_type, seed_nodes, device)
        edges: dict[EdgeType, list[tuple[Tensor, Tensor, Tensor]]] = {et: [] for et in graph.edge_types}
        all_visible = bool(torch.isposinf(seed_time).all())

        for hop, fanout in enumerate(self.fanouts, start=1):
            pending = []  # (edge type, src local, dst candidate keys, event time)
            for et in graph.edge_types:
                front = state.frontier.get(et[0])
                if front is None or front[0].numel() == 0 or graph.num_edges(et) == 0:
                    continue
                gid, seed, local = front
                pos, row = self._draw(et, gid, seed_time[seed], fanout, all_visible, generator)
                src_gid, dst_gid = gid[row], graph.col[et][pos]
                if et in excluded:
                    keep = ~torch.isin(src_gid * graph.num_nodes[et[2]] + dst_gid, excluded[et])
                    pos, row, dst_gid = pos[keep], row[keep], dst_gid[keep]
                dst_key = seed[row] * graph.num_nodes[et[2]] + dst_gid
                pending.append((et, local[row], dst_key, graph.time[et][pos]))
            dst_local = state.add(hop, [(et[2], key) for et, _, key, _ in pending])
            for (et, src_local, _, time), dl in zip(pending, dst_local):
                edges[et].append((src_local, dl, time))

        return self._assemble(state, edges, seed_type, seed_time, device)

    def _check_seeds(self, seed_nodes: Tensor, seed_time: Tensor | None, seed_type: str,
                     device: torch.device) -> tuple[Tensor, Tensor]:
        if seed_type not in self.graph.num_nodes:
            raise ValueError(f"seed_type {seed_type!r} is not a node type of the graph "
                             f"({sorted(self.graph.num_nodes)})")
        seed_nodes = torch.as_tensor(seed_nodes, device=device)
        if seed_nodes.dim() != 1 or seed_nodes.dtype.is_floating_point:
            raise ValueError(f"seed_nodes must be a 1-D integer tensor, got {seed_nodes.dtype} "
                             f"{tuple(seed_nodes.shape)}")
        seed_nodes = seed_nodes.long()
        n = self.graph.num_nodes[seed_type]
        if seed_nodes.numel() and (int(seed_nodes.min()) < 0 or int(seed_nodes.max()) >= n):
            raise ValueError(f"seed id out of range: {seed_type} ids must lie in [0, {n}), got "
                             f"[{int(seed_nodes.min())}, {int(seed_nodes.max())}]")
        if seed_time is None:
            seed_time = torch.full(seed_nodes.shape, math.inf, dtype=torch.float64, device=device)
        seed_time = torch.as_tensor(seed_time, device=device).to(torch.float64)
        if seed_time.shape != seed_nodes.shape:
            raise ValueError(f"seed_time has shape {tuple(seed_time.shape)}, seed_nodes "
                             f"{tuple(seed_nodes.shape)}: one time per seed is needed")
        if bool(torch.isnan(seed_time).any()):
            raise ValueError("seed_time contains NaN; use +inf for a static (no time limit) seed")
        return seed_nodes, seed_time

    def _excluded_keys(self, exclude: dict[EdgeType, tuple[Tensor, Tensor]] | None,
                       device: torch.device) -> dict[EdgeType, Tensor]:
        """Per edge type, int64 keys ``src * num_nodes[dst] + dst`` to drop (both directions)."""
        keys: dict[EdgeType, list[Tensor]] = {}
        for et, (src, dst) in (exclude or {}).items():
            if et not in self.graph.rowptr:
                raise ValueError(f"exclude: {et} is not an edge type of the graph")
            src, dst = src.to(device).long(), dst.to(device).long()
            keys.setdefault(et, []).append(src * self.graph.num_nodes[et[2]] + dst)
            rev = reverse_edge_type(et)
            if rev in self.graph.rowptr:
                keys.setdefault(rev, []).append(dst * self.graph.num_nodes[et[0]] + src)
        return {et: torch.cat(k) for et, k in keys.items()}

    def _draw(self, et: EdgeType, gid: Tensor, time_limit: Tensor, fanout: int,
              all_visible: bool, generator: torch.Generator | None) -> tuple[Tensor, Tensor]:
        """Pick events for each frontier node.

        Returns:
            ``(pos, row)``: int64 [M] CSR positions in ``et`` and the frontier row each
            belongs to.
        """
        rowptr = self.graph.rowptr[et]
        start, end = rowptr[gid], rowptr[gid + 1]
        if not all_visible:
            end = self._visible_end(et, start, end, time_limit)
        count = end - start
        take = count if fanout == -1 else count.clamp(max=fanout)
        row, offset = _expand(take)
        if fanout == -1 or self.strategy == "uniform":
            pos = start[row] + offset
        else:  # "last": the newest `take` events of the visible prefix
            pos = end[row] - take[row] + offset
        if fanout != -1 and self.strategy == "uniform":
            pos = self._uniform_positions(pos, row, offset, start, count, fanout, generator)
        return pos, row

    def _visible_end(self, et: EdgeType, start: Tensor, end: Tensor, time_limit: Tensor) -> Tensor:
        """First position in ``[start, end)`` whose time is > ``time_limit`` (vectorised bisection)."""
        time = self.graph.time[et]
        last = time.numel() - 1
        lo, hi = start, end
        for _ in range(self._search_steps[et]):
            active = lo < hi
            mid = (lo + hi) // 2
            le = time[mid.clamp(max=last)] <= time_limit
            lo = torch.where(active & le, mid + 1, lo)
            hi = torch.where(active & ~le, mid, hi)
        return lo

    @staticmethod
    def _uniform_positions(pos: Tensor, row: Tensor, offset: Tensor, start: Tensor,
                           count: Tensor, fanout: int, generator: torch.Generator | None) -> Tensor:
        """Replace the positions of rows with more than ``fanout`` events by a uniform subset."""
        over = count > fanout
        over_rows = over.nonzero().squeeze(1)
        if over_rows.numel() == 0:
            return pos
        picks = _floyd_sample(count[over_rows], fanout, generator)  # [R', fanout]
        rank = torch.cumsum(over.long(), 0) - 1  # index among over-full rows
        sel = over[row]
        pos = pos.clone()
        pos[sel] = start[row[sel]] + picks[rank[row[sel]], offset[sel]]
        return pos

    def _assemble(self, state: "_NodeState", edges: dict[EdgeType, list[tuple[Tensor, Tensor, Tensor]]],
                  seed_type: str, seed_time: Tensor, device: torch.device) -> SampledSubgraph:
        out = SampledSubgraph(seed_type=seed_type, seed_time=seed_time)
        for node_type in self.graph.num_nodes:
            out.node[node_type], out.batch[node_type], out.hop[node_type] = state.result(node_type)
        parts: dict[EdgeType, list[tuple[Tensor, Tensor, Tensor]]] = {et: list(p) for et, p in edges.items()}
        if self.bidirectional:
            for et, p in edges.items():
                parts[reverse_edge_type(et)] += [(dst, src, t) for src, dst, t in p]
        for et, p in parts.items():
            src = torch.cat([s for s, _, _ in p]) if p else torch.empty(0, dtype=torch.long, device=device)
            dst = torch.cat([d for _, d, _ in p]) if p else torch.empty(0, dtype=torch.long, device=device)
            time = torch.cat([t for _, _, t in p]) if p else torch.empty(0, dtype=torch.float64, device=device)
            if self.bidirectional and src.numel():
                src, dst, time = _unique_events(src, dst, time, out.num_nodes(et[2]))
            out.edge_index[et] = torch.stack([src, dst])
            out.edge_time[et] = time
        return out


class _NodeState:
    """Per node type: the (seed, global id) pairs reached so far and their local ids."""

    def __init__(self, num_nodes: dict[str, int], seed_type: str, seed_nodes: Tensor,
                 device: torch.device):
        self.num_nodes = num_nodes
        self.device = device
        empty = torch.empty(0, dtype=torch.long, device=device)
        self.keys = {t: empty for t in num_nodes}    # sorted seed * N_t + gid
        self.locals = {t: empty for t in num_nodes}  # local id of each key above
        self.chunks: dict[str, list[tuple[Tensor, Tensor, Tensor]]] = {t: [] for t in num_nodes}
        self.count = {t: 0 for t in num_nodes}
        seed = torch.arange(seed_nodes.numel(), device=device)
        self.frontier: dict[str, tuple[Tensor, Tensor, Tensor]] = {}
        self._append(seed_type, seed * num_nodes[seed_type] + seed_nodes, hop=0)

    def _append(self, node_type: str, new_keys: Tensor, hop: int) -> Tensor:
        """Register new (already unique, unseen) keys; returns their local ids."""
        n = self.num_nodes[node_type]
        local = torch.arange(self.count[node_type], self.count[node_type] + new_keys.numel(),
                             device=self.device)
        self.count[node_type] += new_keys.numel()
        gid, seed = new_keys % n, torch.div(new_keys, n, rounding_mode="floor")
        self.chunks[node_type].append((gid, seed, torch.full_like(gid, hop)))
        keys = torch.cat([self.keys[node_type], new_keys])
        locals_ = torch.cat([self.locals[node_type], local])
        order = torch.sort(keys).indices
        self.keys[node_type], self.locals[node_type] = keys[order], locals_[order]
        self.frontier[node_type] = (gid, seed, local)
        return local

    def add(self, hop: int, candidates: list[tuple[str, Tensor]]) -> list[Tensor]:
        """Map candidate keys (per edge type, grouped by node type) to local ids.

        Keys not seen before become nodes of this ``hop`` and the next frontier.
        """
        self.frontier = {}
        out: list[Tensor | None] = [None] * len(candidates)
        for node_type in dict.fromkeys(t for t, _ in candidates):
            idx = [i for i, (t, _) in enumerate(candidates) if t == node_type]
            keys = torch.cat([candidates[i][1] for i in idx])
            uniq, inverse = torch.unique(keys, return_inverse=True)
            known = self.keys[node_type]
            local_u = torch.empty_like(uniq)
            if known.numel():
                at = torch.searchsorted(known, uniq).clamp(max=known.numel() - 1)
                found = known[at] == uniq
                local_u[found] = self.locals[node_type][at[found]]
            else:
                found = torch.zeros_like(uniq, dtype=torch.bool)
            local_u[~found] = self._append(node_type, uniq[~found], hop)
            local = local_u[inverse]
            sizes = [candidates[i][1].numel() for i in idx]
            for i, part in zip(idx, torch.split(local, sizes)):
                out[i] = part
        return out

    def result(self, node_type: str) -> tuple[Tensor, Tensor, Tensor]:
        """int64 [N_t] global id, seed index and hop of every node, in local-id order."""
        chunks = self.chunks[node_type]
        if not chunks:
            empty = torch.empty(0, dtype=torch.long, device=self.device)
            return empty, empty.clone(), empty.clone()
        return tuple(torch.cat([c[i] for c in chunks]) for i in range(3))


def _expand(take: Tensor) -> tuple[Tensor, Tensor]:
    """Ragged ``arange``: for counts [R] return (row int64 [M], offset-in-row int64 [M])."""
    row = torch.repeat_interleave(torch.arange(take.numel(), device=take.device), take)
    first = torch.cumsum(take, 0) - take
    offset = torch.arange(row.numel(), device=take.device) - first[row]
    return row, offset


def _floyd_sample(count: Tensor, k: int, generator: torch.Generator | None) -> Tensor:
    """``k`` distinct offsets in ``[0, count_r)`` per row, uniform over k-subsets (Floyd).

    Vectorised over rows; the loop is over the ``k`` draws.  int64 [R, k].
    """
    picks = torch.empty(count.numel(), k, dtype=torch.long, device=count.device)
    for i in range(k):
        top = count - k + i  # draw from [0, top]; on collision take `top` itself
        u = torch.rand(count.numel(), dtype=torch.float64, device=count.device, generator=generator)
        draw = torch.minimum((u * (top + 1).to(torch.float64)).long(), top)
        taken = (picks[:, :i] == draw.unsqueeze(1)).any(dim=1)
        picks[:, i] = torch.where(taken, top, draw)
    return picks


def _unique_events(src: Tensor, dst: Tensor, time: Tensor, num_dst: int) -> tuple[Tensor, Tensor, Tensor]:
    """Drop repeated (src, dst, time) triples (an event drawn from both of its ends)."""
    by_time = torch.sort(time, stable=True).indices
    key = (src * max(num_dst, 1) + dst)[by_time]
    by_key = torch.sort(key, stable=True).indices
    order, key = by_time[by_key], key[by_key]
    src, dst, time = src[order], dst[order], time[order]
    keep = torch.ones_like(key, dtype=torch.bool)
    keep[1:] = (key[1:] != key[:-1]) | (time[1:] != time[:-1])
    return src[keep], dst[keep], time[keep]
