"""RecBole trainer for session models: SR-GNN's step learning-rate decay and a fused Adam.

RecBole 1.2.1's ``Trainer`` keeps the learning rate fixed. The reference code uses
``StepLR(step_size=lr_dc_step, gamma=lr_dc)`` and calls ``scheduler.step()`` at the
*start* of every epoch, so the effective rate of 0-based epoch ``e`` is
``lr * lr_dc ** ((e + 1) // lr_dc_step)`` (with step 3: epochs 0-1 at ``lr``, 2-4 at
``lr * lr_dc``, ...). It is set from the epoch index rather than kept in a scheduler
object, so a resumed run gets the same rate without extra checkpoint state.

With ``learner: adam`` (RecBole's default) the optimizer is torch's Adam with the same
hyper-parameters, run as one fused kernel where torch has one for the parameters' device
(CPU and CUDA). It is the same algorithm; RecBole's default Adam walks the item table
once per arithmetic step, which on CPU costs about as much as the model's own layers.
"""
from __future__ import annotations

from collections.abc import Iterable

import torch
from recbole.trainer import Trainer

# Devices with a fused Adam kernel in torch >= 2.4 (the project requires a newer torch).
FUSED_ADAM_DEVICES: tuple[str, ...] = ("cpu", "cuda")


def session_learning_rate(base_lr: float, epoch_idx: int, lr_dc: float | None, lr_dc_step: int | None) -> float:
    """Learning rate of 0-based epoch ``epoch_idx``; no decay when ``lr_dc_step`` is unset or 0."""
    if not lr_dc_step or lr_dc is None:
        return base_lr
    return base_lr * lr_dc ** ((epoch_idx + 1) // lr_dc_step)


def build_adam(params: Iterable[torch.nn.Parameter], lr: float, weight_decay: float) -> torch.optim.Adam:
    """``torch.optim.Adam(params, lr, weight_decay=weight_decay)``, fused when the device allows.

    Fused only when every parameter is a floating-point tensor on one device type listed
    in :data:`FUSED_ADAM_DEVICES`; otherwise torch's default implementation.
    """
    params = list(params)
    device_types = {p.device.type for p in params}
    fused = (
        len(device_types) == 1
        and device_types <= set(FUSED_ADAM_DEVICES)
        and all(p.is_floating_point() for p in params)
    )
    # fused=None is torch's own choice (never fused), as in RecBole's Trainer.
    return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay, fused=True if fused else None)


class SessionTrainer(Trainer):
    """``Trainer`` with :func:`session_learning_rate` before each epoch and :func:`build_adam`.

    Config keys: ``lr_dc`` (decay factor), ``lr_dc_step`` (epochs per decay); other
    learners than ``adam`` are built by RecBole as usual.
    """

    def _build_optimizer(self, **kwargs):
        if kwargs.get("learner", self.learner).lower() != "adam":
            return super()._build_optimizer(**kwargs)
        return build_adam(
            kwargs.get("params", self.model.parameters()),
            lr=kwargs.get("learning_rate", self.learning_rate),
            weight_decay=kwargs.get("weight_decay", self.weight_decay),
        )

    def _train_epoch(self, train_data, epoch_idx, loss_func=None, show_progress=False):
        lr = session_learning_rate(
            self.learning_rate, epoch_idx, self.config["lr_dc"], self.config["lr_dc_step"]
        )
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        return super()._train_epoch(train_data, epoch_idx, loss_func, show_progress)
