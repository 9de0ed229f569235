"""RecBole DataLoaders that hand the subgraph models batches which already hold their subgraphs.

All are subclasses of RecBole's ``AbstractDataLoader``, so RecBole's DDP sharding
(``DistributedSampler``), its seeded shuffling and ``worker`` processes apply unchanged;
sampling happens in ``collate_fn`` (:class:`~recbole_ctx.data.subgraph_builder.SubgraphBuilder`).

* :class:`SubgraphTrainLoader`: training examples, static (one seed per user with
  training items; a fresh target split every epoch) or temporal (``.train.label``).
* :class:`SubgraphFullSortEvalDataLoader`, :class:`SubgraphNegSampleEvalDataLoader`:
  RecBole's evaluation loaders whose interaction part becomes a
  :class:`~recbole_ctx.data.subgraph_batch.SubgraphBatch`, so RecBole's own evaluation
  loop scores the plugin models.  The fast evaluation reads rows itself and attaches
  subgraphs with :func:`model_input`.
"""
from __future__ import annotations

import itertools
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from recbole.data.dataloader import FullSortEvalDataLoader, NegSampleEvalDataLoader
from recbole.data.dataloader.abstract_dataloader import AbstractDataLoader
from recbole.data.interaction import Interaction

from recbole_ctx.data.static_targets import EpochTargets, StaticTargets
from recbole_ctx.data.subgraph_batch import SeedBatch, SubgraphBatch
from recbole_ctx.data.subgraph_builder import SubgraphBuilder
from recbole_ctx.data.temporal_dataset import SEED_TIME_FIELD, TemporalExamples, targets_csr


class SubgraphTrainLoader(AbstractDataLoader):
    """Training batches (:class:`SubgraphBatch`) of ``train_batch_size`` examples.

    Args:
        config: the run's config (``train_batch_size``, ``seed``, ``target_ratio``,
            ``max_steps_per_epoch``: stop each epoch after that many batches, a fresh
            random subset every epoch when shuffling, as the ContextGNN reference).
        dataset: the training dataset (static) or the temporal dataset.
        builder: samples the subgraphs.
        examples: temporal protocol: the ``.train.label`` examples; ``None``: static
            protocol, examples made from ``dataset``'s interactions.
        shuffle: reshuffle every epoch with RecBole's seeded generator.
    """

    def __init__(self, config, dataset, builder: SubgraphBuilder, examples: TemporalExamples | None = None,
                 shuffle: bool = True):
        self.builder = builder
        self.examples = examples
        self.static = StaticTargets.from_dataset(dataset) if examples is None else None
        self.sample_size = len(examples) if examples is not None else int(self.static.users.numel())
        self.epoch = -1
        self._targets: EpochTargets | None = None
        super().__init__(config, dataset, None, shuffle=shuffle)

    def _init_batch_size_and_step(self) -> None:
        self.step = self._batch_size = int(self.config["train_batch_size"])

    def __iter__(self):
        # One pass is one epoch.  The static split is drawn here, in the main process,
        # before worker processes start, and seeded per epoch so reruns draw the same.
        self.epoch += 1
        if self.static is not None:
            generator = torch.Generator().manual_seed(int(self.config["seed"]) + self.epoch)
            self._targets = self.static.split(float(self.config["target_ratio"]), generator)
        batches = super().__iter__()
        limit = self.config["max_steps_per_epoch"]
        return batches if not limit else itertools.islice(batches, int(limit))

    def __len__(self) -> int:
        limit = self.config["max_steps_per_epoch"]
        return super().__len__() if not limit else min(super().__len__(), int(limit))

    def collate_fn(self, index: list[int]) -> SubgraphBatch:
        index = torch.tensor(index, dtype=torch.long)
        if self.static is not None:
            seeds = self._targets.seeds(self.static.users[index])
        else:
            rows = self.examples.interaction(index, self._dataset.uid_field)
            target_ptr, target_item = targets_csr(rows)
            seeds = SeedBatch(rows[self._dataset.uid_field], rows[SEED_TIME_FIELD], target_ptr, target_item)
        return self.builder.training(seeds)


