"""Evaluation of the temporal protocol with RecBole's metrics.

Every item is ranked for every (user, T) row; nothing the user had before T is masked
(repeat purchases count), only the ``[PAD]`` item id 0.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

import torch
from torch import Tensor

from recbole_ctx.data.temporal_task import TemporalProtocol
from recbole_ctx.data.subgraph_loader import model_input
from recbole_ctx.evaluator.csr import ItemCSR
from recbole_ctx.evaluator.distributed import ranked_over_ranks
from recbole_ctx.evaluator.fullsort import fullsort_topk
from recbole_ctx.evaluator.topk import evaluate_rec_topk
from recbole_ctx.evaluator.user_sample import config_sample, log_sample
from recbole_ctx.utils.ranges import concat_ranges

PROTOCOL_METRICS = ("Recall", "NDCG", "Hit", "MAP", "MRR")


def apply_protocol_metrics(config, protocol: TemporalProtocol) -> None:
    """Add the task's ``eval_k`` to ``config['topk']`` and the protocol's metrics to
    ``config['metrics']`` (keeping what the user asked for)."""
    topk = config["topk"]
    topk = [topk] if isinstance(topk, int) else list(topk)
    config["topk"] = sorted(set(topk) | {protocol.eval_k})
    metrics = list(config["metrics"])
    asked = {m.lower() for m in metrics}
    config["metrics"] = metrics + [m for m in PROTOCOL_METRICS if m.lower() not in asked]


def evaluate_temporal(score_fn: Callable[[Any], Tensor], loader, config,
                      device: torch.device | str | None = None, show_progress: bool = False) -> OrderedDict:
    """RecBole metrics of ``score_fn`` over every (user, T) row of ``loader`` (with
    ``eval_user_sample``: the rows of the sampled users, see
    :mod:`recbole_ctx.evaluator.user_sample`).

    Ranks block by block with the shared full-sort path
    (:func:`recbole_ctx.evaluator.fullsort.fullsort_topk`, no history mask), one block
    per ``eval_batch_size`` rows of the loader's examples.

    Args:
        score_fn: maps a batch (``Interaction`` with the user field and ``seed_time``, or
            for the subgraph models the :class:`SubgraphBatch` of those rows) to float
            scores [B, n_items] (or [B * n_items], as RecBole's ``full_sort_predict``
            returns them), higher is better.
        loader: a :class:`TemporalExampleLoader` of the split.
        config: RecBole config (``metrics``, ``topk``, ``metric_decimal_place``).
        device: the scoring device: batches go there before ``score_fn`` (default: CPU).

    Returns:
        RecBole's metric dict, e.g. ``{"recall@10": ..., "map@10": ...}``.
    """
    k = max(config["topk"]) if not isinstance(config["topk"], int) else config["topk"]
    examples = loader.examples
    sample = config_sample(config, examples.user, loader._dataset.user_num)
    rows = torch.arange(len(examples)) if sample is None else sample.rows
    lengths = examples.target_ptr.diff()[rows]
    _, target = concat_ranges(examples.target_ptr[rows], lengths)
    positives = ItemCSR.from_lengths(lengths, examples.target_item[target]).to(device or "cpu")

    def score_rows(start: int, end: int) -> Tensor:
        batch = model_input(loader, loader.rows(rows[start:end]))
        if device is not None:
            batch = batch.to(device)
        return score_fn(batch).view(end - start, -1)

    def rank_rows(start: int, end: int):
        return fullsort_topk(score_rows, positives, k, history=None, block_size=loader.step, mask_padding=True,
                             progress=show_progress, row_range=(start, end))

    with torch.no_grad():
        ranked = ranked_over_ranks(rank_rows, len(rows))  # under DDP: a share per rank, gathered
    if sample is not None:
        log_sample(config, sample, ranked.rec_topk)
    return evaluate_rec_topk(config, ranked.rec_topk)
