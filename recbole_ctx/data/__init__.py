"""Temporal graph store and the temporal (RelBench-style) data path for RecBole.

``create_temporal_data(config)`` is the entry point for a dataset whose yaml has
``val_timestamp``: plugin subgraph models (ContextGNN, NBFNet, ShallowItem) train on
the ``.train.label`` examples over the full event graph (the sampler hides events after
each seed time); built-in RecBole models train on ``.inter`` events up to
``val_timestamp`` with RecBole's own training loader.  Both are evaluated on the same
``.valid.label`` / ``.test.label`` rows by :func:`evaluate_temporal`.
"""
from __future__ import annotations

from recbole.data.utils import create_samplers, get_dataloader

from recbole_ctx.data.protocol import TemporalProtocol
from recbole_ctx.data.temporal_dataloader import TemporalExampleLoader
from recbole_ctx.data.temporal_dataset import (
    SEED_TIME_FIELD,
    TARGET_ITEM_FIELD,
    TARGET_LEN_FIELD,
    TemporalDataset,
    TemporalExamples,
    targets_csr,
)
from recbole_ctx.data.temporal_eval import apply_protocol_metrics, evaluate_temporal
from recbole_ctx.data.temporal_graph import TemporalGraph

__all__ = [
    "SEED_TIME_FIELD", "TARGET_ITEM_FIELD", "TARGET_LEN_FIELD", "TemporalDataset", "TemporalExamples",
    "TemporalExampleLoader", "TemporalGraph", "TemporalProtocol", "create_temporal_data",
    "evaluate_temporal", "targets_csr", "trains_on_labels",
]


def trains_on_labels(config) -> bool:
    """Whether ``config['model']`` learns from label examples (a plugin subgraph model).

    ``config['temporal_train_on']`` (``labels`` or ``inter``) overrides the rule.
    """
    choice = config["temporal_train_on"] if "temporal_train_on" in config else None
    if choice is not None:
        if choice not in ("labels", "inter"):
            raise ValueError(f"temporal_train_on must be 'labels' or 'inter', got {choice!r}")
        return choice == "labels"
    from recbole_ctx.utils.registry import plugin_models

    entry = plugin_models().get(config["model"])
    return entry is not None and entry.trainer is not None and "subgraph_trainer" in entry.trainer


def create_temporal_data(config):
    """Dataset and (train, valid, test) loaders of a temporal dataset.

    Also adds ``eval_k`` to ``config['topk']`` and Recall/NDCG/Hit/MAP/MRR to
    ``config['metrics']``.

    Returns:
        ``(dataset, train_loader, valid_loader, test_loader)``; valid/test are
        :class:`TemporalExampleLoader` for :func:`evaluate_temporal`; train is a
        ``TemporalExampleLoader`` of ``.train.label`` for subgraph models, else RecBole's
        training loader over ``.inter`` events up to ``val_timestamp``.
    """
    protocol = TemporalProtocol.from_config(config)
    apply_protocol_metrics(config, protocol)
    if trains_on_labels(config):
        dataset = TemporalDataset(config)
        train = TemporalExampleLoader(config, dataset, dataset.temporal_examples["train"], "train",
                                      shuffle=config["shuffle"])
    else:
        dataset = TemporalDataset(config, inter_until=protocol.val_timestamp)
        train_sampler = create_samplers(config, dataset, [dataset] * 3)[0]
        train = get_dataloader(config, "train")(config, dataset, train_sampler, shuffle=config["shuffle"])
    valid = TemporalExampleLoader(config, dataset, dataset.temporal_examples["valid"], "valid")
    test = TemporalExampleLoader(config, dataset, dataset.temporal_examples["test"], "test")
    return dataset, train, valid, test
