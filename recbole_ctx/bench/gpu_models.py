"""Plugin models for a fixed number of steps through RecBole's own Trainer (``bench gpu``).

A step is what ``Trainer._train_epoch`` does per batch, with the batch drawn from the
data layer's loader inside the timed region (so subgraph sampling in the loader's
collate step counts): move to the device, forward under the trainer's autocast
(``enable_amp``), backward (through RecBole's GradScaler when ``enable_scaler``),
optimizer update.  Models, loaders and trainers come from the project's public pieces:
:class:`recbole_ctx.protocol.Protocol`, :class:`recbole_ctx.data.subgraph_loader.SubgraphTrainLoader`.
"""
from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import torch


class FirstBatches:
    """The first ``steps`` batches of ``loader``, starting new epochs as needed.

    It stands in for a loader in ``Trainer._train_epoch`` (which only iterates it and
    asks its length), so that call runs exactly ``steps`` steps.
    """

    def __init__(self, loader: Iterable, steps: int):
        if steps < 1:
            raise ValueError(f"steps must be >= 1, got {steps}")
        self.loader, self.steps = loader, steps

    def __len__(self) -> int:
        return self.steps

    def __iter__(self) -> Iterator[Any]:
        done = 0
        while done < self.steps:
            empty = True
            for batch in self.loader:
                empty = False
                yield batch
                done += 1
                if done == self.steps:
                    return
            if empty:
                raise ValueError("the training loader yields no batch")


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@dataclass(frozen=True)
class Steps:
    """Outcome of :func:`train_steps`.

    Attributes:
        loss: mean training loss over the steps (RecBole's summed epoch loss / steps).
        seconds: wall seconds of the steps.
        steps: how many steps ran.
    """

    loss: float
    seconds: float
    steps: int

    @property
    def finite(self) -> bool:
        return math.isfinite(self.loss)

    @property
    def seconds_per_1000(self) -> float:
        return 1000 * self.seconds / self.steps


def train_steps(trainer, loader: Iterable, steps: int) -> Steps:
    """Run ``steps`` training steps of ``trainer`` (a RecBole Trainer) on ``loader``'s batches."""
    device = torch.device(trainer.device)
    synchronize(device)
    start = time.perf_counter()
    total = trainer._train_epoch(FirstBatches(loader, steps), 0)
    synchronize(device)
    seconds = time.perf_counter() - start
    total = sum(total) if isinstance(total, tuple) else total  # multi-part losses: their sum
    return Steps(float(total) / steps, seconds, steps)


def prepare(config):
    """(protocol, prepared data) of ``config`` through :class:`~recbole_ctx.protocol.Protocol`."""
    from recbole.utils import init_seed

    from recbole_ctx.protocol import Protocol

    protocol = Protocol.resolve(config)
    init_seed(config["seed"], config["reproducibility"])
    return protocol, protocol.create_data(config)


def build_model(config, train_dataset) -> torch.nn.Module:
    """The config's model (plugin first, then RecBole's), seeded, on the config's device."""
    from recbole.utils import init_seed

    from recbole_ctx.utils.registry import get_model

    init_seed(config["seed"], config["reproducibility"])
    return get_model(config["model"])(config, train_dataset).to(config["device"])


def train_and_evaluate(config, steps: int) -> tuple[Steps, dict[str, float]]:
    """``steps`` training steps of the config's model, then one full evaluation of the
    validation split by the protocol's trainer; returns the steps and the metrics."""
    protocol, data = prepare(config)
    model = build_model(config, data.train._dataset)
    trainer = protocol.trainer(config, model)
    result = train_steps(trainer, data.train, steps)
    metrics = trainer.evaluate(data.valid, load_best_model=False, show_progress=False)
    return result, dict(metrics)


def subgraph_train_loader(config, train_dataset):
    """The data layer's training loader of a subgraph model over ``train_dataset``."""
    from recbole_ctx.data.subgraph_builder import SubgraphBuilder
    from recbole_ctx.data.subgraph_loader import SubgraphTrainLoader

    builder = SubgraphBuilder.from_config(config, train_dataset)
    return SubgraphTrainLoader(config, train_dataset, builder, shuffle=config["shuffle"])


def step_time(config, train_dataset, steps: int, warmup: int) -> Steps:
    """Training steps of the config's subgraph model on ``train_dataset`` (RecBole's
    Trainer, the data layer's loader), timed after ``warmup`` untimed steps."""
    from recbole_ctx.utils.registry import get_trainer

    model = build_model(config, train_dataset)
    loader = subgraph_train_loader(config, train_dataset)
    trainer = get_trainer(config["MODEL_TYPE"], config["model"])(config, model)
    if warmup:
        train_steps(trainer, loader, warmup)
    return train_steps(trainer, loader, steps)
