"""The data layer's batch builder: seeds in, :class:`SubgraphBatch` (seeds + subgraphs) out.

It runs in a DataLoader's collate step (so RecBole's ``worker`` processes overlap it with
training) or, with ``sample_device: model``, on the model's device in the main process.
The graph store is the dataset's (:func:`recbole_ctx.data.graph_from_dataset.graph_of`).

Config keys: ``fanouts`` (a list, one per layer, or one number that halves per hop, as
the ContextGNN reference's ``num_neighbors``), ``sample_strategy`` (``last`` |
``uniform``), ``sample_device`` (``cpu`` default | ``model``).
"""
from __future__ import annotations

import torch
from recbole.data.interaction import Interaction
from torch import Tensor

from recbole_ctx.data.graph_from_dataset import graph_of
from recbole_ctx.data.subgraph_batch import SeedBatch, SubgraphBatch
from recbole_ctx.data.temporal_dataset import SEED_TIME_FIELD
from recbole_ctx.sampler.subgraph import SampledSubgraph
from recbole_ctx.sampler.temporal_graph import TemporalGraph
from recbole_ctx.sampler.temporal_sampler import TemporalNeighborSampler

SAMPLE_DEVICES = ("cpu", "model")


def hop_fanouts(fanouts, num_layers: int) -> list[int]:
    """Neighbours per hop: ``fanouts`` as a list (one per layer), or a number ``f`` for
    ``[f, f // 2, f // 4, ...]`` (at least 1 each) over ``num_layers`` hops; -1 keeps all.

    Raises:
        ValueError: a list whose length is not ``num_layers``.
    """
    if isinstance(fanouts, int) and not isinstance(fanouts, bool):
        return [fanouts if fanouts < 0 else max(1, fanouts >> hop) for hop in range(num_layers)]
    fanouts = [int(f) for f in fanouts]
    if len(fanouts) != num_layers:
        raise ValueError(f"fanouts {fanouts} must have one entry per layer (num_layers={num_layers}), "
                         "or be one number that halves per hop")
    return fanouts


class SubgraphBuilder:
    """Samples every seed's bidirectional temporal k-hop subgraph.

    Args:
        graph: the event graph (training interactions under the static protocol).
        fanouts: neighbours per node and edge type at each hop.
        strategy: ``last`` (latest events first) or ``uniform``.
        device: where the graph lives and sampling runs.
        user_field: RecBole's user id field (evaluation rows are read from it).
    """

    def __init__(self, graph: TemporalGraph, fanouts: list[int], strategy: str, device: torch.device | str,
                 user_field: str):
        self.device = torch.device(device)
        self.user_field = user_field
        self.sampler = TemporalNeighborSampler(graph.to(self.device), list(fanouts), strategy=strategy,
                                               bidirectional=True)

    @classmethod
    def from_config(cls, config, dataset) -> "SubgraphBuilder":
        """The builder of a run: ``dataset``'s graph, the config's fanouts, strategy and device."""
        fanouts = hop_fanouts(config["fanouts"], int(config["num_layers"]))
        where = config["sample_device"]
        if where not in SAMPLE_DEVICES:
            raise ValueError(f"sample_device must be one of {SAMPLE_DEVICES}, got {where!r}")
        if where == "model" and config["worker"]:
            raise ValueError("sample_device: model samples in the main process on the model's device; "
                             f"set worker: 0 (got worker: {config['worker']}) or sample_device: cpu")
        device = config["device"] if where == "model" else "cpu"
        return cls(graph_of(dataset), fanouts, config["sample_strategy"], device, dataset.uid_field)

    def sample(self, user: Tensor, seed_time: Tensor, exclude: tuple[Tensor, Tensor] | None = None
               ) -> SampledSubgraph:
        """Each user's subgraph at its seed time.

        Args:
            user: int64 [S]; seed_time: float64 [S] Unix seconds (+inf: every edge visible).
            exclude: optional (user int64 [P], item int64 [P]) pairs whose events, of every
                user-item relation, are left out of all subgraphs.
        """
        graph = self.sampler.graph
        per_type = None
        if exclude is not None:
            pairs = (exclude[0].to(self.device), exclude[1].to(self.device))
            per_type = {et: pairs for et in graph.edge_types if et[0] == "user" and et[2] == "item"}
        return self.sampler.sample(user.to(self.device), seed_time.to(self.device, torch.float64),
                                   seed_type="user", exclude=per_type)

    def training(self, seeds: SeedBatch) -> SubgraphBatch:
        """Training examples: one row per seed; targets hidden from the subgraph if asked."""
        exclude = (seeds.user[seeds.target_example()], seeds.target_item) if seeds.hide_targets else None
        sub = self.sample(seeds.user, seeds.seed_time, exclude)
        return SubgraphBatch(seeds.to(self.device), sub, torch.arange(len(seeds), device=self.device))

    def rows(self, interaction: Interaction) -> SubgraphBatch:
        """Evaluation rows: one subgraph per distinct (user, seed time) of the rows.

        Rows without ``seed_time`` (static and next-item protocols) see every edge.
        """
        user = interaction[self.user_field].long()
        if SEED_TIME_FIELD in interaction.interaction:
            seed_time = interaction[SEED_TIME_FIELD].to(torch.float64)
            key = torch.stack([user.to(torch.float64), seed_time])
            unique, row_seed = torch.unique(key, dim=1, return_inverse=True)
            seeds = SeedBatch.unlabelled(unique[0].long(), unique[1])
        else:
            unique, row_seed = torch.unique(user, return_inverse=True)
            seeds = SeedBatch.unlabelled(unique, torch.full(unique.shape, float("inf"), dtype=torch.float64))
        sub = self.sample(seeds.user, seeds.seed_time)
        return SubgraphBatch(seeds.to(self.device), sub, row_seed.to(self.device), interaction)
