"""ContextGNN (Yuan et al., 2024): pair-wise scores inside the subgraph, two-tower outside."""
from __future__ import annotations

import torch
from torch import Tensor, nn

from recbole_ctx.data.subgraph_batch import SeedBatch
from recbole_ctx.model.layers.cooccurrence import CooccurrenceFilter
from recbole_ctx.model.layers.inits import scaled_normal_
from recbole_ctx.model.layers.item_tower import ItemTower
from recbole_ctx.model.layers.tower_user import TowerUser
from recbole_ctx.model.nbfnet import add_seed_indicator
from recbole_ctx.model.subgraph_recommender import SubgraphRecommender
from recbole_ctx.sampler.subgraph import SampledSubgraph
from recbole_ctx.utils.paths import config_paths


def keep_topk(scores: Tensor, k: int) -> Tensor:
    """Exact maximum-inner-product top-k: -inf everywhere but each row's ``k`` best.

    Args: scores float [B, N]. Returns: float [B, N].
    """
    k = min(k, scores.size(1))
    top = scores.topk(k, dim=1)
    return torch.full_like(scores, float("-inf")).scatter(1, top.indices, top.values)


FUSIONS = ("paper", "residual", "kumo")


class ContextGNN(SubgraphRecommender):
    """Both heads from one backbone pass; equation (2) of the paper.

    The backbone input gets the item-tower vector on every sampled item and the seed
    INDICATOR on the seed.  With ``u_v`` the tower's user vector (:class:`TowerUser`:
    ``h_v`` by default), for user v and item w

    * ``fusion: paper``: ``y = h_v . h_w + MLP(h_v)`` if w is in v's subgraph, else
      ``y = u_v . w_w``;
    * ``fusion: residual``: ``y = u_v . w_w + h_v . h_w + MLP(h_v)`` inside, ``u_v . w_w``
      outside: the two-tower score ranks every item and the pair-wise head, inside the
      subgraph, adds a correction in the same logit units (an instance of equation (2)
      whose pair-wise score contains the tower's).  ``MLP(h_v)`` is the user's learned
      preference for familiar over exploratory items;
    * ``fusion: kumo`` (the reference code): ``y = h_v . h_w + lin(h_w) + a(h_v)`` inside,
      ``y = P(h_v) . w_w + b(h_v)`` outside, with linear ``lin``, ``a``, ``b``, ``P``.

    With ``tower_filter: linear`` every tower score above also gets the exact item-item
    term ``g log f(v, w)`` (:class:`CooccurrenceFilter`).

    Config: ``item_tower`` (``shallow`` | ``mlp``), ``tower_user`` and ``tower_init``
    (:class:`TowerUser`), ``tower_filter``, ``fusion``, ``tower_loss_weight`` (weight of the tower's own
    softmax loss beside the fused one), ``tower_topk`` (null, or keep only the k best
    two-tower items per user at inference).
    """

    config_files = config_paths("shared/subgraph_backbone.yaml", "shared/two_tower.yaml", "model/ContextGNN.yaml")

    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        d = self.channels
        self.fusion = config["fusion"]
        self.tower_topk = config["tower_topk"]
        self.item_tower = ItemTower(config["item_tower"], self.n_items, d, self.backbone.encoders["item"])
        self.indicator = nn.Parameter(scaled_normal_(torch.empty(d), std=0.1))
        if self.fusion in ("paper", "residual"):
            self.fusion_mlp = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Linear(d, 1))
        elif self.fusion == "kumo":
            self.pair_item_head = nn.Linear(d, 1)
            self.pair_user_offset = nn.Linear(d, 1)
            self.tower_user_offset = nn.Linear(d, 1)
            self.tower_user_proj = nn.Linear(d, d)
        else:
            raise ValueError(f"fusion must be one of {FUSIONS}, got {self.fusion!r}")
        self.tower_user = TowerUser.from_config(config, dataset, d, self.item_tower)
        self.tower_filter = CooccurrenceFilter.from_config(config, dataset)
        self.tower_loss_weight = float(config["tower_loss_weight"])
        if self.tower_loss_weight < 0:
            raise ValueError(f"tower_loss_weight must be >= 0, got {self.tower_loss_weight}")

    def encode(self, sub: SampledSubgraph) -> dict[str, Tensor]:
        x = self.backbone.encode_inputs(sub)
        x["item"] = x["item"] + self.item_tower(sub.node["item"])
        return self.backbone(sub, add_seed_indicator(x, sub, self.indicator))

    def branch_logits(self, sub: SampledSubgraph, h: dict[str, Tensor], classes: Tensor,
                      seeds: SeedBatch | None = None) -> tuple[Tensor, Tensor]:
        """The two heads of equation (2), before routing.

        Args: as :meth:`class_logits` (``seeds``: needed while training with ``tower_filter``).

        Returns:
            (pair, tower), float32 [B, C] each: ``pair`` is the pair-wise head alone
            (``h_v . h_w`` plus the fusion's offsets; no tower term), -inf for items
            outside the seed's subgraph; ``tower`` scores every item.  :meth:`fuse`
            combines them.
        """
        h_user = h["user"][: sub.num_seeds]
        w = self.item_tower(classes)
        if self.fusion == "kumo":
            tower = self.tower_user_vectors(sub, self.tower_user_proj(h_user)) @ w.T + self.tower_user_offset(h_user)
            item_bias = self.pair_item_head(h["item"]).squeeze(-1)
            pair = self.seed_pair_logits(sub, h, h["item"], classes, item_bias)
            pair = pair + self.pair_user_offset(h_user)
        else:
            tower = self.tower_user_vectors(sub, h_user) @ w.T
            pair = self.seed_pair_logits(sub, h, h["item"], classes) + self.fusion_mlp(h_user)
        if self.tower_filter is not None:
            tower = tower + self.tower_filter.seed_term(sub, seeds, classes)
        return pair, tower

    def tower_user_vectors(self, sub: SampledSubgraph, h_user: Tensor) -> Tensor:
        """``u_v`` float [B, d] from the seeds' backbone output ``h_user`` (float [B, d])."""
        return h_user if self.tower_user is None else self.tower_user(sub, h_user, self.item_tower)

    def fuse(self, pair: Tensor, tower: Tensor) -> Tensor:
        """Equation (2): the routed scores (float [B, C]) of :meth:`branch_logits`' heads.

        At inference with ``tower_topk`` only each row's k best tower items stay ranked
        outside the subgraph (exact maximum-inner-product search).
        """
        inside = torch.isfinite(pair)
        if self.fusion == "residual":
            pair = pair + tower
        if self.tower_topk and not self.training:
            tower = keep_topk(tower, int(self.tower_topk))
        return torch.where(inside, pair, tower)

    def class_logits(self, sub: SampledSubgraph, h: dict[str, Tensor], classes: Tensor,
                     seeds: SeedBatch | None = None) -> Tensor:
        return self.fuse(*self.branch_logits(sub, h, classes, seeds))

    def training_logits(self, sub: SampledSubgraph, h: dict[str, Tensor], classes: Tensor,
                        seeds: SeedBatch) -> list[tuple[float, Tensor]]:
        """The fused softmax and, with ``tower_loss_weight > 0``, the tower's own over the same classes."""
        pair, tower = self.branch_logits(sub, h, classes, seeds)
        terms = [(1.0, self.fuse(pair, tower))]
        if self.tower_loss_weight > 0:
            terms.append((self.tower_loss_weight, tower))
        return terms
