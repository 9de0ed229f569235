"""Subgraph negatives: drawn from the row's own subgraph, never excluded, filled up uniformly."""
from __future__ import annotations

import pytest
import torch

from recbole_ctx.evaluator.subgraph_negative_draw import subgraph_negatives, widen_pool

NUM_ITEMS = 50


def _pairs(per_row: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    rows = [r for r, items in enumerate(per_row) for _ in items]
    return torch.tensor(rows, dtype=torch.long), torch.tensor([i for items in per_row for i in items],
                                                               dtype=torch.long)


def _draw(pool, exclude, num, seed=0, num_items=NUM_ITEMS):
    return subgraph_negatives(*_pairs(pool), *_pairs(exclude), len(pool), num_items, num,
                              torch.Generator().manual_seed(seed))


def test_rich_subgraphs_give_distinct_negatives_from_the_rows_own_subgraph():
    pool = [list(range(1, 30)) * 2, list(range(20, 45))]  # repeats count once
    exclude = [[1, 2, 3], [20, 44]]
    neg = _draw(pool, exclude, num=10)
    assert neg.items.shape == (2, 10) and neg.from_subgraph.tolist() == [10, 10]
    for row in range(2):
        drawn = neg.items[row].tolist()
        assert len(set(drawn)) == 10
        assert set(drawn) <= set(pool[row]) - set(exclude[row])


def test_short_subgraphs_take_every_candidate_then_fill_uniformly():
    pool = [[5, 6, 7, 0], [8, 9]]  # item 0 is RecBole's padding: never a candidate
    exclude = [[7, 1, 2], [9]]
    neg = _draw(pool, exclude, num=30)
    assert neg.from_subgraph.tolist() == [2, 1]
    assert set(neg.items[0, :2].tolist()) == {5, 6} and neg.items[1, 0].item() == 8
    for row, head in ((0, 2), (1, 1)):
        fill = neg.items[row, head:]
        assert fill.numel() == 30 - head and bool((fill >= 1).all() and (fill < NUM_ITEMS).all())
        # the fill never repeats an excluded item or one already drawn from the subgraph
        assert not set(fill.tolist()) & (set(exclude[row]) | set(neg.items[row, :head].tolist()))


def test_a_row_without_subgraph_items_is_filled_entirely():
    neg = _draw([[], [3]], [[4], []], num=5)
    assert neg.from_subgraph.tolist() == [0, 1]
    assert 4 not in neg.items[0].tolist() and 0 not in neg.items.flatten().tolist()


def test_same_generator_seed_gives_the_same_negatives():
    pool = [list(range(1, 40)), list(range(10, 48))]
    a, b = _draw(pool, [[1], [10]], num=20, seed=3), _draw(pool, [[1], [10]], num=20, seed=3)
    assert torch.equal(a.items, b.items)
    assert not torch.equal(a.items, _draw(pool, [[1], [10]], num=20, seed=4).items)


def test_draws_are_uniform_over_the_rows_candidates():
    # One row, 4 candidates, 1 negative: each candidate should come up ~1/4 of the time.
    gen = torch.Generator().manual_seed(0)
    pool_row, pool_item = torch.zeros(4, dtype=torch.long), torch.tensor([2, 3, 4, 5])
    counts = torch.zeros(NUM_ITEMS)
    for _ in range(400):
        neg = subgraph_negatives(pool_row, pool_item, torch.zeros(0, dtype=torch.long),
                                 torch.zeros(0, dtype=torch.long), 1, NUM_ITEMS, 1, gen)
        counts[neg.items[0, 0]] += 1
    assert counts[2:6].sum() == 400 and counts[2:6].min() > 70


def test_impossible_fill_and_bad_num_are_refused():
    everything = list(range(1, 6))
    with pytest.raises(ValueError, match="row 0"):
        _draw([[]], [everything], num=3, num_items=6)
    with pytest.raises(ValueError, match="num must be"):
        _draw([[1]], [[]], num=0)


def test_widened_pool_gives_each_row_its_groups_items_once():
    row, item = widen_pool(torch.tensor([0, 1, 2, 2, 4]), torch.tensor([1, 2, 3, 3, 4]),
                           num_rows=5, num_items=NUM_ITEMS, group_rows=2)
    pairs = sorted(zip(row.tolist(), item.tolist()))
    assert pairs == [(0, 1), (0, 2), (1, 1), (1, 2), (2, 3), (3, 3), (4, 4)]
    same = widen_pool(torch.tensor([0, 1]), torch.tensor([5, 6]), 2, NUM_ITEMS, 1)
    assert same[0].tolist() == [0, 1] and same[1].tolist() == [5, 6]
    with pytest.raises(ValueError, match=">= 1 rows"):
        widen_pool(torch.tensor([0]), torch.tensor([1]), 1, NUM_ITEMS, 0)
