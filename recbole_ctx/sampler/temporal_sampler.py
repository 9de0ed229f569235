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

from recbole_ctx.sampler.temporal_graph import EdgeType, TemporalGraph, reverse_edge_type
from recbole_ctx.sampler.subgraph import SampledSubgraph
from recbole_ctx.utils.ranges import concat_ranges

STRATEGIES = ("uniform", "last")
# torch's CPU sort (and unique) of integer keys is a radix sort above 32768 elements in
# builds with OpenMP and a comparison sort below, ~10x slower per key there.  From about
# 5k int32 / 7k int64 keys on, padding up to that size is the cheaper sort.
_CPU_RADIX_SORT = torch.backends.openmp.is_available()
_RADIX_SORT_MIN = 32769
_PAD_TO_RADIX_FROM = {torch.int32: 5000, torch.int64: 7000}
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
                pos, row = self._draw(et, gid, _take(seed_time, seed), fanout, all_visible, generator)
                dst_gid = _take(graph.col[et], pos)
                if et in excluded:
                    src_key = _take(gid, row) * graph.num_nodes[et[2]] + dst_gid
                    keep = (~torch.isin(src_key, excluded[et])).nonzero().squeeze(1)
                    pos, row, dst_gid = _take(pos, keep), _take(row, keep), _take(dst_gid, keep)
                dst_key = state.candidate_keys(et[2], seed, row, dst_gid)
                pending.append((et, _take(local, row), dst_key, _take(graph.time[et], pos)))
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
        start, end = _take(rowptr, gid), _take(rowptr, gid + 1)
        if not all_visible:
            end = self._visible_end(et, start, end, time_limit)
        count = end - start
        if fanout == -1:
            return _positions(start, count)
        if self.strategy == "last":  # the newest `fanout` visible events
            take = count.clamp(max=fanout)
            return _positions(end - take, take)
        # uniform: rows with at most `fanout` events keep them all; the others draw
        # `fanout` distinct ones.  Edge order is by group, not by row (order is free).
        over = count > fanout
        over_rows = over.nonzero().squeeze(1)
        if over_rows.numel() == 0:
            return _positions(start, count)
        picks = _floyd_sample(_take(count, over_rows), fanout, generator)  # [fanout, R']
        take = count.masked_fill_(over, 0)
        kept = int(take.sum())
        # The draws are written straight into the outputs: on large frontiers a
        # concatenation of these arrays costs as much as drawing them.
        pos = torch.empty(kept + picks.numel(), dtype=torch.long, device=start.device)
        row = torch.empty_like(pos)
        kept_row, kept_pos = concat_ranges(start, take, kept)
        pos[:kept], row[:kept] = kept_pos, kept_row
        torch.add(_take(start, over_rows).unsqueeze(0), picks, out=pos[kept:].view_as(picks))
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
            _bisect(time, base, n, limit, _BISECT_ROUND if compact else steps)
            done = n <= 1 if compact else None
            if done is None or bool(done.all()):
                final = base + ((n > 0) & (_take(time, base.clamp(max=last)) <= limit))
                return final if rows is None else result.index_copy_(0, rows, final)
            finished = done.nonzero().squeeze(1)
            if finished.numel():
                fb, fn = _take(base, finished), _take(n, finished)
                final = fb + ((fn > 0) & (_take(time, fb.clamp(max=last)) <= _take(limit, finished)))
                result.index_copy_(0, finished if rows is None else _take(rows, finished), final)
                active = (~done).nonzero().squeeze(1)
                rows = active if rows is None else _take(rows, active)
                base, n, limit = _take(base, active), _take(n, active), _take(limit, active)
        return result

    def _assemble(self, state: "_NodeState", edges: dict[EdgeType, list[tuple[Tensor, Tensor, Tensor]]],
                  seed_type: str, seed_time: Tensor, device: torch.device) -> SampledSubgraph:
        out = SampledSubgraph(seed_type=seed_type, seed_time=seed_time)
        for node_type in self.graph.num_nodes:
            out.node[node_type], out.batch[node_type], out.hop[node_type] = state.result(node_type)
        merged = {et: _cat_edges(parts, device) for et, parts in edges.items()}
        for et, (src, dst, time) in merged.items():
            parts = [(src, dst, time)]
            if self.bidirectional:
                rev_src, rev_dst, rev_time = merged[reverse_edge_type(et)]
                parts += _reverse_parts(src, dst, time, rev_dst, rev_src, rev_time,
                                        out.hop[et[0]], out.hop[et[2]], len(self.fanouts))
            out.edge_index[et], out.edge_time[et] = _stack_edges(parts, device)
        return out


