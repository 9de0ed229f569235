"""RecBole trainer with the step learning-rate decay of SR-GNN's reference code.

RecBole 1.2.1's ``Trainer`` keeps the learning rate fixed. The reference code uses
``StepLR(step_size=lr_dc_step, gamma=lr_dc)`` and calls ``scheduler.step()`` at the
*start* of every epoch, so the effective rate of 0-based epoch ``e`` is
``lr * lr_dc ** ((e + 1) // lr_dc_step)`` (with step 3: epochs 0-1 at ``lr``, 2-4 at
``lr * lr_dc``, ...). It is set from the epoch index rather than kept in a scheduler
object, so a resumed run gets the same rate without extra checkpoint state.
"""
from __future__ import annotations

from recbole.trainer import Trainer


def session_learning_rate(base_lr: float, epoch_idx: int, lr_dc: float | None, lr_dc_step: int | None) -> float:
    """Learning rate of 0-based epoch ``epoch_idx``; no decay when ``lr_dc_step`` is unset or 0."""
    if not lr_dc_step or lr_dc is None:
        return base_lr
    return base_lr * lr_dc ** ((epoch_idx + 1) // lr_dc_step)


class SessionTrainer(Trainer):
    """``Trainer`` that applies :func:`session_learning_rate` before each training epoch.

    Config keys: ``lr_dc`` (decay factor), ``lr_dc_step`` (epochs per decay).
    """

    def _train_epoch(self, train_data, epoch_idx, loss_func=None, show_progress=False):
        lr = session_learning_rate(
            self.learning_rate, epoch_idx, self.config["lr_dc"], self.config["lr_dc_step"]
        )
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        return super()._train_epoch(train_data, epoch_idx, loss_func, show_progress)
