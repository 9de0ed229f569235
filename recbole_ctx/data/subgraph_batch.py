"""What the subgraph models (ContextGNN, NBFNet, ShallowItem) receive: seeds and their subgraphs.

The data layer (``recbole_ctx.data.subgraph_builder``) builds these in a DataLoader's
collate step; models only read them.  Both types have ``to(device)``, which is all
RecBole's ``Trainer`` asks of a batch.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import torch
from recbole.data.interaction import Interaction
from torch import Tensor

from recbole_ctx.sampler.subgraph import SampledSubgraph


def csr_rows(ptr: Tensor) -> Tensor:
    """int64 [sum of row sizes]: the row in [0, R) of every entry of a CSR with offsets ``ptr`` [R + 1]."""
    counts = ptr[1:] - ptr[:-1]
    return torch.repeat_interleave(torch.arange(counts.numel(), device=counts.device), counts)


def offsets(counts: Tensor) -> Tensor:
    """CSR offsets int64 [R + 1] of row sizes ``counts`` int64 [R]."""
    ptr = torch.zeros(counts.numel() + 1, dtype=torch.long, device=counts.device)
    torch.cumsum(counts, 0, out=ptr[1:])
    return ptr


@dataclass
class SeedBatch:
    """A mini-batch of multi-label examples ``(user, seed time T, target items)``.

    Attributes:
        user: int64 [S] seed user ids (RecBole internal ids).
        seed_time: float64 [S] seed time T in Unix seconds (+inf: static protocol).
        target_ptr: int64 [S + 1] CSR offsets into ``target_item`` (all zero at evaluation).
        target_item: int64 [P] ground-truth items, grouped by example.
        hide_targets: each (user, target) edge was hidden from the user's subgraph
            (static protocol, where targets are edges of the training graph).
        known_ptr, known_item: optional CSR (int64 [S + 1], [K]) of items each example's
            user is known to have besides its targets; they are left out of that
            example's softmax, as RecBole masks training items in static full ranking.
    """

    user: Tensor
    seed_time: Tensor
    target_ptr: Tensor
    target_item: Tensor
    hide_targets: bool = False
    known_ptr: Tensor | None = None
    known_item: Tensor | None = None

    @classmethod
    def unlabelled(cls, user: Tensor, seed_time: Tensor) -> "SeedBatch":
        """Seeds without targets (evaluation)."""
        return cls(user, seed_time, torch.zeros(user.numel() + 1, dtype=torch.long, device=user.device),
                   user[:0])

    def __len__(self) -> int:
        return int(self.user.numel())

    def target_example(self) -> Tensor:
        """int64 [P]: index in [0, S) of the example of each target."""
        return csr_rows(self.target_ptr)

    def known_example(self) -> Tensor:
        """int64 [K]: index in [0, S) of the example of each known item."""
        return csr_rows(self.known_ptr)

    def to(self, device: torch.device | str) -> "SeedBatch":
        def move(t: Tensor | None) -> Tensor | None:
            return None if t is None else t.to(device)

        return replace(self, user=self.user.to(device), seed_time=self.seed_time.to(device),
                       target_ptr=self.target_ptr.to(device), target_item=self.target_item.to(device),
                       known_ptr=move(self.known_ptr), known_item=move(self.known_item))


@dataclass
class SubgraphBatch:
    """``S`` seeds, their sampled subgraphs, and the ``R`` rows that are scored from them.

    Training: one row per seed.  Evaluation: RecBole's rows (users, or (user, item)
    candidate rows of a sampled evaluation), several rows may share one seed.

    Attributes:
        seeds: the S seeds (with their targets when training).
        subgraph: one disjoint subgraph per seed, seeds first in ``seeds`` order.
        row_seed: int64 [R] the seed of each row.
        interaction: the R rows as RecBole gave them (``None`` when training).
    """

    seeds: SeedBatch
    subgraph: SampledSubgraph
    row_seed: Tensor
    interaction: Interaction | None = None

    def __len__(self) -> int:
        return int(self.row_seed.numel())

    @property
    def length(self) -> int:
        """RecBole's ``Interaction.length``: the number of rows."""
        return len(self)

    def __getitem__(self, field: str) -> Tensor:
        """A field of the rows (RecBole's evaluation reads e.g. the item id of each row)."""
        if self.interaction is None:
            raise KeyError(f"{field!r}: a training SubgraphBatch has no interaction rows")
        return self.interaction[field]

    def __contains__(self, field: str) -> bool:
        return self.interaction is not None and field in self.interaction

    def to(self, device: torch.device | str) -> "SubgraphBatch":
        return SubgraphBatch(self.seeds.to(device), self.subgraph.to(device), self.row_seed.to(device),
                             None if self.interaction is None else self.interaction.to(device))
