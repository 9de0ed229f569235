"""User side of the two-tower score, and the tower's initialisation from the training graph."""
from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from recbole_ctx.data.spectral import spectral_item_vectors
from recbole_ctx.data.temporal_task import is_temporal
from recbole_ctx.model.layers.item_tower import ItemTower
from recbole_ctx.sampler.subgraph import SampledSubgraph

TOWER_USERS = ("gnn", "history")
TOWER_INITS = ("random", "spectral")
SCALE_SAMPLE_USERS = 512  # users whose best spectral score sets the tower's initial scale


class TowerUser(nn.Module):
    """``u_v`` (float [B, d]) of the two-tower score ``u_v . w_w``.

    * ``kind="gnn"``: ``u_v = h_v`` (the paper).
    * ``kind="history"``: ``u_v = mean_{w in N1(v)} w_w / deg_w + P h_v`` over the items
      ``N1(v)`` one hop from the seed in its sampled subgraph, with ``P`` a linear map that
      starts at zero (it reads ``h_v / sqrt(d)``: a unit-norm input keeps the optimiser's
      first steps on ``P`` small next to the read-out).  With the spectral item table this is the low-pass filter's user
      side (``recbole_ctx.data.spectral``), so the tower ranks well before training and
      the GNN refines it through ``P``.  The mean (not the sum) keeps the scale equal
      between training, where the static protocol hides the targets' edges, and
      evaluation, where every training edge is visible.

    ``log_scale`` (scalar starting at 0, present when ``scaled``) multiplies ``u_v`` by
    ``exp(log_scale)``: the tower's temperature against the pair-wise head, learned.

    Args:
        kind: ``"gnn"`` or ``"history"``.
        channels: ``d``.
        item_weight: float [num_items], ``c / deg_w`` (``"history"`` only; ``c`` balances
            the norms of the user and item vectors).
        scaled: learn the temperature.
    """

    def __init__(self, kind: str, channels: int, item_weight: Tensor | None = None, scaled: bool = False):
        super().__init__()
        if kind not in TOWER_USERS:
            raise ValueError(f"tower_user must be one of {TOWER_USERS}, got {kind!r}")
        self.kind = kind
        self.proj = None
        if kind == "history":
            if item_weight is None:
                raise ValueError("tower_user: history needs the item degrees")
            self.register_buffer("item_weight", item_weight.to(torch.float32))
            self.proj = nn.Linear(channels, channels, bias=False)
        self.log_scale = nn.Parameter(torch.zeros(())) if scaled else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.proj is not None:
            nn.init.zeros_(self.proj.weight)
        if self.log_scale is not None:
            nn.init.zeros_(self.log_scale)

    def forward(self, sub: SampledSubgraph, h_user: Tensor, item_tower: ItemTower) -> Tensor:
        """Args: ``h_user`` float [B, d], the seeds' backbone output. Returns: float [B, d]."""
        u = h_user
        if self.kind == "history":
            one_hop = (sub.hop["item"] == 1).nonzero().squeeze(1) if "item" in sub.hop else h_user.new_zeros(0).long()
            items = sub.node["item"][one_hop]
            seed = sub.batch["item"][one_hop]
            vectors = item_tower(items) * self.item_weight[items].unsqueeze(1)
            total = h_user.new_zeros(h_user.shape).index_add_(0, seed, vectors.to(h_user.dtype))
            count = torch.bincount(seed, minlength=h_user.size(0)).clamp(min=1).to(h_user.dtype)
            u = total / count.unsqueeze(1) + self.proj(h_user / math.sqrt(h_user.size(1)))
        if self.log_scale is not None:
            u = u * self.log_scale.exp()
        return u

    @classmethod
    def from_config(cls, config, dataset, channels: int, item_tower: ItemTower) -> "TowerUser | None":
        """Read ``tower_user``, ``tower_init`` and ``tower_freeze``; fill ``item_tower`` when spectral.

        ``tower_freeze`` keeps the spectral item table as initialised (the optimiser's steps,
        large next to its entries, otherwise blur the filter: Gowalla, 1 epoch).

        Returns None for the paper's tower (``gnn``, ``random``): no extra parameters, so
        models built with the defaults are the same as before these options existed.
        """
        kind, init = config["tower_user"], config["tower_init"]
        if init not in TOWER_INITS:
            raise ValueError(f"tower_init must be one of {TOWER_INITS}, got {init!r}")
        if kind not in TOWER_USERS:
            raise ValueError(f"tower_user must be one of {TOWER_USERS}, got {kind!r}")
        freeze = bool(config["tower_freeze"])
        if freeze and init != "spectral":
            raise ValueError("tower_freeze keeps a spectral item table fixed; it needs tower_init: spectral")
        if kind == "gnn" and init == "random":
            return None
        if init == "spectral" and item_tower.kind != "shallow":
            raise ValueError("tower_init: spectral fills the shallow item table; it needs item_tower: shallow")
        if init == "spectral":
            require_static(config, "tower_init: spectral")
        user = dataset.inter_feat[dataset.uid_field].long()
        item = dataset.inter_feat[dataset.iid_field].long()
        num_items = item_tower.table.num_embeddings if item_tower.kind == "shallow" else int(dataset.item_num)
        vectors, degree = spectral_item_vectors(user, item, int(dataset.user_num), num_items,
                                                channels if init == "spectral" else 0)
        weight = 1.0 / degree.clamp(min=1.0)
        if init == "spectral":
            # A user's best item starts ~log(|R|) nats above an average one: what a softmax over
            # all items needs to give it a useful share.  The gain goes into the vectors, not into
            # a multiplier, so that the optimiser's steps stay small next to the entries; it is
            # split between the item table and the read-out's weights so that user and item
            # vectors have equal mean norms.
            top, user_norm = _typical_top_score(user, item, vectors, weight)
            gain = math.log(num_items) / top
            item_norm = float(vectors[degree > 0].norm(dim=1).mean())
            user_gain = math.sqrt(gain * item_norm / user_norm)
            item_gain = gain / user_gain
            with torch.no_grad():
                item_tower.table.weight.copy_(vectors * item_gain)
            item_tower.table.weight.requires_grad_(not freeze)
            weight = weight * (user_gain / item_gain)
        return cls(kind, channels, weight if kind == "history" else None, scaled=init == "spectral")


