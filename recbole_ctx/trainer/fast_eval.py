"""On-device evaluation for any RecBole trainer: ``with_fast_eval(trainer_cls)``.

RecBole's ``Trainer.evaluate`` builds each batch in Python (one user per batch once
``eval_batch_size < n_items``), masks history with per-user index lists and ranks every
batch in a separate round trip.  The wrapped trainer instead

- full sort: scores memory-sized blocks of users/sequences with the model's own
  ``full_sort_predict``, masks ``[PAD]`` and history from CSR indices built once per
  dataloader, ranks with ``torch.topk`` on the device and keeps only the ``rec.topk``
  hit matrix (``recbole_ctx.evaluator.fullsort``);
- sampled (``uni100``, ``pop100``, ...): iterates RecBole's own dataloader (same negatives),
  encodes each interaction once and gathers its candidates' scores
  (``recbole_ctx.evaluator.sampled``); with ``eval_neg_sampler: subgraph`` each positive
  is ranked against negatives from its own sampled subgraph instead
  (``recbole_ctx.evaluator.subgraph_negatives``).  Sampled passes log which negatives
  they used (``negatives: <sampler> (N per row...)``).

The hit matrix goes to the trainer's own collector and evaluator, so results are
RecBole's metrics with RecBole's rounding.  Anything else (value metrics, rank-based
metrics such as GAUC, dynamic negatives, sampled evaluation under DDP, models without
``full_sort_predict``) runs RecBole's loop unchanged.  Batch ``transform``s run per
block as RecBole runs them per batch; one that rewrote the target items would change
what is ranked, so it is refused with an error.

Config keys: ``fast_eval`` (bool, default True), ``eval_block_bytes`` (int, default
``recbole_ctx.evaluator.fullsort.DEFAULT_BLOCK_BYTES``), ``eval_neg_sampler``
(``uniform`` default | ``subgraph``) and ``eval_neg_pool_rows`` (see
``recbole_ctx.evaluator.subgraph_negatives``).
"""
from __future__ import annotations

import functools
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

import torch
from recbole.data.dataloader import FullSortEvalDataLoader, NegSampleEvalDataLoader
from recbole.data.interaction import Interaction, cat_interactions
from recbole.model.abstract_recommender import AbstractRecommender
from recbole.trainer import Trainer
from recbole.utils import EvaluatorType
from torch import Tensor
from tqdm import tqdm

from recbole_ctx.evaluator.csr import ItemCSR
from recbole_ctx.evaluator.distributed import ranked_over_ranks
from recbole_ctx.evaluator.fullsort import DEFAULT_BLOCK_BYTES, RankedRows, block_rows, fullsort_topk
from recbole_ctx.evaluator.sampled import candidate_scores, sampled_topk, source_rows
from recbole_ctx.data.subgraph_loader import model_input, rows_only
from recbole_ctx.evaluator.subgraph_negatives import SubgraphNegativeRanker, eval_neg_sampler
from recbole_ctx.trainer import checkpoint

# Trainer hooks whose override means a plugin evaluates differently from RecBole's loop.
_EVAL_HOOKS = ("evaluate", "_full_sort_batch_eval", "_neg_sample_batch_eval")
# Collector keys that need more than the top-k ranking of each row.
_UNSUPPORTED_KEYS = ("rec.meanrank", "rec.score", "data.label")

# Per-dataloader CSR indices: built on the first evaluation, reused every epoch.
EvalIndex = tuple[ItemCSR, ItemCSR | None]
_INDEX_CACHE: "weakref.WeakKeyDictionary[Any, dict[str, EvalIndex]]" = weakref.WeakKeyDictionary()


def take_rows(interaction: Interaction, index: Tensor | slice) -> Interaction:
    """Rows ``index`` of every field (``Interaction[tensor]`` goes through ``tolist``)."""
    return Interaction({key: value[index] for key, value in interaction.interaction.items()})


def eval_index(eval_data: FullSortEvalDataLoader, sequential: bool, device: torch.device) -> EvalIndex:
    """(positives, history) CSR over the dataloader's rows, on ``device``.

    General models: rows are ``eval_data.uid_list`` (RecBole's row order), positives and
    history are RecBole's own ``uid2positive_item`` / ``uid2history_item``.  Sequential
    models: one row per interaction of the eval dataset, its target item the positive,
    no history mask (as in RecBole).
    """
    per_device = _INDEX_CACHE.setdefault(eval_data, {})
    key = str(device)
    if key not in per_device:
        if sequential:
            items = eval_data._dataset.inter_feat[eval_data._dataset.iid_field]
            per_device[key] = (ItemCSR.one_per_row(items).to(device), None)
        else:
            uids = eval_data.uid_list.numpy()
            positives = ItemCSR.from_tensor_list(eval_data.uid2positive_item[uids])
            history = ItemCSR.from_tensor_list(eval_data.uid2history_item[uids])
            per_device[key] = (positives.to(device), history.to(device))
    return per_device[key]


SampledBatch = tuple[Interaction, Tensor, Tensor, Tensor]


