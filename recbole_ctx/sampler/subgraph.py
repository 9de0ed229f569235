"""The sampler's output: a batch of disjoint per-seed temporal subgraphs.

This is the contract between ``recbole_ctx.sampler`` (producer) and
``recbole_ctx.model`` (consumer).  Node types are strings (``"user"``, ``"item"``,
any ``.edge`` entity type); edge types are ``(src_type, relation, dst_type)``.

Subgraphs are *disjoint*: a global node reached from two seeds appears twice,
once per seed, so per-seed quantities (NBFNet's seed indicator, ContextGNN's
"items inside the subgraph of user v") are plain index operations.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

from recbole_ctx.sampler.temporal_graph import EdgeType


@dataclass
class SampledSubgraph:
    """A union of ``B`` disjoint subgraphs, one per seed.

    Attributes:
        seed_type: node type of the seeds (usually ``"user"``).
        seed_time: float64 [B], seed time T per seed in Unix seconds (+inf = static).
        node: per node type, int64 [N_t] global node ids.  For ``seed_type`` the first
            ``B`` entries are the seeds themselves, in batch order.
        batch: per node type, int64 [N_t] index in [0, B) of the seed the node belongs to.
        hop: per node type, int64 [N_t] hop at which the node was first reached (seeds: 0).
        edge_index: per edge type, int64 [2, E] local indices (row 0 into ``node[src]``,
            row 1 into ``node[dst]``).  Edges never cross seeds.
        edge_time: per edge type, float64 [E] event time in Unix seconds (<= seed_time of
            the edge's seed; +inf-free: static edges carry -inf).
    """

    seed_type: str
    seed_time: Tensor
    node: dict[str, Tensor] = field(default_factory=dict)
    batch: dict[str, Tensor] = field(default_factory=dict)
    hop: dict[str, Tensor] = field(default_factory=dict)
    edge_index: dict[EdgeType, Tensor] = field(default_factory=dict)
    edge_time: dict[EdgeType, Tensor] = field(default_factory=dict)

    @property
    def num_seeds(self) -> int:
        return int(self.seed_time.numel())

    def num_nodes(self, node_type: str) -> int:
        return int(self.node[node_type].numel()) if node_type in self.node else 0

    def to(self, device: torch.device | str) -> "SampledSubgraph":
        def move(d):
            return {k: v.to(device) for k, v in d.items()}

        return SampledSubgraph(
            self.seed_type,
            self.seed_time.to(device),
            move(self.node),
            move(self.batch),
            move(self.hop),
            move(self.edge_index),
            move(self.edge_time),
        )
