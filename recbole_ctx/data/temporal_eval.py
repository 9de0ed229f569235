"""Evaluation of the temporal protocol with RecBole's metrics.

Every item is ranked for every (user, T) row; nothing the user had before T is masked
(repeat purchases count), only the ``[PAD]`` item id 0.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Callable

import torch
from recbole.data.interaction import Interaction
from torch import Tensor
from tqdm import tqdm

from recbole_ctx.data.protocol import TemporalProtocol
from recbole_ctx.data.temporal_dataset import targets_csr
from recbole_ctx.evaluator.topk import evaluate_rec_topk, rec_topk

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


def evaluate_temporal(score_fn: Callable[[Interaction], Tensor], loader, config,
                      device: torch.device | str | None = None, show_progress: bool = False) -> OrderedDict:
    """RecBole metrics of ``score_fn`` over every (user, T) row of ``loader``.

    Args:
        score_fn: maps a batch (``Interaction`` with the user field and ``seed_time``)
            to float scores [B, n_items] (or [B * n_items], as RecBole's
            ``full_sort_predict`` returns them), higher is better.
        loader: a :class:`TemporalExampleLoader` of the split.
        config: RecBole config (``metrics``, ``topk``, ``metric_decimal_place``).
        device: where batches go before ``score_fn`` (default: left where they are).

    Returns:
        RecBole's metric dict, e.g. ``{"recall@10": ..., "map@10": ...}``.
    """
    k = max(config["topk"]) if not isinstance(config["topk"], int) else config["topk"]
    rows = []
    batches = tqdm(loader, desc="evaluate", disable=not show_progress)
    with torch.no_grad():
        for batch in batches:
            if device is not None:
                batch = batch.to(device)
            num_rows = batch[loader._dataset.uid_field].numel()
            scores = score_fn(batch).view(num_rows, -1).clone()
            scores[:, 0] = -torch.inf  # [PAD] is never an item
            ptr, items = targets_csr(batch)
            pos_rows = torch.repeat_interleave(torch.arange(num_rows, device=ptr.device), ptr[1:] - ptr[:-1])
            rows.append(rec_topk(scores, pos_rows.to(scores.device), items.to(scores.device), k).cpu())
    return evaluate_rec_topk(config, torch.cat(rows))