class _NodeState:
    """Per node type: the (seed, global id) pairs reached so far, in local-id order.

    A pair is stored as the key ``seed * N_t + gid``: int32 when the key space fits
    (sorting int32 is about twice as fast as int64 on CPU), else int64.
    """

    def __init__(self, num_nodes: dict[str, int], seed_type: str, seed_nodes: Tensor,
                 device: torch.device):
        self.num_nodes = num_nodes
        self.device = device
        batch = max(seed_nodes.numel(), 1)
        self.key_dtype = {t: torch.int32 if batch * n < 2**31 else torch.int64 for t, n in num_nodes.items()}
        self.keys = {t: torch.empty(0, dtype=self.key_dtype[t], device=device) for t in num_nodes}
        # per node type: (gid, seed) of each batch of new nodes, and the hop of each batch
        self.chunks: dict[str, list[tuple[Tensor, Tensor]]] = {t: [] for t in num_nodes}
        self.chunk_hops: dict[str, list[int]] = {t: [] for t in num_nodes}
        seed = torch.arange(seed_nodes.numel(), device=device)
        seed_keys = (seed * num_nodes[seed_type] + seed_nodes).to(self.key_dtype[seed_type])
        self.frontier = {seed_type: self._append(seed_type, seed_keys, hop=0)}

    def _append(self, node_type: str, new_keys: Tensor, hop: int, last_hop: bool = False
                ) -> tuple[Tensor, Tensor, Tensor]:
        """Register new (unique, unseen) keys; returns their (gid, seed, local id).

        After the last hop no key is looked up again, so the key list is not extended.
        """
        n = self.num_nodes[node_type]
        first = self.keys[node_type].numel()
        local = torch.arange(first, first + new_keys.numel(), device=self.device)
        seed = torch.div(new_keys, n, rounding_mode="floor")
        gid = (new_keys - seed * n).long()
        seed = seed.long()
        self.chunks[node_type].append((gid, seed))
        self.chunk_hops[node_type].append(hop)
        if not last_hop:
            self.keys[node_type] = torch.cat([self.keys[node_type], new_keys])
        return gid, seed, local

    def candidate_keys(self, node_type: str, seed: Tensor, row: Tensor, gid: Tensor) -> Tensor:
        """Keys ``seed[row] * N_t + gid`` of candidate nodes of ``node_type``, in its key dtype.

        Args:
            seed: int64 [R] seed index of each frontier row.
            row: int64 [M] frontier row of each candidate.
            gid: int64 [M] global id of each candidate.
        """
        keys = torch.empty(gid.shape, dtype=self.key_dtype[node_type], device=self.device)
        return torch.add(_take(seed * self.num_nodes[node_type], row), gid, out=keys)

    def add(self, hop: int, candidates: list[tuple[str, Tensor]], last_hop: bool = False) -> list[Tensor]:
        """Map candidate keys (from :meth:`candidate_keys`, per edge type) to local ids.

        Keys not seen before become nodes of this ``hop`` and the next frontier.  One
        ``unique`` over known and candidate keys both deduplicates the candidates and
        finds the known ones.
        """
        self.frontier = {}
        out: list[Tensor | None] = [None] * len(candidates)
        for node_type in dict.fromkeys(t for t, _ in candidates):
            idx = [i for i, (t, _) in enumerate(candidates) if t == node_type]
            known = self.keys[node_type]
            keys = torch.cat([known] + [candidates[i][1] for i in idx])
            padded = _radix_padded(keys)
            uniq, inverse = torch.unique(padded, return_inverse=True)
            if padded is not keys:  # the padding is the largest key: drop its slot
                uniq, inverse = uniq[:-1], inverse[: keys.numel()]
            local_of = torch.full((uniq.numel(),), -1, dtype=torch.long, device=self.device)
            local_of.index_copy_(0, inverse[: known.numel()], torch.arange(known.numel(), device=self.device))
            new_slot = (local_of < 0).nonzero().squeeze(1)
            front = self._append(node_type, _take(uniq, new_slot), hop, last_hop)
            self.frontier[node_type] = front
            local_of.index_copy_(0, new_slot, front[2])
            local = _take(local_of, inverse[known.numel():])
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
        sizes = torch.tensor([c[0].numel() for c in chunks], device=self.device)
        hop = torch.repeat_interleave(torch.tensor(self.chunk_hops[node_type], device=self.device), sizes)
        if len(chunks) == 1:
            return chunks[0][0], chunks[0][1], hop
        return torch.cat([c[0] for c in chunks]), torch.cat([c[1] for c in chunks]), hop


