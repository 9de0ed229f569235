"""ShallowItem: the two-tower half of ContextGNN on its own (paper, sec. 4.2)."""
from __future__ import annotations

from torch import Tensor

from recbole_ctx.data.subgraph_batch import SeedBatch
from recbole_ctx.model.layers.cooccurrence import CooccurrenceFilter
from recbole_ctx.model.layers.item_tower import ItemTower
from recbole_ctx.model.layers.tower_user import TowerUser
from recbole_ctx.model.subgraph_recommender import SubgraphRecommender
from recbole_ctx.sampler.subgraph import SampledSubgraph
from recbole_ctx.utils.paths import config_paths


class ShallowItem(SubgraphRecommender):
    """User vector ``h_v^(k)`` from the user's subgraph, in which every sampled item also
    gets its item-tower vector ``w_w`` added to its input; score = ``h_v . w_w`` for
    every item.  Config: ``item_tower`` (``shallow`` | ``mlp``), ``tower_user`` and
    ``tower_init`` (:class:`TowerUser`; with ``history`` the score is ``u_v . w_w``),
    ``tower_filter`` (:class:`CooccurrenceFilter`: ``linear`` adds ``g log f(v, w)``).
    """

    config_files = config_paths("shared/subgraph_backbone.yaml", "shared/two_tower.yaml")

    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        self.item_tower = ItemTower(config["item_tower"], self.n_items, self.channels,
                                    self.backbone.encoders["item"])
        self.tower_user = TowerUser.from_config(config, dataset, self.channels, self.item_tower)
        self.tower_filter = CooccurrenceFilter.from_config(config, dataset)

    def encode(self, sub: SampledSubgraph) -> dict[str, Tensor]:
        x = self.backbone.encode_inputs(sub)
        x["item"] = x["item"] + self.item_tower(sub.node["item"])
        return self.backbone(sub, x)

    def class_logits(self, sub: SampledSubgraph, h: dict[str, Tensor], classes: Tensor,
                     seeds: SeedBatch | None = None) -> Tensor:
        h_user = h["user"][: sub.num_seeds]
        if self.tower_user is not None:
            h_user = self.tower_user(sub, h_user, self.item_tower)
        scores = h_user @ self.item_tower(classes).T
        if self.tower_filter is not None:
            scores = scores + self.tower_filter.seed_term(sub, seeds, classes)
        return scores
