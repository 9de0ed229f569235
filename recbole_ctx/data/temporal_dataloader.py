"""RecBole data loader over the (user, seed time, targets) examples of one split."""
from __future__ import annotations

import torch
from recbole.data.dataloader.abstract_dataloader import AbstractDataLoader
from recbole.data.interaction import Interaction

from recbole_ctx.data.temporal_dataset import TemporalDataset, TemporalExamples


class TemporalExampleLoader(AbstractDataLoader):
    """Batches of examples as :meth:`TemporalExamples.interaction` describes.

    Training (``phase="train"``) uses ``train_batch_size`` and reshuffles every epoch
    with RecBole's seeded generator; evaluation uses ``eval_batch_size`` in file order.
    """

    def __init__(self, config, dataset: TemporalDataset, examples: TemporalExamples, phase: str,
                 shuffle: bool = False):
        self.examples = examples
        self.phase = phase
        self.sample_size = len(examples)
        super().__init__(config, dataset, None, shuffle=shuffle)

    def _init_batch_size_and_step(self):
        size = self.config["train_batch_size" if self.phase == "train" else "eval_batch_size"]
        self.step = self._batch_size = size

    def collate_fn(self, index: list[int]) -> Interaction:
        return self.examples.interaction(torch.tensor(index, dtype=torch.long), self._dataset.uid_field)
