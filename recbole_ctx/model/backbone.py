"""The GNN backbone shared by ContextGNN, NBFNet and ShallowItem.

RelBench-style heterogeneous GraphSAGE over a ``SampledSubgraph``: per-type input
encoders, a relative-time encoding of every node w.r.t. its seed's time, ``k``
layers of per-relation ``SAGEConv`` summed per destination type, layer norm.

Subgraphs must be bidirectional (every sampled edge also present under its reverse
relation, as ``TemporalNeighborSampler(bidirectional=True)`` emits them): item
representations can only be read out of a symmetrised computation graph (paper, 4.1).
"""
from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.nn import HeteroConv, SAGEConv

from recbole_ctx.model.layers.node_encoder import FeatureColumn, NodeFeatureEncoder
from recbole_ctx.model.layers.time_encoding import RelativeTimeEncoder
from recbole_ctx.sampler.subgraph import EdgeType, SampledSubgraph


def node_times(sub: SampledSubgraph) -> dict[str, Tensor]:
    """Per node, the latest time of a sampled edge touching it (-inf if none).

    Returns:
        per node type, float64 [N_t] Unix seconds.
    """
    times = {t: torch.full_like(ids, float("-inf"), dtype=torch.float64)
             for t, ids in sub.node.items()}
    for edge_type, ei in sub.edge_index.items():
        src, _, dst = edge_type
        edge_time = sub.edge_time[edge_type].to(torch.float64)
        times[src].scatter_reduce_(0, ei[0], edge_time, reduce="amax")
        times[dst].scatter_reduce_(0, ei[1], edge_time, reduce="amax")
    return times


class HeteroSubgraphGNN(nn.Module):
    """Heterogeneous GraphSAGE over disjoint per-seed subgraphs.

    Args:
        node_types: every node type that may appear (e.g. ``["user", "item"]``).
        edge_types: every edge type that may appear (reverse relations included).
        channels: hidden size ``d``.
        num_layers: number of message-passing layers ``k``.
        feature_columns: per node type, its input feature columns (may be empty).
        aggr: neighbourhood aggregation of each ``SAGEConv``.
    """

    def __init__(self, node_types: list[str], edge_types: list[EdgeType], channels: int,
                 num_layers: int, feature_columns: dict[str, list[FeatureColumn]] | None = None,
                 aggr: str = "mean"):
        super().__init__()
        feature_columns = feature_columns or {}
        self.channels = channels
        self.node_types = list(node_types)
        self.edge_types = list(edge_types)
        self.encoders = nn.ModuleDict(
            {t: NodeFeatureEncoder(channels, feature_columns.get(t, [])) for t in node_types})
        self.time_encoder = RelativeTimeEncoder(channels)
        self.convs = nn.ModuleList(
            HeteroConv({et: SAGEConv((channels, channels), channels, aggr=aggr)
                        for et in self.edge_types}, aggr="sum")
            for _ in range(num_layers))
        self.norms = nn.ModuleList(
            nn.ModuleDict({t: nn.LayerNorm(channels) for t in node_types})
            for _ in range(num_layers))

    def encode_inputs(self, sub: SampledSubgraph) -> dict[str, Tensor]:
        """Layer-0 representations ``h^(0)``: features plus relative time.

        Returns:
            per node type, float32 [N_t, channels].
        """
        times = node_times(sub)
        seed_time = sub.seed_time.to(torch.float64)
        out = {}
        for t, ids in sub.node.items():
            delta = seed_time[sub.batch[t]] - times[t]
            out[t] = self.encoders[t](ids) + self.time_encoder(delta)
        return out

    def forward(self, sub: SampledSubgraph, x: dict[str, Tensor] | None = None) -> dict[str, Tensor]:
        """Run ``k`` layers.

        Args:
            sub: the sampled subgraphs.
            x: optional ``h^(0)`` per node type (float [N_t, channels]); defaults to
                :meth:`encode_inputs`.  Heads pass it to add shallow item
                embeddings or the seed indicator first.

        Returns:
            per node type, float32 [N_t, channels], ``h^(k)``.
        """
        x = dict(self.encode_inputs(sub) if x is None else x)
        edges = {et: ei for et, ei in sub.edge_index.items() if et in self.edge_types}
        last = len(self.convs) - 1
        for layer, (conv, norms) in enumerate(zip(self.convs, self.norms)):
            out = conv(x, edges)
            for t in x:
                # Types that receive no message this layer keep their representation.
                h = norms[t](out[t]) if t in out else x[t]
                x[t] = h if layer == last else torch.relu(h)
        return x
