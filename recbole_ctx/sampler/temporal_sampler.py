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
an already visited node.  An edge of type ``(s, r, d)`` points from the expanded node
(type ``s``) to the drawn neighbour (type ``d``); edges come in no particular order.

Bidirectional output: each drawn edge is also emitted reversed under the reverse
relation; a reversed edge equal in (src, dst, time) to one drawn in that direction is
dropped, so each event appears once per edge type (two distinct events with identical
(src, dst, time) that were drawn only from the far end also collapse to one).

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

from recbole_ctx.sampler.edge_output import cat_edges, reverse_parts, stack_edges
from recbole_ctx.sampler.event_draw import bisect, floyd_sample, positions
from recbole_ctx.sampler.node_state import NodeState
from recbole_ctx.sampler.subgraph import SampledSubgraph
from recbole_ctx.sampler.temporal_graph import EdgeType, TemporalGraph, reverse_edge_type
from recbole_ctx.sampler.tensor_ops import take
from recbole_ctx.utils.ranges import concat_ranges

STRATEGIES = ("uniform", "last")
# Bisection on frontiers of at least _COMPACT_MIN_ROWS rows drops finished rows every
# _BISECT_ROUND halvings; below that the extra ops cost more than they save.
_COMPACT_MIN_ROWS = 16384
_BISECT_ROUND = 4


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
        state = NodeState(graph.num_nodes, seed_type, seed_nodes, device)
        edges: dict[EdgeType, list[tuple[Tensor, Tensor, Tensor]]] = {et: [] for et in graph.edge_types}
        all_visible = bool(torch.isposinf(seed_time).all())

        for hop, fanout in enumerate(self.fanouts, start=1):
            pending = []  # (edge type, src local, dst candidate keys, event time)
            for et in graph.edge_types:
                front = state.frontier.get(et[0])
                if front is None or front[0].numel() == 0 or graph.num_edges(et) == 0:
                    continue
                gid, seed, local = front
                pos, row = self._draw(et, gid, take(seed_time, seed), fanout, all_visible, generator)
                dst_gid = take(graph.col[et], pos)
                if et in excluded:
                    src_key = take(gid, row) * graph.num_nodes[et[2]] + dst_gid
                    keep = (~torch.isin(src_key, excluded[et])).nonzero().squeeze(1)
                    pos, row, dst_gid = take(pos, keep), take(row, keep), take(dst_gid, keep)
                dst_key = state.candidate_keys(et[2], seed, row, dst_gid)
                pending.append((et, take(local, row), dst_key, take(graph.time[et], pos)))
            last_hop = hop == len(self.fanouts)
            dst_local = state.add(hop, [(et[2], key) for et, _, key, _ in pending], last_hop)
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
        start, end = take(rowptr, gid), take(rowptr, gid + 1)
        if not all_visible:
            end = self._visible_end(et, start, end, time_limit)
        count = end - start
        if fanout == -1:
            return positions(start, count)
        if self.strategy == "last":  # the newest `fanout` visible events
            newest = count.clamp(max=fanout)
            return positions(end - newest, newest)
        # uniform: rows with at most `fanout` events keep them all; the others draw
        # `fanout` distinct ones.  Edge order is by group, not by row (order is free).
        over = count > fanout
        over_rows = over.nonzero().squeeze(1)
        if over_rows.numel() == 0:
            return positions(start, count)
        picks = floyd_sample(take(count, over_rows), fanout, generator)  # [fanout, R']
        kept_count = count.masked_fill_(over, 0)
        kept = int(kept_count.sum())
        # The draws are written straight into the outputs: on large frontiers a
        # concatenation of these arrays costs as much as drawing them.
        pos = torch.empty(kept + picks.numel(), dtype=torch.long, device=start.device)
        row = torch.empty_like(pos)
        kept_row, kept_pos = concat_ranges(start, kept_count, kept)
        pos[:kept], row[:kept] = kept_pos, kept_row
        torch.add(take(start, over_rows).unsqueeze(0), picks, out=pos[kept:].view_as(picks))
        row[kept:].view_as(picks).copy_(over_rows.unsqueeze(0).expand_as(picks))
        return pos, row

    def _visible_end(self, et: EdgeType, start: Tensor, end: Tensor, time_limit: Tensor) -> Tensor:
        """First position in ``[start, end)`` whose time is > ``time_limit``.

        Branch-free bisection vectorised over rows: the answer stays in
        ``[base, base + n]`` while ``n`` halves.  Row lengths are heavy-tailed (a few
        hubs, many short rows), so on large frontiers the rows whose search is over
        are dropped every ``_BISECT_ROUND`` halvings instead of riding along to the
        longest row's last step.
        """
        time = self.graph.time[et]
        last = time.numel() - 1
        rows = None  # frontier rows still searched (None: all of them)
        base, n, limit = start.clone(), end - start, time_limit
        result = base
        while n.numel():
            # As many halvings as the longest remaining row needs (one sync per round).
            steps = int(n.max()).bit_length()
            compact = n.numel() >= _COMPACT_MIN_ROWS and steps > _BISECT_ROUND
            bisect(time, base, n, limit, _BISECT_ROUND if compact else steps)
            done = n <= 1 if compact else None
            if done is None or bool(done.all()):
                final = base + ((n > 0) & (take(time, base.clamp(max=last)) <= limit))
                return final if rows is None else result.index_copy_(0, rows, final)
            finished = done.nonzero().squeeze(1)
            if finished.numel():
                fb, fn = take(base, finished), take(n, finished)
                final = fb + ((fn > 0) & (take(time, fb.clamp(max=last)) <= take(limit, finished)))
                result.index_copy_(0, finished if rows is None else take(rows, finished), final)
                active = (~done).nonzero().squeeze(1)
                rows = active if rows is None else take(rows, active)
                base, n, limit = take(base, active), take(n, active), take(limit, active)
        return result

    def _assemble(self, state: NodeState, edges: dict[EdgeType, list[tuple[Tensor, Tensor, Tensor]]],
                  seed_type: str, seed_time: Tensor, device: torch.device) -> SampledSubgraph:
        out = SampledSubgraph(seed_type=seed_type, seed_time=seed_time)
        for node_type in self.graph.num_nodes:
            out.node[node_type], out.batch[node_type], out.hop[node_type] = state.result(node_type)
        merged = {et: cat_edges(parts, device) for et, parts in edges.items()}
        for et, (src, dst, time) in merged.items():
            parts = [(src, dst, time)]
            if self.bidirectional:
                rev_src, rev_dst, rev_time = merged[reverse_edge_type(et)]
                parts += reverse_parts(src, dst, time, rev_dst, rev_src, rev_time,
                                        out.hop[et[0]], out.hop[et[2]], len(self.fanouts))
            out.edge_index[et], out.edge_time[et] = stack_edges(parts, device)
        return out
