"""Per-epoch learning rates for RecBole's ``Trainer``, which keeps the rate fixed.

Two schedules, set from config keys (both off by default):

* step decay (SR-GNN's reference: ``StepLR(step_size=lr_dc_step, gamma=lr_dc)`` stepped at
  the *start* of every epoch): the rate of 0-based epoch ``e`` is
  ``lr * lr_dc ** ((e + 1) // lr_dc_step)`` (step 3: epochs 0-1 at ``lr``, 2-4 at
  ``lr * lr_dc``, ...);
* exponential decay (the ContextGNN reference's benchmark): ``lr * lr_decay ** e``.

The rate is a function of the epoch index, not scheduler state.  It is applied through
RecBole's own per-epoch hook, ``_generate_train_loss_output`` (called once after every
training epoch), for the next epoch; the optimizer state that RecBole checkpoints
carries it across a resume.
"""
from __future__ import annotations

import functools
from typing import Any


def epoch_learning_rate(base_lr: float, epoch_idx: int, lr_dc: float | None = None, lr_dc_step: int | None = None,
                        lr_decay: float | None = None) -> float:
    """Learning rate of 0-based epoch ``epoch_idx`` (``base_lr`` when no schedule is set)."""
    rate = float(base_lr)
    if lr_dc_step and lr_dc is not None:
        rate *= lr_dc ** ((epoch_idx + 1) // lr_dc_step)
    if lr_decay is not None:
        rate *= lr_decay ** epoch_idx
    return rate


def has_schedule(config: Any) -> bool:
    return bool(config["lr_dc_step"] and config["lr_dc"] is not None) or config["lr_decay"] is not None


class EpochLRSchedule:
    """Trainer mixin: the learning rate of every epoch from :func:`epoch_learning_rate`.

    Config keys: ``lr_dc`` and ``lr_dc_step`` (step decay), ``lr_decay`` (exponential).
    """

    def __init__(self, config: Any, model: Any):
        super().__init__(config, model)
        self._set_epoch_learning_rate(0)

    def _set_epoch_learning_rate(self, epoch_idx: int) -> None:
        rate = epoch_learning_rate(self.learning_rate, epoch_idx, self.config["lr_dc"], self.config["lr_dc_step"],
                                   self.config["lr_decay"])
        for group in self.optimizer.param_groups:
            group["lr"] = rate

    def _generate_train_loss_output(self, epoch_idx, s_time, e_time, losses):
        self._set_epoch_learning_rate(epoch_idx + 1)
        return super()._generate_train_loss_output(epoch_idx, s_time, e_time, losses)


@functools.cache
def with_lr_schedule(trainer_cls: type) -> type:
    """``trainer_cls`` with :class:`EpochLRSchedule` (unchanged if it has it already)."""
    if issubclass(trainer_cls, EpochLRSchedule):
        return trainer_cls
    return type(f"Scheduled{trainer_cls.__name__}", (EpochLRSchedule, trainer_cls), {"__module__": __name__})
