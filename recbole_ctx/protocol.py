"""The run's protocol, resolved once from the dataset's yaml and the config.

Three protocols:

* ``static`` (LightGCN-style splits, full sort) and next-item with sampled negatives
  (``eval_args.mode: uniN``): RecBole's ``create_dataset`` / ``data_preparation``;
* ``temporal`` (RelBench): recognised by the ``val_timestamp`` key the converter writes;
  every (user, T) row of ``.valid.label`` / ``.test.label`` ranks all items.

A model declares what it reads with the class attribute ``reads_subgraphs`` (the
subgraph models: ContextGNN, NBFNet, ShallowItem); for those the data layer attaches
sampled subgraphs to every batch.  :class:`Protocol` supplies the loaders
(:meth:`Protocol.create_data`), and with them the batch builder, and the trainer with
its evaluator (:meth:`Protocol.trainer`).
"""
from __future__ import annotations

from dataclasses import dataclass
from logging import getLogger
from typing import Any, NamedTuple

from recbole_ctx.data.protocol import TemporalProtocol
from recbole_ctx.utils.registry import reads_subgraphs


class PreparedData(NamedTuple):
    dataset: Any
    train: Any
    valid: Any
    test: Any


@dataclass(frozen=True)
class Protocol:
    """What a run trains on and how it is evaluated.

    Attributes:
        name: ``static`` or ``temporal``.
        subgraphs: the model reads sampled subgraphs.
        train_on_labels: temporal only: train on ``.train.label`` examples (subgraph
            models) rather than ``.inter`` events up to ``val_timestamp`` (built-ins).
        neg_sampler: ``uniform`` or ``subgraph`` (sampled evaluation's negatives).
        temporal: the temporal keys (``None`` under the static protocol).
    """

    name: str
    subgraphs: bool
    train_on_labels: bool
    neg_sampler: str
    temporal: TemporalProtocol | None

    @classmethod
    def resolve(cls, config) -> "Protocol":
        """Read and check the protocol keys (``val_timestamp`` ..., ``temporal_train_on``,
        ``eval_neg_sampler``, ``eval_neg_pool_rows``) before any data loads.

        Raises:
            ValueError: a key out of range or a combination that cannot run.
        """
        from recbole_ctx.evaluator.subgraph_negatives import check_eval_neg_sampler

        subgraphs = reads_subgraphs(config["model"])
        temporal = TemporalProtocol.from_config(config) if config["val_timestamp"] is not None else None
        train_on_labels = False
        if temporal is not None:
            choice = config["temporal_train_on"]
            if choice is None:
                train_on_labels = subgraphs
            elif choice in ("labels", "inter"):
                train_on_labels = choice == "labels"
            else:
                raise ValueError(f"temporal_train_on must be 'labels' or 'inter', got {choice!r}")
            if train_on_labels and not subgraphs:
                raise ValueError(f"temporal_train_on: labels needs a model that reads subgraphs "
                                 f"(ContextGNN, NBFNet, ShallowItem); {config['model']} trains on .inter events")
        neg_sampler = check_eval_neg_sampler(config, subgraphs, temporal is not None)
        return cls("temporal" if temporal is not None else "static", subgraphs, train_on_labels, neg_sampler,
                   temporal)

    def create_data(self, config) -> PreparedData:
        """The dataset and its train / valid / test loaders."""
        if self.temporal is None:
            from recbole.data import create_dataset, data_preparation

            from recbole_ctx.data import recbole_dataloaders

            recbole_dataloaders.install()  # subgraph models get loaders that sample
            dataset = create_dataset(config)
            getLogger().info(dataset)
            return PreparedData(dataset, *data_preparation(config, dataset))
        return self._temporal_data(config)

    def _temporal_data(self, config) -> PreparedData:
        dataset = self.temporal_dataset(config)
        getLogger().info(dataset)
        return PreparedData(dataset, *self.temporal_loaders(config, dataset))

    def temporal_dataset(self, config) -> Any:
        """The temporal task's ``TemporalDataset`` (its ``.inter`` cut at ``val_timestamp`` when
        a built-in model trains on events); adds the task's ``eval_k`` to ``topk``."""
        from recbole_ctx.data import TemporalDataset
        from recbole_ctx.evaluator.temporal import apply_protocol_metrics

        apply_protocol_metrics(config, self.temporal)
        inter_until = None if self.train_on_labels else self.temporal.val_timestamp
        return TemporalDataset(config, inter_until=inter_until)

    def temporal_loaders(self, config, dataset) -> tuple[Any, Any, Any]:
        """Train, valid and test loaders of a ``TemporalDataset`` (from :meth:`temporal_dataset`)."""
        from recbole.data.utils import create_samplers, get_dataloader

        from recbole_ctx.data import TemporalExampleLoader
        from recbole_ctx.data.subgraph_builder import SubgraphBuilder
        from recbole_ctx.data.subgraph_loader import SubgraphTrainLoader

        builder = SubgraphBuilder.from_config(config, dataset) if self.subgraphs else None
        if self.train_on_labels:
            train = SubgraphTrainLoader(config, dataset, builder, dataset.temporal_examples["train"],
                                        shuffle=config["shuffle"])
        elif self.subgraphs:
            train = SubgraphTrainLoader(config, dataset, builder, shuffle=config["shuffle"])
        else:
            train_sampler = create_samplers(config, dataset, [dataset] * 3)[0]
            train = get_dataloader(config, "train")(config, dataset, train_sampler, shuffle=config["shuffle"])
        valid, test = (TemporalExampleLoader(config, dataset, dataset.temporal_examples[split], split,
                                             builder=builder) for split in ("valid", "test"))
        return train, valid, test

    def trainer(self, config, model) -> Any:
        """The model's trainer (plugin first, then RecBole's rule) with this protocol's evaluation."""
        from recbole_ctx.trainer.fast_eval import with_fast_eval
        from recbole_ctx.trainer.lr_schedule import has_schedule, with_lr_schedule
        from recbole_ctx.trainer.temporal import with_temporal_eval
        from recbole_ctx.trainer.timing import with_epoch_timer
        from recbole_ctx.utils.registry import get_trainer

        trainer_cls = get_trainer(config["MODEL_TYPE"], config["model"])
        if has_schedule(config):
            trainer_cls = with_lr_schedule(trainer_cls)
        evaluating = with_temporal_eval if self.temporal is not None else with_fast_eval
        trainer = with_epoch_timer(evaluating(trainer_cls))(config, model)
        trainer.protocol = self
        return trainer
