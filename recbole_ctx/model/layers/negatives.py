"""The reference code's 99 negatives for next-item evaluation: drawn from subgraph items.

RecBole's ``uni100`` draws negatives uniformly from all items.  The Kumo reference's
IJCAI numbers instead draw them uniformly (with replacement) from the distinct items of
all subgraphs sampled for the evaluation batch, skipping the user's training items;
such negatives are harder than uniform ones, so numbers from the two samplers are not
comparable and must be labelled with the sampler used.
"""
from __future__ import annotations

import torch
from torch import Tensor

_MAX_ROUNDS = 32  # redraw rounds before giving up on a row (each round redraws all short rows)


def subgraph_negatives(subgraph_items: Tensor, exclude_row: Tensor, exclude_item: Tensor,
                       num_rows: int, num_items: int, num: int = 99,
                       generator: torch.Generator | None = None) -> Tensor:
    """Per evaluation row, ``num`` negatives from the batch's subgraph items.

    Args:
        subgraph_items: int64 [S] item ids of all subgraphs of the batch (repeats allowed).
        exclude_row, exclude_item: int64 [X] (row, item) pairs never drawn for that row
            (the row's target and training items).
        num_rows: B.
        num_items: ``|R|`` (ids in ``[0, num_items)``).
        num: negatives per row.
        generator: RNG on the device of the inputs.

    Returns:
        int64 [B, num].

    Raises:
        ValueError: a row has no admissible subgraph item.
    """
    device = subgraph_items.device
    pool = torch.unique(subgraph_items)
    excluded = exclude_row * num_items + exclude_item
    out = torch.empty(num_rows, num, dtype=torch.long, device=device)
    missing = torch.ones(num_rows, num, dtype=torch.bool, device=device)
    rows = torch.arange(num_rows, device=device).unsqueeze(1).expand(-1, num)
    for _ in range(_MAX_ROUNDS):
        if pool.numel() == 0 or not bool(missing.any()):
            break
        draw = pool[torch.randint(0, pool.numel(), (num_rows, num), generator=generator, device=device)]
        ok = missing & ~torch.isin(rows * num_items + draw, excluded)
        out[ok] = draw[ok]
        missing &= ~ok
    if bool(missing.any()):
        row = int(missing.any(dim=1).nonzero()[0])
        raise ValueError(f"subgraph negatives: row {row} has no subgraph item outside its excluded "
                         f"items after {_MAX_ROUNDS} draws; sample larger subgraphs or use uni100")
    return out
