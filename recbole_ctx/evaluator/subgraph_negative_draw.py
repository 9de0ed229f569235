"""Evaluation negatives drawn from each row's sampled subgraph (``eval_neg_sampler: subgraph``).

RecBole's ``uniXX`` draws an evaluation row's negatives uniformly from all items.  The
ContextGNN paper's IJCAI numbers (Table 4, Kumo reference code) draw them from the items
of the sampled subgraphs instead: items the model has seen near the user, much harder
than uniform ones, so numbers from the two samplers are not comparable and are always
labelled with the sampler.

The reference (``benchmark/tgt_ijcai_benchmark.py``) pools the distinct items of all
subgraphs of an evaluation batch (128-256 users), draws with replacement and excludes
only the user's training purchases.  Here the pool is by default the row's own subgraph,
so a number does not depend on which users share its batch; :func:`widen_pool` gives
each row the items of its group of ``G`` consecutive rows instead (the reference's
batch pool for ``G = 128``).  Rule, per row:

1. candidates: the distinct items of the row's pool, minus the row's excluded
   items (its positives and history, as RecBole's sampler excludes them) and minus
   item 0 (RecBole's ``[PAD]``);
2. ``num`` of them without replacement, uniformly;
3. a row with fewer than ``num`` candidates takes all of them and fills the remaining
   slots uniformly from ``[1, num_items)`` minus its excluded and already drawn items,
   as RecBole's uniform sampler draws (fill draws may repeat each other).  How many
   slots were filled is returned so that callers can report it.
"""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from recbole_ctx.utils.ranges import concat_ranges

_MAX_FILL_ROUNDS = 64  # rejection rounds for the uniform fill before giving up on a row


class SubgraphNegatives(NamedTuple):
    """Negatives of ``B`` rows.

    Attributes:
        items: int64 [B, num] negative item ids; the first ``from_subgraph[r]`` of row
            ``r`` come from its subgraph, the rest are the uniform fill.
        from_subgraph: int64 [B] slots of each row drawn from its subgraph (<= num).
    """

    items: Tensor
    from_subgraph: Tensor


def widen_pool(pool_row: Tensor, pool_item: Tensor, num_rows: int, num_items: int, group_rows: int
               ) -> tuple[Tensor, Tensor]:
    """Give every row the subgraph items of its whole group of ``group_rows`` consecutive rows.

    Args:
        pool_row, pool_item: int64 [M] (row in [0, B), item id) of the rows' subgraph items.
        num_rows: B; num_items: item ids lie in ``[0, num_items)``.
        group_rows: G >= 1; rows ``[gG, (g + 1)G)`` share one pool (G = 1: unchanged).

    Returns:
        (row int64 [M'], item int64 [M']): each distinct item of group g once per member row.
    """
    if group_rows < 1:
        raise ValueError(f"subgraph negatives: the pool group must hold >= 1 rows, got {group_rows}")
    if group_rows == 1:
        return pool_row, pool_item
    keys = torch.unique(torch.div(pool_row, group_rows, rounding_mode="floor") * num_items + pool_item)
    group, item = keys // num_items, keys % num_items
    members = (num_rows - group * group_rows).clamp(max=group_rows)
    entry, member_row = concat_ranges(group * group_rows, members)
    return member_row, item[entry]


def subgraph_negatives(pool_row: Tensor, pool_item: Tensor, exclude_row: Tensor, exclude_item: Tensor,
                       num_rows: int, num_items: int, num: int,
                       generator: torch.Generator | None = None) -> SubgraphNegatives:
    """Per row, ``num`` negatives from the row's subgraph items, filled up uniformly.

    Args:
        pool_row, pool_item: int64 [M] (row in [0, B), item id) of every item node of the
            rows' subgraphs (repeats allowed: a node reached twice counts once).
        exclude_row, exclude_item: int64 [X] (row, item) pairs never drawn for that row.
        num_rows: B.
        num_items: item ids lie in ``[0, num_items)``; 0 is RecBole's padding, never drawn.
        num: negatives per row (> 0).
        generator: RNG on the inputs' device; the result is a function of the inputs and
            the generator's state.

    Returns:
        :class:`SubgraphNegatives` on the inputs' device.

    Raises:
        ValueError: ``num`` < 1, or a row has fewer than one admissible item to fill with.
    """
    if num < 1:
        raise ValueError(f"subgraph negatives: num must be >= 1, got {num}")
    device = pool_item.device
    excluded = torch.unique(exclude_row * num_items + exclude_item)

    keys = torch.unique(pool_row * num_items + pool_item)
    keys = keys[(keys % num_items != 0) & ~torch.isin(keys, excluded)]
    row = keys // num_items
    # A uniform random order within each row: shuffle, then a stable sort by row.
    order = torch.argsort(torch.rand(keys.numel(), generator=generator, device=device))
    order = order[torch.sort(row[order], stable=True).indices]
    keys, row = keys[order], row[order]
    count = torch.bincount(row, minlength=num_rows)
    start = torch.cumsum(count, 0) - count
    rank = torch.arange(keys.numel(), device=device) - start[row]
    keep = rank < num

    out = torch.zeros(num_rows, num, dtype=torch.long, device=device)
    out[row[keep], rank[keep]] = keys[keep] % num_items
    from_subgraph = count.clamp(max=num)
    slot = torch.arange(num, device=device)
    missing = slot.unsqueeze(0) >= from_subgraph.unsqueeze(1)
    if bool(missing.any()):
        _fill_uniform(out, missing, torch.cat((excluded, keys[keep])), num_items, generator)
    return SubgraphNegatives(out, from_subgraph)


def _fill_uniform(out: Tensor, missing: Tensor, excluded: Tensor, num_items: int,
                  generator: torch.Generator | None) -> None:
    """Fill ``out[missing]`` in place with uniform items of ``[1, num_items)`` whose
    (row, item) key ``row * num_items + item`` is not in ``excluded``."""
    if num_items < 2:
        raise ValueError("subgraph negatives: no item besides padding to fill with")
    slot_row, slot_col = missing.nonzero(as_tuple=True)
    for _ in range(_MAX_FILL_ROUNDS):
        draw = torch.randint(1, num_items, (slot_row.numel(),), generator=generator, device=out.device)
        ok = ~torch.isin(slot_row * num_items + draw, excluded)
        out[slot_row[ok], slot_col[ok]] = draw[ok]
        slot_row, slot_col = slot_row[~ok], slot_col[~ok]
        if slot_row.numel() == 0:
            return
    raise ValueError(f"subgraph negatives: row {int(slot_row[0])} found no admissible item in "
                     f"{_MAX_FILL_ROUNDS} uniform draws (it has interacted with almost every item)")
