"""The GNN backbone shared by ContextGNN, NBFNet and ShallowItem.

RelBench-style heterogeneous GraphSAGE over a ``SampledSubgraph``: per-type input
encoders, a relative-time encoding of every node w.r.t. its seed's time, ``k``
layers of per-relation ``SAGEConv`` summed per destination type, then per type a norm
(layer norm), and between layers an activation (ReLU) and dropout (none); the options in
brackets are the constructor's defaults, which the models use.

Subgraphs must be bidirectional (every sampled edge also present under its reverse
relation, as ``TemporalNeighborSampler(bidirectional=True)`` emits them): item
representations can only be read out of a symmetrised computation graph (paper, 4.1).
"""
from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
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
        aggr: neighbourhood aggregation of each ``SAGEConv`` (within one relation).
        relation_aggr: how ``HeteroConv`` combines the relations reaching a node type.
        norm: builds the per-layer, per-type normalisation from ``channels``
            (``None``: no normalisation).
        activation: applied after every layer but the last.
        dropout: probability of zeroing a hidden value after each activation (training only).
    """

    def __init__(self, node_types: list[str], edge_types: list[EdgeType], channels: int,
                 num_layers: int, feature_columns: dict[str, list[FeatureColumn]] | None = None,
                 aggr: str = "mean", relation_aggr: str = "sum",
                 norm: Callable[[int], nn.Module] | None = nn.LayerNorm,
                 activation: Callable[[Tensor], Tensor] = torch.relu, dropout: float = 0.0):
        super().__init__()
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must lie in [0, 1), got {dropout}")
        feature_columns = feature_columns or {}
        self.channels = channels
        self.node_types = list(node_types)
        self.edge_types = list(edge_types)
        self.activation = activation
        self.dropout = dropout
        self.encoders = nn.ModuleDict(
            {t: NodeFeatureEncoder(channels, feature_columns.get(t, [])) for t in node_types})
        self.time_encoder = RelativeTimeEncoder(channels)
        self.convs = nn.ModuleList(
            HeteroConv({et: SAGEConv((channels, channels), channels, aggr=aggr)
                        for et in self.edge_types}, aggr=relation_aggr)
            for _ in range(num_layers))
        self.norms = nn.ModuleList(
            nn.ModuleDict({t: norm(channels) if norm is not None else nn.Identity() for t in node_types})
            for _ in range(num_layers))

    def reset_parameters(self) -> None:
        """Re-draw every parameter as constructed (the submodules initialise themselves when
        built, so the constructor draws nothing more)."""
        for encoder in self.encoders.values():
            encoder.reset_parameters()
        self.time_encoder.reset_parameters()
        for conv in self.convs:
            conv.reset_parameters()
        for norms in self.norms:
            for norm in norms.values():
                if hasattr(norm, "reset_parameters"):  # nn.Identity has none
                    norm.reset_parameters()

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
                if layer < last:
                    h = F.dropout(self.activation(h), self.dropout, self.training)
                x[t] = h
        return x
