"""Evaluation of the temporal (RelBench) protocol for any trainer: ``with_temporal_eval``.

RecBole's ``Trainer.evaluate`` cannot take the temporal (user, T) loaders; the
wrapped trainer ranks every item for every row with the model's
``full_sort_predict`` and nothing masked (``recbole_ctx.evaluator.temporal``).
"""
from __future__ import annotations

import functools
from collections import OrderedDict

import torch

from recbole_ctx.evaluator.temporal import evaluate_temporal
from recbole_ctx.evaluator.user_sample import eval_user_sample
from recbole_ctx.trainer import best_model


class TemporalEvalMixin:
    """``evaluate`` over a :class:`~recbole_ctx.data.TemporalExampleLoader`."""

    def __init__(self, config, model):
        super().__init__(config, model)
        eval_user_sample(config)  # a bad value fails here, not after the first epoch

    @torch.no_grad()
    def evaluate(self, eval_data, load_best_model: bool = True, model_file: str | None = None,
                 show_progress: bool = False) -> OrderedDict | None:
        if not eval_data:
            return None
        if load_best_model:
            best_model.load_best_model(self, model_file)
        self.model.eval()
        return evaluate_temporal(self.model.full_sort_predict, eval_data, self.config,
                                 device=self.device, show_progress=show_progress)


@functools.cache
def with_temporal_eval(trainer_cls: type) -> type:
    """Subclass of ``trainer_cls`` evaluating with the temporal protocol."""
    return type(f"Temporal{trainer_cls.__name__}", (TemporalEvalMixin, trainer_cls), {"__module__": __name__})
