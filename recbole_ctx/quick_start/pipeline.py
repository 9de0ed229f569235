"""The two protocol-dependent steps of a run: building the data loaders and the trainer.

Static and sequential datasets go through RecBole's ``create_dataset`` /
``data_preparation``; temporal (RelBench-style) datasets, recognised by the
``val_timestamp`` key their converter writes, go through ``recbole_ctx.data``.
"""
from __future__ import annotations

from logging import getLogger
from typing import Any, NamedTuple

from recbole.config import Config
from recbole.data import create_dataset, data_preparation

from recbole_ctx.trainer.timing import with_epoch_timer
from recbole_ctx.utils.registry import get_trainer


class PreparedData(NamedTuple):
    dataset: Any
    train: Any
    valid: Any
    test: Any


def is_temporal(config: Config) -> bool:
    return config["val_timestamp"] is not None


def prepare_data(config: Config) -> PreparedData:
    logger = getLogger()
    if is_temporal(config):
        from recbole_ctx.data import create_temporal_data

        return PreparedData(*create_temporal_data(config))
    dataset = create_dataset(config)
    logger.info(dataset)
    train, valid, test = data_preparation(config, dataset)
    return PreparedData(dataset, train, valid, test)


def build_trainer(config: Config, model: Any, data: PreparedData) -> Any:
    """The model's trainer (plugin first, then RecBole's rule), with fast evaluation."""
    trainer_cls = get_trainer(config["MODEL_TYPE"], config["model"])
    if is_temporal(config):
        from recbole_ctx.evaluator.subgraph_negatives import eval_neg_sampler
        from recbole_ctx.trainer.temporal import with_temporal_eval

        if eval_neg_sampler(config) != "uniform":
            raise ValueError("eval_neg_sampler: subgraph applies to sampled evaluation (eval_args.mode "
                             "uniN); the temporal protocol ranks every item, so it has no negatives")
        trainer_cls = with_temporal_eval(trainer_cls)
    else:
        from recbole_ctx.trainer.fast_eval import with_fast_eval

        trainer_cls = with_fast_eval(trainer_cls)
    return with_epoch_timer(trainer_cls)(config, model)
