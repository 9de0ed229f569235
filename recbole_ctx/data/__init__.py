"""The data layer: RecBole datasets and the loaders that sample, over :mod:`recbole_ctx.sampler`.

* :func:`graph_of` (``graph_from_dataset``): the dataset's graph store, a
  :class:`~recbole_ctx.sampler.temporal_graph.TemporalGraph` built once per dataset;
* :class:`TemporalDataset` (``temporal_dataset``): ``.inter`` plus RelBench label files;
* :class:`SubgraphBuilder` (``subgraph_builder``): the batch builder that samples each
  batch's subgraphs; ``subgraph_loader``: RecBole DataLoaders whose collate step calls it;
* :class:`SeedBatch` / :class:`SubgraphBatch` (``subgraph_batch``): what the models read.

Which loaders a run gets is decided by :class:`recbole_ctx.protocol.Protocol`.
"""
from __future__ import annotations

from recbole_ctx.data.graph_from_dataset import graph_of
from recbole_ctx.data.temporal_task import TemporalProtocol
from recbole_ctx.data.subgraph_batch import SeedBatch, SubgraphBatch
from recbole_ctx.data.subgraph_builder import SubgraphBuilder
from recbole_ctx.data.temporal_dataloader import TemporalExampleLoader
from recbole_ctx.data.temporal_dataset import (
    SEED_TIME_FIELD,
    TARGET_ITEM_FIELD,
    TARGET_LEN_FIELD,
    TemporalDataset,
    TemporalExamples,
    targets_csr,
)

__all__ = [
    "SEED_TIME_FIELD", "TARGET_ITEM_FIELD", "TARGET_LEN_FIELD", "SeedBatch", "SubgraphBatch", "SubgraphBuilder",
    "TemporalDataset", "TemporalExamples", "TemporalExampleLoader", "TemporalProtocol",
    "graph_of", "targets_csr",
]