def _take(values: Tensor, index: Tensor) -> Tensor:
    """``values[index]`` for 1-D tensors; ``index_select`` is several times faster on CPU."""
    return values.index_select(0, index)


def _radix_padded(keys: Tensor) -> Tensor:
    """1-D integer ``keys``, padded with their dtype's maximum to the size at which torch's
    CPU sort turns into a radix sort when that is the cheaper sort; else ``keys`` itself."""
    n = keys.numel()
    pad_from = _PAD_TO_RADIX_FROM.get(keys.dtype, _RADIX_SORT_MIN)
    if keys.device.type != "cpu" or not _CPU_RADIX_SORT or not pad_from <= n < _RADIX_SORT_MIN:
        return keys
    return torch.cat([keys, keys.new_full((_RADIX_SORT_MIN - n,), torch.iinfo(keys.dtype).max)])


def _stable_argsort(keys: Tensor) -> Tensor:
    """int64 [n]: the stable ascending order of 1-D integer ``keys``."""
    # Padding sorts after every key (stable on ties), so the first n entries are the keys'.
    return torch.sort(_radix_padded(keys), stable=True).indices[: keys.numel()]


def _bisect(time: Tensor, base: Tensor, n: Tensor, limit: Tensor, steps: int) -> None:
    """``steps`` halvings of the windows ``[base, base + n]`` towards the last event
    with ``time <= limit``, in place on ``base`` and ``n`` (int64 [R]).

    Writes into buffers allocated once: on large frontiers fresh temporaries per step
    cost more in page faults than the arithmetic.
    """
    last = time.numel() - 1
    half, probe = torch.empty_like(n), torch.empty_like(n)
    probed = torch.empty(n.shape, dtype=time.dtype, device=n.device)
    visible = torch.empty(n.shape, dtype=torch.bool, device=n.device)
    for _ in range(steps):
        torch.bitwise_right_shift(n, 1, out=half)
        n.sub_(half)
        torch.add(base, half, out=probe).clamp_(max=last)
        torch.index_select(time, 0, probe, out=probed)
        torch.le(probed, limit, out=visible)
        base.add_(half.mul_(visible))


def _positions(start: Tensor, take: Tensor) -> tuple[Tensor, Tensor]:
    """CSR positions ``[start_r, start_r + take_r)`` of every row, as ``_draw`` returns them:
    (position int64 [M], row int64 [M])."""
    row, pos = concat_ranges(start, take)
    return pos, row


def _floyd_sample(count: Tensor, k: int, generator: torch.Generator | None) -> Tensor:
    """``k`` distinct offsets in ``[0, count_r)`` per row, uniform over k-subsets (Floyd).

    Step ``i`` draws from ``[0, count - k + i]`` and takes ``count - k + i`` itself on a
    collision.  All draws are made at once; only the collision check loops over ``k``.
    int64 [k, R]: step-major, so each step reads and writes contiguous memory.
    """
    top = (count - k).unsqueeze(0) + torch.arange(k, device=count.device).unsqueeze(1)  # inclusive bounds
    picks = torch.rand(top.shape, dtype=torch.float64, device=count.device, generator=generator)
    picks = picks.mul_(top + 1).long()
    torch.minimum(picks, top, out=picks)
    rows, tops = picks.unbind(0), top.unbind(0)  # views made once, not per step
    for i in range(1, k):
        torch.where((picks[:i] == rows[i]).any(dim=0), tops[i], rows[i], out=rows[i])
    return picks