def require_static(config, option: str) -> None:
    """Refuse ``option``, which reads every training interaction at once, on temporal data.

    On a temporal dataset (``val_timestamp``) the training interactions include the
    events that later seeds' labels hold, so such an option would see them.
    """
    if is_temporal(config):
        raise ValueError(f"{option} reads every training interaction at once, so on a temporal dataset "
                         "(val_timestamp) it would see the events that training labels hold; use it on "
                         "static data")


def _typical_top_score(user: Tensor, item: Tensor, vectors: Tensor, weight: Tensor) -> tuple[float, float]:
    """Over a fixed sample of users, the mean of their best item's unscaled spectral score
    and the mean norm of their user vectors, the user side being the ``history`` read-out
    over all the user's training items."""
    users = torch.unique(user)
    users = users[torch.randperm(users.numel(), generator=torch.Generator().manual_seed(0))[:SCALE_SAMPLE_USERS]]
    row = torch.full((int(user.max()) + 1,), -1, dtype=torch.long)
    row[users] = torch.arange(users.numel())
    keep = row[user] >= 0
    total = torch.zeros(users.numel(), vectors.size(1)).index_add_(0, row[user][keep],
                                                                   vectors[item[keep]] * weight[item[keep], None])
    count = torch.bincount(row[user][keep], minlength=users.numel()).clamp(min=1)
    readout = total / count.unsqueeze(1)
    top = float((readout @ vectors.T).max(1).values.mean())
    norm = float(readout.norm(dim=1).mean())
    return (top if top > 0 else 1.0), (norm if norm > 0 else 1.0)
