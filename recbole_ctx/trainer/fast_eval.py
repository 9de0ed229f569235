"""On-device evaluation for any RecBole trainer: ``with_fast_eval(trainer_cls)``.

RecBole's ``Trainer.evaluate`` builds each batch in Python (one user per batch once
``eval_batch_size < n_items``), masks history with per-user index lists and ranks every
batch in a separate round trip.  The wrapped trainer hands full-sort and sampled
loaders to :class:`recbole_ctx.evaluator.recbole_loaders.LoaderRanker` instead (scores
memory-sized blocks on the device, keeps only the ``rec.topk`` hit matrix) and gives
the hit matrix to the trainer's own collector and evaluator, so results are RecBole's
metrics with RecBole's rounding.  Anything else (value metrics, rank-based metrics such
as GAUC, dynamic negatives, sampled evaluation under DDP, models without
``full_sort_predict``) runs RecBole's loop unchanged.

Config keys (defaults in ``configs/overall.yaml``): ``fast_eval`` (bool),
``eval_block_bytes`` (int), ``eval_neg_sampler`` (``uniform`` | ``subgraph``) and
``eval_neg_pool_rows`` (see ``recbole_ctx.evaluator.eval_neg_sampler``), ``eval_user_sample``
(see ``recbole_ctx.evaluator.user_sample``; only the fast path samples users, so a run that
sets it and would take RecBole's loop is refused).
"""
from __future__ import annotations

import functools

import torch
from recbole.data.dataloader import FullSortEvalDataLoader, NegSampleEvalDataLoader
from recbole.model.abstract_recommender import AbstractRecommender
from recbole.trainer import Trainer
from recbole.utils import EvaluatorType

from recbole_ctx.evaluator.recbole_loaders import LoaderRanker
from recbole_ctx.evaluator.eval_neg_sampler import eval_neg_sampler
from recbole_ctx.evaluator.user_sample import eval_user_sample
from recbole_ctx.trainer import best_model
from recbole_ctx.utils.plugin_defaults import plugin_option

# Trainer hooks whose override means a plugin evaluates differently from RecBole's loop.
_EVAL_HOOKS = ("evaluate", "_full_sort_batch_eval", "_neg_sample_batch_eval")
# Collector keys that need more than the top-k ranking of each row.
_UNSUPPORTED_KEYS = ("rec.meanrank", "rec.score", "data.label")


def _implements_full_sort(model: torch.nn.Module) -> bool:
    return getattr(type(model), "full_sort_predict", None) is not AbstractRecommender.full_sort_predict


def _keeps_recbole_eval_loop(trainer_cls: type) -> bool:
    """True when ``trainer_cls`` evaluates with RecBole's ``Trainer`` loop unchanged, or
    declares (itself or by inheritance) ``fast_eval_compatible = True``."""
    if not issubclass(trainer_cls, Trainer):
        return False
    if getattr(trainer_cls, "fast_eval_compatible", False):
        return True
    below_trainer = trainer_cls.__mro__[: trainer_cls.__mro__.index(Trainer)]
    return not any(hook in vars(cls) for cls in below_trainer for hook in _EVAL_HOOKS)


class FastEvalMixin:
    """``evaluate`` on the device; see the module docstring.  Use via ``with_fast_eval``."""

    _fast_eval_allowed = False

    def __init__(self, config, model):
        super().__init__(config, model)
        # Checked against the run by ``recbole_ctx.protocol.Protocol.resolve``.
        self._neg_sampler = eval_neg_sampler(config)
        self._user_sample = eval_user_sample(config)

    @torch.no_grad()
    def evaluate(self, eval_data, load_best_model=True, model_file=None, show_progress=False):
        """RecBole's ``Trainer.evaluate`` contract: OrderedDict metric -> value, or None
        for empty ``eval_data``."""
        mode = self._fast_eval_mode(eval_data) if eval_data else None
        recbole_negatives = mode != "sampled" and isinstance(eval_data, NegSampleEvalDataLoader)
        if self._neg_sampler == "subgraph" and recbole_negatives:
            raise ValueError("eval_neg_sampler: subgraph cannot replace dynamic or labelled "
                             "evaluation negatives")
        if mode is None and eval_data and self._user_sample is not None:
            raise ValueError("eval_user_sample needs the on-device evaluation (fast_eval: True, ranking "
                             "metrics, full_sort_predict, single process for uniN); this evaluation "
                             "takes RecBole's loop, which evaluates every user")
        if mode is None:
            return super().evaluate(eval_data, load_best_model, model_file, show_progress)
        if load_best_model:
            best_model.load_best_model(self, model_file)
        self.model.eval()
        ranker = LoaderRanker(self.model, self.config, self.device,
                              bool(self.eval_collector.register.need("rec.items")), self._neg_sampler)
        rows = (ranker.full_sort if mode == "full" else ranker.sampled)(eval_data, show_progress)
        self.eval_collector.data_struct.set("rec.topk", rows.rec_topk)
        if rows.rec_items is not None:
            self.eval_collector.data_struct.set("rec.items", rows.rec_items)
        self.eval_collector.model_collect(self.model)
        result = self.evaluator.evaluate(self.eval_collector.get_data_struct())
        self.wandblogger.log_eval_metrics(result, head="eval")
        return result

    def _fast_eval_possible(self) -> bool:
        """The conditions of the on-device evaluation that do not depend on the dataloader."""
        config = self.config
        return bool(plugin_option(config, "fast_eval") and self._fast_eval_allowed
                    and config["eval_type"] == EvaluatorType.RANKING and _implements_full_sort(self.model)
                    and not any(self.eval_collector.register.need(key) for key in _UNSUPPORTED_KEYS))

    def _fast_eval_mode(self, eval_data) -> str | None:
        """'full', 'sampled' or None (RecBole's own loop)."""
        if not self._fast_eval_possible():
            return None
        if isinstance(eval_data, FullSortEvalDataLoader):
            return "full"
        if isinstance(eval_data, NegSampleEvalDataLoader):
            if not self.config["single_spec"]:
                return None  # DDP shards (and pads) these batches by user: RecBole's loop
            args = eval_data.neg_sample_args
            sampled = args["distribution"] != "none" and args["sample_num"] != "none"
            return "sampled" if sampled and not args.get("dynamic", False) else None
        return None


@functools.cache
def with_fast_eval(trainer_cls: type) -> type:
    """Subclass of ``trainer_cls`` whose ``evaluate`` takes the fast path when it can.

    A trainer that overrides RecBole's evaluation hooks (``evaluate``,
    ``_full_sort_batch_eval``, ``_neg_sample_batch_eval``) keeps its own evaluation
    unless the class sets ``fast_eval_compatible = True``.
    """
    if issubclass(trainer_cls, FastEvalMixin):
        return trainer_cls
    return type(
        f"FastEval{trainer_cls.__name__}",
        (FastEvalMixin, trainer_cls),
        {"_fast_eval_allowed": _keeps_recbole_eval_loop(trainer_cls), "__module__": __name__},
    )