def merged_sampled_batches(batches: Iterable[SampledBatch], max_users: int) -> Iterator[SampledBatch]:
    """Concatenate consecutive ``NegSampleEvalDataLoader`` batches up to ``max_users`` users
    (or one batch, if that alone has more).

    RecBole sizes those batches by ``eval_batch_size`` rows, i.e. a handful of users at
    101 rows each; ranking them one by one is per-call overhead.  User slots
    (``row_idx``, ``positive_u``) are shifted so each merged batch keeps RecBole's layout.
    """
    pending: list[SampledBatch] = []
    n_users = 0

    def merge() -> SampledBatch:
        offsets = torch.tensor([0] + [int(b[2][-1]) + 1 for b in pending[:-1]]).cumsum(0).tolist()
        return (cat_interactions([b[0] for b in pending]),
                torch.cat([b[1] + off for b, off in zip(pending, offsets)]),
                torch.cat([b[2] + off for b, off in zip(pending, offsets)]),
                torch.cat([b[3] for b in pending]))

    for batch in batches:
        users = int(batch[2][-1]) + 1
        if pending and n_users + users > max_users:
            yield merge()
            pending, n_users = [], 0
        pending.append(batch)
        n_users += users
    if pending:
        yield merge()


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

    @torch.no_grad()
    def evaluate(self, eval_data, load_best_model=True, model_file=None, show_progress=False):
        """RecBole's ``Trainer.evaluate`` contract: OrderedDict metric -> value, or None
        for empty ``eval_data``."""
        mode = self._fast_eval_mode(eval_data) if eval_data else None
        recbole_negatives = mode != "sampled" and isinstance(eval_data, NegSampleEvalDataLoader)
        if self._neg_sampler == "subgraph" and recbole_negatives:
            raise ValueError("eval_neg_sampler: subgraph cannot replace dynamic or labelled "
                             "evaluation negatives")
        if mode is None:
            return super().evaluate(eval_data, load_best_model, model_file, show_progress)
        if load_best_model:
            checkpoint.load_best_model(self, model_file)
        self.model.eval()
        rank = self._rank_full_sort if mode == "full" else self._rank_sampled
        rows = rank(eval_data, show_progress)
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
        enabled = config["fast_eval"] if "fast_eval" in config else True
        return bool(enabled and self._fast_eval_allowed
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

    def _block_size(self, n_items: int) -> int:
        budget = self.config["eval_block_bytes"] if "eval_block_bytes" in self.config else None
        return block_rows(n_items, int(budget or DEFAULT_BLOCK_BYTES))

    def _scores(self, eval_data, interaction: Interaction, n_items: int) -> Tensor:
        """float [B, n_items] from ``full_sort_predict`` (general models return it flat) of
        ``interaction``'s rows, with their subgraphs for the models that read them."""
        batch = model_input(eval_data, interaction).to(self.device)
        return self.model.full_sort_predict(batch).view(len(interaction), n_items)

    def _score_rows(self, eval_data, interaction: Interaction, rows: Tensor, n_items: int) -> Tensor:
        return self._scores(eval_data, take_rows(interaction, rows), n_items)

    def _rank_full_sort(self, eval_data: FullSortEvalDataLoader, show_progress: bool) -> RankedRows:
        dataset = eval_data._dataset
        n_items = dataset.item_num
        positives, history = eval_index(eval_data, eval_data.is_sequential, self.device)
        if eval_data.is_sequential:
            def score_block(start: int, end: int) -> Tensor:
                raw = dataset[start:end]
                interaction = eval_data.transform(dataset, raw)
                if not torch.equal(interaction[dataset.iid_field], raw[dataset.iid_field]):
                    raise ValueError(f"transform {self.config['transform']!r} changed the target items "
                                     "that full-sort evaluation ranks; set fast_eval: False")
                return self._scores(eval_data, interaction, n_items)
        else:
            def score_block(start: int, end: int) -> Tensor:
                return self._scores(eval_data, take_rows(eval_data.user_df, slice(start, end)), n_items)
        def rank_rows(start: int, end: int) -> RankedRows:
            return fullsort_topk(
                score_block, positives, max(self.config["topk"]), history,
                block_size=self._block_size(n_items), mask_padding=True,
                with_items=bool(self.eval_collector.register.need("rec.items")), progress=show_progress,
                row_range=(start, end),
            )

        return ranked_over_ranks(rank_rows, positives.n_rows)

    def _rank_sampled(self, eval_data: NegSampleEvalDataLoader, show_progress: bool) -> RankedRows:
        n_items = eval_data._dataset.item_num
        k = max(self.config["topk"])
        block_size = self._block_size(n_items)
        iid_field = self.config["ITEM_ID_FIELD"]
        with_items = bool(self.eval_collector.register.need("rec.items"))
        hits, ranked = [], []
        ranker = None
        if self._neg_sampler == "subgraph":
            ranker = SubgraphNegativeRanker(self.model, eval_data, int(self.config["seed"]))
        with rows_only(eval_data):  # subgraphs are sampled for the rows scored, below
            batches = list(tqdm(eval_data, total=len(eval_data), desc="sampled eval", disable=not show_progress))
        for interaction, row_idx, positive_u, positive_i in merged_sampled_batches(batches, block_size):
            interaction = interaction.to(self.device)
            row_idx, positive_u, positive_i = (t.to(self.device) for t in (row_idx, positive_u, positive_i))
            sources, source_of = source_rows(row_idx, positive_u, eval_data.times)
            if ranker is not None:
                positives = take_rows(interaction, sources)
                block_hits, block_items = ranker.rank(positives, positive_u, positive_i, k, block_size)
            else:
                items = interaction[iid_field]
                score_rows = functools.partial(self._score_rows, eval_data, interaction, n_items=n_items)
                cand = candidate_scores(score_rows, sources, source_of, items, block_size)
                block_hits, block_items = sampled_topk(cand, row_idx, items, positive_u, positive_i,
                                                       n_items, k)
            hits.append(block_hits)
            if with_items:
                ranked.append(block_items)
        args = eval_data.neg_sample_args
        uniform = f"negatives: {args['distribution']} ({args['sample_num']} per row, RecBole's sampler)"
        self.logger.info(ranker.label() if ranker is not None else uniform)
        return RankedRows(torch.cat(hits).cpu(), torch.cat(ranked).cpu() if with_items else None)


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
