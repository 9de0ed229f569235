"""RecBole trainer for session models: SR-GNN's step learning-rate decay and a fused Adam.

The decay (``lr_dc``, ``lr_dc_step``) is :mod:`recbole_ctx.trainer.lr_schedule`'s.

With ``learner: adam`` (RecBole's default) the optimizer is torch's Adam with the same
hyper-parameters, run as one fused kernel where torch has one for the parameters' device
(CPU and CUDA). It is the same algorithm; RecBole's default Adam walks the item table
once per arithmetic step, which on CPU costs about as much as the model's own layers.
"""
from __future__ import annotations

from collections.abc import Iterable

import torch
from recbole.trainer import Trainer

from recbole_ctx.trainer.lr_schedule import EpochLRSchedule

# Devices with a fused Adam kernel in torch >= 2.4 (the project requires a newer torch).
FUSED_ADAM_DEVICES: tuple[str, ...] = ("cpu", "cuda")


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


class SessionTrainer(EpochLRSchedule, Trainer):
    """``Trainer`` with SR-GNN's per-epoch learning rate and :func:`build_adam`.

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
