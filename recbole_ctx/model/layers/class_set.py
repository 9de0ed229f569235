"""The sampled-softmax class set shared by a mini-batch (ContextGNN paper, sec. 4.4)."""
from __future__ import annotations

import warnings

import torch
from torch import Tensor

# Below this share of uniform negatives the two-tower scores of the items outside every
# subgraph barely train: full-sort ranking then puts untrained tail items on top
# (measured on Gowalla with 3 hops, where subgraph items alone exceeded 4096 classes).
MIN_UNIFORM_SHARE = 0.25
_warned_starved = False  # warn once per process, not once per batch


def build_class_set(num_items: int, target_items: Tensor, subgraph_items: Tensor, size: int,
                    generator: torch.Generator | None = None) -> Tensor:
    """Classes of a mini-batch, by priority: ground truth, subgraph items, uniform fill-up.

    Args:
        num_items: number of item ids ``|R|`` (ids in ``[0, num_items)``).
        target_items: int64 [P], ground-truth items of the batch (repeats allowed).
        subgraph_items: int64 [S], items of all sampled subgraphs of the batch.
        size: requested number of classes ``C``.  Ground truth and subgraph items are
            never dropped, so the result holds ``max(C, |targets U subgraph|)`` items,
            capped at ``num_items`` (``C >= num_items``: the full softmax).  Warns (once per
            process) when fewer than ``MIN_UNIFORM_SHARE * C`` uniform negatives are left.
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
    global _warned_starved
    if size < num_items and need < MIN_UNIFORM_SHARE * size and not _warned_starved:
        _warned_starved = True
        warnings.warn(f"sampled softmax: targets and subgraph items take {kept.numel()} of num_classes={size} "
                      f"classes, leaving {max(need, 0)} uniform negatives, so items outside the subgraphs "
                      f"barely train; raise num_classes (>= {num_items} items is the full softmax)",
                      RuntimeWarning, stacklevel=2)
    if need <= 0:
        return kept
    rest = (~mandatory).nonzero().squeeze(1)
    pick = torch.randperm(rest.numel(), generator=generator, device=device)[:need]
    return torch.cat([kept, rest[pick]])
