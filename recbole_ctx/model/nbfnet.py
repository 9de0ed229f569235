"""NBFNet-style pair-wise model: scores only the items of the user's subgraph (sec. 4.1)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from recbole_ctx.data.subgraph_batch import SeedBatch, SubgraphBatch
from recbole_ctx.model.layers.inits import scaled_normal_
from recbole_ctx.model.subgraph_recommender import SubgraphRecommender
from recbole_ctx.sampler.subgraph import SampledSubgraph
from recbole_ctx.utils.paths import config_paths


def add_seed_indicator(x: dict[str, Tensor], sub: SampledSubgraph, indicator: Tensor) -> dict[str, Tensor]:
    """Add ``INDICATOR`` (float [d]) to the seeds, the first ``B`` nodes of ``sub.seed_type``."""
    x = dict(x)
    seeds = x[sub.seed_type]
    x[sub.seed_type] = torch.cat([seeds[: sub.num_seeds] + indicator, seeds[sub.num_seeds:]])
    return x


class NBFNet(SubgraphRecommender):
    """A seed INDICATOR is added to the seed user; user and item vectors are read out of
    the bidirectional subgraph; score = ``h_v . h_w`` inside the subgraph, -inf outside.

    Training: binary cross-entropy over the subgraph's item nodes (label: the item is a
    target of that node's seed), as RelBench's ID-GNN; targets outside the subgraph
    cannot be scored and give no signal, and the seed's known items (``known_item``)
    are left out.
    """

    config_files = config_paths("shared/subgraph_backbone.yaml", "model/NBFNet.yaml")

    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        self.indicator = nn.Parameter(scaled_normal_(torch.empty(self.channels), std=0.1))

    def encode(self, sub: SampledSubgraph) -> dict[str, Tensor]:
        x = add_seed_indicator(self.backbone.encode_inputs(sub), sub, self.indicator)
        return self.backbone(sub, x)

    def class_logits(self, sub: SampledSubgraph, h: dict[str, Tensor], classes: Tensor,
                     seeds: SeedBatch | None = None) -> Tensor:
        return self.seed_pair_logits(sub, h, h["item"], classes)

    def calculate_loss(self, batch: SubgraphBatch) -> Tensor:
        seeds, sub = batch.seeds, batch.subgraph
        h = self.encode(sub)
        seed = sub.batch["item"]
        logits = (h["user"][: sub.num_seeds][seed] * h["item"]).sum(-1).float()
        node_key = seed * self.n_items + sub.node["item"]
        label = torch.isin(node_key, seeds.target_example() * self.n_items + seeds.target_item)
        if seeds.known_item is not None:
            keep = ~torch.isin(node_key, seeds.known_example() * self.n_items + seeds.known_item)
            logits, label = logits[keep], label[keep]
        if logits.numel() == 0:
            raise ValueError(
                "NBFNet: no scorable item in this batch's subgraphs. Under the static protocol the "
                "items within 2 hops of a user are its own (masked) training items; use "
                "num_layers >= 3 (e.g. fanouts: [16, 8, 4]).")
        return F.binary_cross_entropy_with_logits(logits, label.to(logits.dtype))
