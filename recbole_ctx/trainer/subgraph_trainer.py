"""Training loop of the subgraph models: one step per batch of (user, T, targets) examples.

RecBole's ``Trainer`` iterates interaction rows; the subgraph models learn from
RelBench-style multi-label examples instead (one sampled subgraph per user, every
target of that user in one softmax).  Only ``_train_epoch`` changes; evaluation is
RecBole's (or the fast) full-sort path through ``full_sort_predict``.
"""
from __future__ import annotations

from collections.abc import Iterable

import torch
from recbole.trainer import Trainer
from torch import Tensor
from torch.nn.utils import clip_grad_norm_
from tqdm import tqdm

from recbole_ctx.data.temporal_dataloader import TemporalExampleLoader
from recbole_ctx.data.temporal_dataset import SEED_TIME_FIELD, targets_csr
from recbole_ctx.model.subgraph_recommender import SeedBatch
from recbole_ctx.utils.ranges import concat_ranges


class StaticSeedBatches:
    """Examples of the static protocol, built from the training interactions.

    Each epoch, a random share ``target_ratio`` (at least one) of every user's training
    items become that user's targets; the models hide those (user, item) edges from the
    user's subgraph.  The remaining training items form its context and, as ``known``
    items, are neither targets nor negatives (RecBole masks them at evaluation too).

    Args:
        user, item: int64 [E] training interactions (RecBole internal ids).
    """

    def __init__(self, user: Tensor, item: Tensor):
        order = torch.sort(user, stable=True).indices
        self.user, self.item = user[order].long(), item[order].long()
        num_users = int(self.user.max()) + 1 if self.user.numel() else 0
        self.degree = torch.bincount(self.user, minlength=num_users)
        self.rowptr = torch.zeros(num_users + 1, dtype=torch.long)
        torch.cumsum(self.degree, 0, out=self.rowptr[1:])

    @classmethod
    def from_dataset(cls, dataset) -> "StaticSeedBatches":
        return cls(dataset.inter_feat[dataset.uid_field], dataset.inter_feat[dataset.iid_field])

    def epoch(self, batch_size: int, target_ratio: float, generator: torch.Generator) -> list[SeedBatch]:
        """This epoch's shuffled mini-batches (every user with a training item, once)."""
        # Random order within each row: sort by user + U[0, 1).
        jitter = torch.rand(self.user.numel(), generator=generator, dtype=torch.float64)
        order = torch.sort(self.user.to(torch.float64) + jitter).indices
        item = self.item[order]
        rank = torch.arange(item.numel()) - self.rowptr[self.user]
        num_targets = (self.degree.to(torch.float64) * target_ratio).round().long().clamp(min=1)
        num_targets = torch.minimum(num_targets, self.degree)
        is_target = rank < num_targets[self.user]
        # Both CSRs keep the user order of the interactions: rows are contiguous.
        targets = (_offsets(num_targets), item[is_target])
        known = (_offsets(self.degree - num_targets), item[~is_target])

        users = (self.degree > 0).nonzero().squeeze(1)
        users = users[torch.randperm(users.numel(), generator=generator)]
        batches = []
        for chunk in users.split(batch_size):
            seed_time = torch.full((chunk.numel(),), float("inf"), dtype=torch.float64)
            target_ptr, target_item = _gather_rows(*targets, chunk)
            known_ptr, known_item = _gather_rows(*known, chunk)
            batches.append(SeedBatch(chunk, seed_time, target_ptr, target_item, True, known_ptr, known_item))
        return batches


def _offsets(counts: Tensor) -> Tensor:
    """CSR offsets int64 [R + 1] of row sizes ``counts`` [R]."""
    ptr = torch.zeros(counts.numel() + 1, dtype=torch.long)
    torch.cumsum(counts, 0, out=ptr[1:])
    return ptr


def _gather_rows(ptr: Tensor, values: Tensor, rows: Tensor) -> tuple[Tensor, Tensor]:
    """Rows ``rows`` of a CSR ``(ptr, values)`` as a new CSR, vectorised."""
    counts = ptr[rows + 1] - ptr[rows]
    _, position = concat_ranges(ptr[rows], counts)
    return _offsets(counts), values[position]


def temporal_seed_batches(loader: TemporalExampleLoader) -> Iterable[SeedBatch]:
    """The temporal protocol's label examples (future items of (T, T + delta]) as batches."""
    for interaction in loader:
        target_ptr, target_item = targets_csr(interaction)
        yield SeedBatch(interaction[loader._dataset.uid_field], interaction[SEED_TIME_FIELD],
                        target_ptr, target_item, hide_targets=False)


class SubgraphTrainer(Trainer):
    """RecBole ``Trainer`` whose epoch iterates :class:`SeedBatch` examples.

    Temporal protocol: the label examples of a :class:`TemporalExampleLoader`.  Static
    protocol: examples built from the training loader's dataset (config:
    ``train_batch_size`` users per batch, ``target_ratio``).
    """

    def __init__(self, config, model):
        super().__init__(config, model)
        self._static: StaticSeedBatches | None = None

    def seed_batches(self, train_data, epoch_idx: int) -> Iterable[SeedBatch]:
        if isinstance(train_data, TemporalExampleLoader):
            return temporal_seed_batches(train_data)
        if self._static is None:
            self._static = StaticSeedBatches.from_dataset(train_data._dataset)
        # Seeded per epoch: a rerun (or a resumed run) draws the same targets.
        generator = torch.Generator().manual_seed(int(self.config["seed"]) + epoch_idx)
        return self._static.epoch(int(self.config["train_batch_size"]),
                                  float(self.config["target_ratio"]), generator)

    def _train_epoch(self, train_data, epoch_idx, loss_func=None, show_progress=False):
        self.model.train()
        loss_func = loss_func or self.model.calculate_loss
        batches = self.seed_batches(train_data, epoch_idx)
        if show_progress:
            batches = tqdm(batches, ncols=100, desc=f"Train {epoch_idx:>5}")
        total = 0.0
        for batch in batches:
            self.optimizer.zero_grad()
            loss = loss_func(batch)
            self._check_nan(loss)
            loss.backward()
            if self.clip_grad_norm:
                clip_grad_norm_(self.model.parameters(), **self.clip_grad_norm)
            self.optimizer.step()
            total += loss.item()
        return total