class _AttachSubgraphs:
    """Mixin for RecBole evaluation loaders: the interaction part of every batch becomes a
    :class:`SubgraphBatch` (one subgraph per distinct (user, seed time) of its rows)."""

    subgraph_builder: SubgraphBuilder
    attach_subgraphs = True

    def collate_fn(self, index):
        batch = super().collate_fn(index)
        if not self.attach_subgraphs:
            return batch
        if isinstance(batch, tuple):
            return (self.subgraph_builder.rows(batch[0]),) + tuple(batch[1:])
        return self.subgraph_builder.rows(batch)


class SubgraphFullSortEvalDataLoader(_AttachSubgraphs, FullSortEvalDataLoader):
    """RecBole's ``FullSortEvalDataLoader`` whose user rows carry their subgraphs."""

    def __init__(self, config, dataset, sampler, builder: SubgraphBuilder, shuffle: bool = False):
        self.subgraph_builder = builder
        super().__init__(config, dataset, sampler, shuffle=shuffle)


class SubgraphNegSampleEvalDataLoader(_AttachSubgraphs, NegSampleEvalDataLoader):
    """RecBole's ``NegSampleEvalDataLoader`` whose candidate rows carry their users' subgraphs."""

    def __init__(self, config, dataset, sampler, builder: SubgraphBuilder, shuffle: bool = False):
        self.subgraph_builder = builder
        super().__init__(config, dataset, sampler, shuffle=shuffle)


def model_input(loader: Any, interaction: Interaction) -> Interaction | SubgraphBatch:
    """What the model scores for ``interaction``, rows read from ``loader``'s dataset.

    A loader of the subgraph models attaches the rows' subgraphs; any other loader's rows
    go to the model unchanged.
    """
    builder = getattr(loader, "subgraph_builder", None)
    return interaction if builder is None else builder.rows(interaction)


@contextmanager
def rows_only(loader: Any) -> Iterator[None]:
    """Within the block, ``loader`` yields RecBole's plain rows (no subgraphs): for callers
    that attach subgraphs to a subset of the rows themselves (:func:`model_input`)."""
    if not isinstance(loader, _AttachSubgraphs):
        yield
        return
    loader.attach_subgraphs = False
    try:
        yield
    finally:
        loader.attach_subgraphs = True


# -- RecBole's own data_preparation ----------------------------------------------------------
# ``recbole.data.utils.data_preparation`` asks ``get_dataloader(config, phase)`` for each
# loader class.  For models that read subgraphs it gets these; the builder made for the
# training loader is shared with the evaluation loaders of the same config.
_BUILDERS: "weakref.WeakKeyDictionary[Any, SubgraphBuilder]" = weakref.WeakKeyDictionary()


def builder_for(config, train_dataset) -> SubgraphBuilder:
    """The run's builder (one per config), over ``train_dataset``'s graph."""
    if config not in _BUILDERS:
        _BUILDERS[config] = SubgraphBuilder.from_config(config, train_dataset)
    return _BUILDERS[config]


def train_loader(config, dataset, sampler, shuffle=True) -> SubgraphTrainLoader:
    """RecBole's training-loader signature: the run's :class:`SubgraphTrainLoader`."""
    return SubgraphTrainLoader(config, dataset, builder_for(config, dataset), shuffle=shuffle)


def eval_loader(mode: str):
    """RecBole's evaluation-loader signature for ``eval_args.mode`` ``mode`` (``full`` or ``uniN`` ...)."""
    loader_cls = SubgraphFullSortEvalDataLoader if mode == "full" else SubgraphNegSampleEvalDataLoader

    def subgraph_eval_loader(config, dataset, sampler, shuffle=False):
        if config not in _BUILDERS:
            raise ValueError(f"{config['model']}: build the training loader first (its dataset is the "
                             "graph the evaluation subgraphs are sampled from)")
        return loader_cls(config, dataset, sampler, _BUILDERS[config], shuffle=shuffle)

    return subgraph_eval_loader
