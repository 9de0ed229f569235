"""Locality score (ContextGNN paper, eq. 1): how many future targets are already local.

``s_k = mean over examples (v, T) of |N_k^(-inf, T](v) ∩ items ∩ Y_v| / |Y_v|``, where
``N_k`` is every node within ``k`` hops of ``v`` over events up to ``T`` (fanout -1).
"""
from __future__ import annotations

import torch
from torch import Tensor
from tqdm import tqdm

from recbole_ctx.data.temporal_dataset import TemporalExamples
from recbole_ctx.sampler.temporal_graph import TemporalGraph
from recbole_ctx.sampler.temporal_sampler import TemporalNeighborSampler


def locality_per_example(graph: TemporalGraph, examples: TemporalExamples, k: int, batch_size: int = 256,
                         show_progress: bool = False) -> Tensor:
    """float64 [N]: share of each example's targets inside the user's k-hop neighbourhood.

    Runs on ``graph``'s device; ``batch_size`` bounds memory (k = 3 with fanout -1 can
    touch most of the graph per seed).
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    device = graph.device
    sampler = TemporalNeighborSampler(graph, [-1] * k, strategy="last", bidirectional=False)
    n_item = graph.num_nodes["item"]
    out = []
    starts = range(0, len(examples), batch_size)
    for start in tqdm(starts, desc=f"locality k={k}", disable=not show_progress):
        stop = min(start + batch_size, len(examples))
        sub = sampler.sample(examples.user[start:stop].to(device), examples.seed_time[start:stop].to(device))
        reached = sub.batch["item"] * n_item + sub.node["item"]
        ptr = examples.target_ptr[start:stop + 1].to(device)
        count = ptr[1:] - ptr[:-1]
        row = torch.repeat_interleave(torch.arange(stop - start, device=device), count)
        target = examples.target_item[int(ptr[0]):int(ptr[-1])].to(device)
        local = torch.isin(row * n_item + target, reached)
        hits = torch.bincount(row[local], minlength=stop - start)
        out.append(hits.double() / count.double())
    return torch.cat(out) if out else torch.zeros(0, dtype=torch.float64)


def locality_score(graph: TemporalGraph, examples: TemporalExamples, k: int, batch_size: int = 256,
                   show_progress: bool = False) -> float:
    """Mean of :func:`locality_per_example` (NaN for a split without examples)."""
    per_example = locality_per_example(graph, examples, k, batch_size, show_progress)
    return float(per_example.mean()) if per_example.numel() else float("nan")
