"""RecBole data loader over the (user, seed time, targets) examples of one split."""
from __future__ import annotations

import torch
from recbole.data.dataloader.abstract_dataloader import AbstractDataLoader
from recbole.data.interaction import Interaction

from recbole_ctx.data.subgraph_batch import SubgraphBatch
from recbole_ctx.data.subgraph_builder import SubgraphBuilder
from recbole_ctx.data.temporal_dataset import TemporalDataset, TemporalExamples


class TemporalExampleLoader(AbstractDataLoader):
    """Batches of examples as :meth:`TemporalExamples.interaction` describes.

    Training (``phase="train"``, built-in models' label batches are not used for training)
    uses ``train_batch_size`` and reshuffles every epoch with RecBole's seeded generator;
    evaluation uses ``eval_batch_size`` in file order.  With a ``builder`` (the subgraph
    models) each batch is a :class:`SubgraphBatch` of its rows.
    """

    def __init__(self, config, dataset: TemporalDataset, examples: TemporalExamples, phase: str,
                 shuffle: bool = False, builder: SubgraphBuilder | None = None):
        self.examples = examples
        self.phase = phase
        self.subgraph_builder = builder
        self.sample_size = len(examples)
        super().__init__(config, dataset, None, shuffle=shuffle)

    def _init_batch_size_and_step(self):
        size = self.config["train_batch_size" if self.phase == "train" else "eval_batch_size"]
        self.step = self._batch_size = size

    def rows(self, index: torch.Tensor) -> Interaction:
        """Examples ``index`` (int64 [B]) as an Interaction (no subgraphs)."""
        return self.examples.interaction(index, self._dataset.uid_field)

    def collate_fn(self, index: list[int]) -> Interaction | SubgraphBatch:
        rows = self.rows(torch.tensor(index, dtype=torch.long))
        return rows if self.subgraph_builder is None else self.subgraph_builder.rows(rows)
