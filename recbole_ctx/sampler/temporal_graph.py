"""Heterogeneous temporal graph in CSR form, one CSR per edge type.

Each row's neighbours are sorted by event time, so "the events of node ``n`` up to
time ``T``" is the prefix ``[rowptr[n], rowptr[n] + searchsorted(time[row], T, right))``
of its row.  Static edges carry time ``-inf`` and are therefore always visible.

Memory per stored directed edge: ``col`` int64 (8 bytes) + ``time`` float64 (8 bytes)
= 16 bytes; every event is stored in both directions (relation and ``rev_`` relation),
so 32 bytes per event, plus 8 bytes per node per edge type for ``rowptr``.
No per-node Python objects are kept.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import Tensor

EdgeType = tuple[str, str, str]

REVERSE_PREFIX = "rev_"


def reverse_relation(relation: str) -> str:
    """Name of the relation that stores the opposite direction of ``relation``."""
    if relation.startswith(REVERSE_PREFIX):
        return relation[len(REVERSE_PREFIX):]
    return REVERSE_PREFIX + relation


def reverse_edge_type(edge_type: EdgeType) -> EdgeType:
    src, rel, dst = edge_type
    return dst, reverse_relation(rel), src


@dataclass
class TemporalGraph:
    """CSR adjacency per edge type ``(src_type, relation, dst_type)``.

    Attributes:
        num_nodes: node count per node type.
        edge_types: the stored edge types (reverse directions included).
        rowptr: per edge type, int64 [num_nodes[src] + 1].
        col: per edge type, int64 [E] destination node ids.
        time: per edge type, float64 [E] event time in Unix seconds, ascending within
            each row (static edges: ``-inf``).
    """

    num_nodes: dict[str, int]
    edge_types: list[EdgeType] = field(default_factory=list)
    rowptr: dict[EdgeType, Tensor] = field(default_factory=dict)
    col: dict[EdgeType, Tensor] = field(default_factory=dict)
    time: dict[EdgeType, Tensor] = field(default_factory=dict)

    @classmethod
    def from_edges(
        cls,
        num_nodes: dict[str, int],
        edges: dict[EdgeType, tuple[Tensor, Tensor, Tensor | None]],
        add_reverse: bool = True,
    ) -> "TemporalGraph":
        """Build from plain COO tensors.

        Args:
            num_nodes: node count per node type.
            edges: per edge type ``(src int [E], dst int [E], time float [E] or None)``;
                ``time=None`` or NaN entries mean static (stored as ``-inf``).
            add_reverse: also store each edge type reversed under ``rev_<relation>``
                (skipped when that reverse type is given explicitly).
        """
        graph = cls(num_nodes=dict(num_nodes))
        for edge_type, (src, dst, time) in edges.items():
            graph._check_edges(edge_type, src, dst, time)
            time = _as_time(time, src)
            graph._add(edge_type, src, dst, time)
            rev = reverse_edge_type(edge_type)
            if add_reverse and rev not in edges:
                graph._add(rev, dst, src, time)
        return graph

    def _check_edges(self, edge_type: EdgeType, src: Tensor, dst: Tensor, time: Tensor | None) -> None:
        src_type, _, dst_type = edge_type
        for node_type in (src_type, dst_type):
            if node_type not in self.num_nodes:
                raise ValueError(f"edge type {edge_type}: unknown node type {node_type!r}")
        if src.shape != dst.shape or (time is not None and time.shape != src.shape):
            raise ValueError(f"edge type {edge_type}: src, dst and time must have the same shape")
        for name, ids, node_type in (("src", src, src_type), ("dst", dst, dst_type)):
            if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= self.num_nodes[node_type]):
                raise ValueError(
                    f"edge type {edge_type}: {name} id out of range [0, {self.num_nodes[node_type]})"
                )

    def _add(self, edge_type: EdgeType, src: Tensor, dst: Tensor, time: Tensor) -> None:
        src, dst = src.long(), dst.long()
        # Two stable sorts give the (src, time) lexicographic order.
        order = torch.sort(time, stable=True).indices
        order = order[torch.sort(src[order], stable=True).indices]
        counts = torch.bincount(src, minlength=self.num_nodes[edge_type[0]])
        rowptr = torch.zeros(counts.numel() + 1, dtype=torch.long, device=src.device)
        torch.cumsum(counts, 0, out=rowptr[1:])
        if edge_type not in self.rowptr:
            self.edge_types.append(edge_type)
        self.rowptr[edge_type] = rowptr
        self.col[edge_type] = dst[order].contiguous()
        self.time[edge_type] = time[order].contiguous()

    @property
    def device(self) -> torch.device:
        return next(iter(self.rowptr.values())).device if self.rowptr else torch.device("cpu")

    @property
    def node_types(self) -> list[str]:
        return list(self.num_nodes)

    def num_edges(self, edge_type: EdgeType) -> int:
        return int(self.col[edge_type].numel())

    def max_time(self) -> float:
        """Largest finite event time over all edge types (``-inf`` if none)."""
        finite = [t[torch.isfinite(t)] for t in self.time.values()]
        finite = [t for t in finite if t.numel()]
        return max(float(t.max()) for t in finite) if finite else -math.inf

    def nbytes(self) -> int:
        """Bytes held by the index and time arrays."""
        tensors = [*self.rowptr.values(), *self.col.values(), *self.time.values()]
        return sum(t.numel() * t.element_size() for t in tensors)

    def to(self, device: torch.device | str) -> "TemporalGraph":
        def move(d):
            return {k: v.to(device) for k, v in d.items()}

        return TemporalGraph(dict(self.num_nodes), list(self.edge_types),
                             move(self.rowptr), move(self.col), move(self.time))


def _as_time(time: Tensor | None, like: Tensor) -> Tensor:
    if time is None:
        return torch.full(like.shape, -math.inf, dtype=torch.float64, device=like.device)
    time = time.to(torch.float64)
    return torch.where(torch.isnan(time), torch.full_like(time, -math.inf), time)

