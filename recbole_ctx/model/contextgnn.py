"""ContextGNN (Yuan et al., 2024): pair-wise scores inside the subgraph, two-tower outside."""
from __future__ import annotations

import torch
from torch import Tensor, nn

from recbole_ctx.model.layers.item_tower import ItemTower
from recbole_ctx.model.nbfnet import add_seed_indicator
from recbole_ctx.model.subgraph_recommender import SubgraphRecommender
from recbole_ctx.sampler.subgraph import SampledSubgraph


def keep_topk(scores: Tensor, k: int) -> Tensor:
    """Exact maximum-inner-product top-k: -inf everywhere but each row's ``k`` best.

    Args: scores float [B, N]. Returns: float [B, N].
    """
    k = min(k, scores.size(1))
    top = scores.topk(k, dim=1)
    return torch.full_like(scores, float("-inf")).scatter(1, top.indices, top.values)


class ContextGNN(SubgraphRecommender):
    """Both heads from one backbone pass; equation (2) of the paper.

    The backbone input gets the item-tower vector on every sampled item and the seed
    INDICATOR on the seed.  Then for user v and item w

    * ``fusion: paper``: ``y = h_v . h_w + MLP(h_v)`` if w is in v's subgraph, else
      ``y = h_v . w_w``;
    * ``fusion: kumo`` (the reference code): ``y = h_v . h_w + lin(h_w) + a(h_v)`` inside,
      ``y = P(h_v) . w_w + b(h_v)`` outside, with linear ``lin``, ``a``, ``b``, ``P``.

    Config: ``item_tower`` (``shallow`` | ``mlp``), ``fusion``, ``tower_topk`` (null, or
    keep only the k best two-tower items per user at inference).
    """

    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        d = self.channels
        self.fusion = config["fusion"]
        self.tower_topk = config["tower_topk"]
        self.item_tower = ItemTower(config["item_tower"], self.n_items, d, self.backbone.encoders["item"])
        self.indicator = nn.Parameter(torch.randn(d) * 0.1)
        if self.fusion == "paper":
            self.fusion_mlp = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Linear(d, 1))
        elif self.fusion == "kumo":
            self.pair_item_head = nn.Linear(d, 1)
            self.pair_user_offset = nn.Linear(d, 1)
            self.tower_user_offset = nn.Linear(d, 1)
            self.tower_user_proj = nn.Linear(d, d)
        else:
            raise ValueError(f"fusion must be 'paper' or 'kumo', got {self.fusion!r}")

    def encode(self, sub: SampledSubgraph) -> dict[str, Tensor]:
        x = self.backbone.encode_inputs(sub)
        x["item"] = x["item"] + self.item_tower(sub.node["item"])
        return self.backbone(sub, add_seed_indicator(x, sub, self.indicator))

    def branch_logits(self, sub: SampledSubgraph, h: dict[str, Tensor], classes: Tensor) -> tuple[Tensor, Tensor]:
        """The two heads of equation (2), before routing.

        Args: as :meth:`class_logits`.

        Returns:
            (pair, tower), float32 [B, C] each: ``pair`` is -inf for items outside the
            seed's subgraph; ``tower`` scores every item (at inference with
            ``tower_topk``, -inf outside each row's k best).
        """
        h_user = h["user"][: sub.num_seeds]
        w = self.item_tower(classes)
        if self.fusion == "paper":
            tower = h_user @ w.T
            pair = self.seed_pair_logits(sub, h, h["item"], classes) + self.fusion_mlp(h_user)
        else:
            tower = self.tower_user_proj(h_user) @ w.T + self.tower_user_offset(h_user)
            item_bias = self.pair_item_head(h["item"]).squeeze(-1)
            pair = self.seed_pair_logits(sub, h, h["item"], classes, item_bias)
            pair = pair + self.pair_user_offset(h_user)
        if self.tower_topk and not self.training:
            tower = keep_topk(tower, int(self.tower_topk))
        return pair, tower

    def class_logits(self, sub: SampledSubgraph, h: dict[str, Tensor], classes: Tensor) -> Tensor:
        pair, tower = self.branch_logits(sub, h, classes)
        return torch.where(torch.isfinite(pair), pair, tower)