def _cat_edges(parts: list[tuple[Tensor, Tensor, Tensor]], device: torch.device) -> tuple[Tensor, Tensor, Tensor]:
    """(src, dst, time) of all parts; a single part is returned as is (no copy)."""
    if not parts:
        empty = torch.empty(0, dtype=torch.long, device=device)
        return empty, empty, torch.empty(0, dtype=torch.float64, device=device)
    if len(parts) == 1:
        return parts[0]
    return tuple(torch.cat([p[i] for p in parts]) for i in range(3))


def _stack_edges(parts: list[tuple[Tensor, Tensor, Tensor]], device: torch.device) -> tuple[Tensor, Tensor]:
    """int64 [2, E] edge index and float64 [E] times of all (src, dst, time) parts.

    Sources and destinations are concatenated straight into the rows of the output:
    on large batches every extra copy of these arrays costs as much as a sampling step.
    """
    edge_index = torch.empty(2, sum(p[0].numel() for p in parts), dtype=torch.long, device=device)
    torch.cat([p[0] for p in parts], out=edge_index[0])
    torch.cat([p[1] for p in parts], out=edge_index[1])
    time = parts[0][2] if len(parts) == 1 else torch.cat([p[2] for p in parts])
    return edge_index, time


def _reverse_parts(src: Tensor, dst: Tensor, time: Tensor, r_src: Tensor, r_dst: Tensor, r_time: Tensor,
                   hop_src: Tensor, hop_dst: Tensor, last_hop: int) -> list[tuple[Tensor, Tensor, Tensor]]:
    """The reversed edges of the reverse type to add to one type's sampled edges, each event once.

    An event is drawn from both of its ends only if both ends were expanded, i.e.
    reached before the last hop; only those edges are matched (a sort on (src, dst,
    time)), the rest pass through.  A reversed edge equal in (src, dst, time) to a
    drawn one is dropped.  Returns two (src, dst, time) parts: reversed edges that
    cannot repeat a drawn one, and the matched ones kept.
    """
    f_join = (_take(hop_dst, dst) < last_hop).nonzero().squeeze(1)
    r_both = _take(hop_src, r_src) < last_hop
    r_free, r_join = (~r_both).nonzero().squeeze(1), r_both.nonzero().squeeze(1)
    j_src = torch.cat([_take(src, f_join), _take(r_src, r_join)])
    j_dst = torch.cat([_take(dst, f_join), _take(r_dst, r_join)])
    j_time = torch.cat([_take(time, f_join), _take(r_time, r_join)])
    # Two stable sorts put equal (src, dst, time) next to each other, drawn edges first.
    # Times only need to meet their equals, not to be ordered: their bit patterns (+0.0
    # folds -0.0 into 0.0) sort as integers, which torch radix-sorts on CPU.
    order = _stable_argsort((j_time + 0.0).view(torch.int64))
    num_keys = (int(hop_src.numel()) + 1) * (int(hop_dst.numel()) + 1)
    key = torch.empty(order.shape, dtype=torch.int32 if num_keys < 2**31 else torch.long, device=order.device)
    torch.add(_take(j_src, order) * (int(hop_dst.numel()) + 1), _take(j_dst, order), out=key)
    by_key = _stable_argsort(key)
    order, key = _take(order, by_key), _take(key, by_key)
    t = _take(j_time, order)
    repeat = torch.zeros_like(order, dtype=torch.bool)
    repeat[1:] = (key[1:] == key[:-1]) & (t[1:] == t[:-1])
    keep_rev = _take(order, ((order >= f_join.numel()) & ~repeat).nonzero().squeeze(1)) - f_join.numel()
    keep_rev = _take(r_join, keep_rev)
    return [(_take(r_src, idx), _take(r_dst, idx), _take(r_time, idx)) for idx in (r_free, keep_rev)]
