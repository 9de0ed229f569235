"""The sampled-softmax class set shared by a mini-batch (ContextGNN paper, sec. 4.4)."""
from __future__ import annotations

import torch
from torch import Tensor


def build_class_set(num_items: int, target_items: Tensor, subgraph_items: Tensor, size: int,
                    generator: torch.Generator | None = None) -> Tensor:
    """Classes of a mini-batch, by priority: ground truth, subgraph items, uniform fill-up.

    Args:
        num_items: number of item ids ``|R|`` (ids in ``[0, num_items)``).
        target_items: int64 [P], ground-truth items of the batch (repeats allowed).
        subgraph_items: int64 [S], items of all sampled subgraphs of the batch.
        size: requested number of classes ``C``.  Ground truth and subgraph items are
            never dropped, so the result holds ``max(C, |targets U subgraph|)`` items,
            capped at ``num_items`` (``C >= num_items``: the full softmax).
        generator: RNG of the uniform fill-up (on the device of the inputs).

    Returns:
        int64 [C'] distinct item ids: the mandatory ones (sorted) then the fill-up.
    """
    device = target_items.device
    mandatory = torch.zeros(num_items, dtype=torch.bool, device=device)
    mandatory[target_items] = True
    mandatory[subgraph_items] = True
    kept = mandatory.nonzero().squeeze(1)
    need = min(size, num_items) - kept.numel()
    if need <= 0:
        return kept
    rest = (~mandatory).nonzero().squeeze(1)
    pick = torch.randperm(rest.numel(), generator=generator, device=device)[:need]
    return torch.cat([kept, rest[pick]])
