"""The two-tower score's exact item-item part: GF-CF's linear filter over the training graph.

With ``R~ = D_u^-1/2 R D_i^-1/2`` the degree-normalised training interactions and
``h_v`` the row of user v's visible items weighted ``d_i^-1/2``, the filter scores item w as

    f(v, w) = sum_{u' != v} (h_v . R~[u']) R~[u', w]

i.e. every path v -> i -> u' -> w through another user, each weighted by the degrees on
it (Shen et al. 2021, "How powerful is graph convolution for recommendation?").  It is
an inner product of a user side ``h_v R~^T`` and an item side ``R~[:, w]``, both of
dimension |U|: a two-tower score with exact, sparse, fixed vectors, which the spectral
item table (``recbole_ctx.data.spectral``) truncates to rank d.  ContextGNN's pair-wise
head sees the same two-hop co-occurrence only through its sampled subgraph; the filter
sees all of it, which is what the tower needs to rank the items the subgraph missed.

Leaving out ``u' = v`` (the user's own row) removes the path v -> i -> v -> t through a
target t whose edge training hides; at evaluation that path only reaches the user's
own training items, which RecBole masks, so the ranking of the rest is unchanged.
"""
from __future__ import annotations

import warnings

import torch
from torch import Tensor, nn

from recbole_ctx.data.spectral import normalized_interactions
from recbole_ctx.data.subgraph_batch import SeedBatch, offsets
from recbole_ctx.model.layers.tower_user import require_static
from recbole_ctx.sampler.subgraph import SampledSubgraph
from recbole_ctx.utils.ranges import concat_ranges

TOWER_FILTERS = ("linear",)
INITIAL_GAIN = 1.0  # a softmax over the term alone starts as f, normalised


class CooccurrenceFilter(nn.Module):
    """The tower's filter term ``g * log(f(v, w) / mean_w f(v, w))`` per user and item.

    ``f`` comes from fixed sparse buffers; it is divided by each user's mean over the
    items it reaches, so the log is 0 at a typical reached item for every user and the
    learned gain ``g = exp(log_gain)`` reads one scale (a softmax over ``g log f`` is
    ``f^g``, normalised).  Items no path reaches get ``g log(floor)``.

    Args:
        user, item: int64 [E] training interactions (repeats count once).
        num_users, num_items: id ranges.
        gain: initial ``g``.
        floor: relative score of an item no path reaches (``log(floor)`` nats below typical).
    """

    def __init__(self, user: Tensor, item: Tensor, num_users: int, num_items: int, gain: float = 1.0,
                 floor: float = 1e-4):
        super().__init__()
        self.initial_gain = gain
        self.log_gain = nn.Parameter(torch.zeros(()))
        rows, cols, values, di = normalized_interactions(user, item, num_users, num_items)
        # Rebuilt from the dataset with the model, so kept out of checkpoints (persistent=False).
        self.register_buffer("user_ptr", offsets(torch.bincount(rows, minlength=num_users)), persistent=False)
        self.register_buffer("user_item", cols, persistent=False)
        self.register_buffer("item_weight", di.clamp(min=1).rsqrt().float(), persistent=False)
        norm = torch.sparse_coo_tensor(torch.stack([rows, cols]), values.float(), (num_users, num_items),
                                       check_invariants=False).coalesce()
        self.register_buffer("norm", norm, persistent=False)  # R~, [U, N]
        self.register_buffer("norm_t", norm.t().coalesce(), persistent=False)  # R~^T, [N, U]
        self.num_users, self.num_items = num_users, num_items
        self.log_floor = float(torch.log(torch.tensor(floor)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        nn.init.constant_(self.log_gain, float(torch.log(torch.tensor(self.initial_gain))))

    def history(self, users: Tensor) -> tuple[Tensor, Tensor]:
        """Every training item of ``users`` (int64 [B]) as (example int64 [H], item int64 [H])."""
        start = self.user_ptr[users]
        example, position = concat_ranges(start, self.user_ptr[users + 1] - start)
        return example, self.user_item[position]

    def forward(self, users: Tensor, example: Tensor, item: Tensor, classes: Tensor) -> Tensor:
        """The filter term of ``classes`` for each user: ``g`` times :meth:`log_scores`.

        Args: as :meth:`log_scores`. Returns: float32 [B, C].
        """
        return self.log_gain.exp() * self.log_scores(users, example, item, classes)

    @torch.no_grad()
    def log_scores(self, users: Tensor, example: Tensor, item: Tensor, classes: Tensor) -> Tensor:
        """Log filter scores of ``classes`` for each user.

        Args:
            users: int64 [B] user ids.
            example, item: int64 [H] each user's visible items (``example`` in [0, B)).
            classes: int64 [C] item ids to score.

        Returns:
            float32 [B, C]: ``log(f / mean f)``, ``log(floor)`` where ``f = 0``.
        """
        num = users.numel()
        device = users.device
        h = torch.sparse_coo_tensor(torch.stack([example, item]), self.item_weight[item],
                                    (num, self.num_items), device=device,
                                    check_invariants=False).coalesce()
        with warnings.catch_warnings():
            # torch's sparse product goes through CSR internally and says CSR is in beta, once per process.
            warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta", category=UserWarning)
            x = torch.sparse.mm(h, self.norm_t).coalesce()  # [B, U]: weight of each co-user
            index, value = x.indices(), x.values()
            other = index[1] != users[index[0]]
            x = torch.sparse_coo_tensor(index[:, other], value[other], x.shape, device=device,
                                        check_invariants=False)
            f = torch.sparse.mm(x, self.norm).to_dense()  # [B, N]
        # The mean over every item reached, not over ``classes``: the scale must not depend on the sample.
        mean = (f.sum(1) / (f > 0).sum(1).clamp(min=1)).clamp(min=torch.finfo(f.dtype).tiny)
        f = f[:, classes]
        return torch.where(f > 0, torch.log(f / mean.unsqueeze(1)), torch.full_like(f, self.log_floor))

    def seed_term(self, sub: SampledSubgraph, seeds: SeedBatch | None, classes: Tensor) -> Tensor:
        """The filter term (float32 [B, C]) of the ``B`` seeds of ``sub`` against ``classes``.

        A seed's visible items are its known items when the batch carries them (training:
        every training item but the hidden targets), else all its training items
        (evaluation, where every training edge is visible).
        """
        users = sub.node[sub.seed_type][: sub.num_seeds]
        if seeds is not None and seeds.known_item is not None:
            example, item = seeds.known_example(), seeds.known_item
        elif self.training:
            raise ValueError("tower_filter reads each seed's visible items from the batch while training "
                             "(its known items); without them the hidden targets would score themselves")
        else:
            example, item = self.history(users)
        return self(users, example, item, classes)

    @classmethod
    def from_config(cls, config, dataset) -> "CooccurrenceFilter | None":
        """Read ``tower_filter`` (null | ``linear``); None when off."""
        kind = config["tower_filter"]
        if kind is None:
            return None
        if kind not in TOWER_FILTERS:
            raise ValueError(f"tower_filter must be null or one of {TOWER_FILTERS}, got {kind!r}")
        require_static(config, "tower_filter")
        return cls(dataset.inter_feat[dataset.uid_field], dataset.inter_feat[dataset.iid_field],
                   int(dataset.user_num), int(dataset.item_num), gain=INITIAL_GAIN)
