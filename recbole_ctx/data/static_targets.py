"""Static-protocol training examples: each epoch, a share of every user's items become targets."""
from __future__ import annotations

import torch
from torch import Tensor

from recbole_ctx.data.subgraph_batch import SeedBatch, offsets
from recbole_ctx.utils.ranges import concat_ranges


class StaticTargets:
    """Per-epoch (targets, known) split of every user's training items.

    Each epoch, a random share ``target_ratio`` (at least one) of every user's training
    items become that user's targets; the builder hides those (user, item) edges from
    the user's subgraph.  The remaining training items form its context and, as
    ``known`` items, are neither targets nor negatives (RecBole masks them at evaluation
    too).

    A (user, item) pair that occurs several times (repeat purchases) is one item of the
    user: otherwise one copy could be a target while another, as a known item, masks it.

    Args:
        user, item: int64 [E] training interactions (RecBole internal ids).
    """

    def __init__(self, user: Tensor, item: Tensor):
        user, item = user.long(), item.long()
        num_items = int(item.max()) + 1 if item.numel() else 1
        pairs = torch.unique(user * num_items + item)  # sorted by user, then item
        self.user, self.item = pairs // num_items, pairs % num_items
        num_users = int(self.user.max()) + 1 if self.user.numel() else 0
        self.degree = torch.bincount(self.user, minlength=num_users)
        self.rowptr = offsets(self.degree)
        self.users = (self.degree > 0).nonzero().squeeze(1)
        """int64 [U] users with at least one training item: the epoch's seeds."""

    @classmethod
    def from_dataset(cls, dataset) -> "StaticTargets":
        return cls(dataset.inter_feat[dataset.uid_field], dataset.inter_feat[dataset.iid_field])

    def split(self, target_ratio: float, generator: torch.Generator) -> "EpochTargets":
        """One epoch's random split of every user's items into targets and known items."""
        # Random order within each row: sort by user + U[0, 1).
        jitter = torch.rand(self.user.numel(), generator=generator, dtype=torch.float64)
        item = self.item[torch.sort(self.user.to(torch.float64) + jitter).indices]
        rank = torch.arange(item.numel()) - self.rowptr[self.user]
        num_targets = (self.degree.to(torch.float64) * target_ratio).round().long().clamp(min=1)
        num_targets = torch.minimum(num_targets, self.degree)
        is_target = rank < num_targets[self.user]
        # Both CSRs keep the user order of the interactions: rows are contiguous.
        return EpochTargets(offsets(num_targets), item[is_target], offsets(self.degree - num_targets),
                            item[~is_target])


class EpochTargets:
    """Targets and known items per user id, as two CSRs (int64 [num_users + 1], [*])."""

    def __init__(self, target_ptr: Tensor, target_item: Tensor, known_ptr: Tensor, known_item: Tensor):
        self.target_ptr, self.target_item = target_ptr, target_item
        self.known_ptr, self.known_item = known_ptr, known_item

    def seeds(self, users: Tensor) -> SeedBatch:
        """The examples of ``users`` (int64 [S]): static seed time +inf, targets hidden."""
        target_ptr, target_item = _gather_rows(self.target_ptr, self.target_item, users)
        known_ptr, known_item = _gather_rows(self.known_ptr, self.known_item, users)
        seed_time = torch.full((users.numel(),), float("inf"), dtype=torch.float64)
        return SeedBatch(users, seed_time, target_ptr, target_item, True, known_ptr, known_item)


def _gather_rows(ptr: Tensor, values: Tensor, rows: Tensor) -> tuple[Tensor, Tensor]:
    """Rows ``rows`` of a CSR ``(ptr, values)`` as a new CSR, vectorised."""
    counts = ptr[rows + 1] - ptr[rows]
    _, position = concat_ranges(ptr[rows], counts)
    return offsets(counts), values[position]
