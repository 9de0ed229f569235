"""Block-wise full sort equals ranking the whole masked score matrix at once."""
from __future__ import annotations

import pytest
import torch
from support.topk_reference import recbole_rec_topk

from recbole_ctx.evaluator.csr import ItemCSR
from recbole_ctx.evaluator.fullsort import block_rows, fullsort_topk


def _random_sets(n_rows: int, n_items: int, max_len: int, gen: torch.Generator) -> list[torch.Tensor]:
    sizes = torch.randint(0, max_len + 1, (n_rows,), generator=gen)
    return [torch.randperm(n_items - 1, generator=gen)[: int(s)] + 1 for s in sizes]


def _reference(scores, positives, history, k, mask_padding=True):
    """RecBole's ``_full_sort_batch_eval`` + ``Collector`` on the whole matrix."""
    scores = scores.clone()
    if mask_padding:
        scores[:, 0] = -torch.inf
    if history is not None:
        rows = torch.cat([torch.full_like(h, r) for r, h in enumerate(history)])
        scores[rows, torch.cat(history)] = -torch.inf
    pos_rows = torch.cat([torch.full_like(p, r) for r, p in enumerate(positives)])
    return recbole_rec_topk(scores, pos_rows, torch.cat(positives), k)


@pytest.mark.parametrize("block_size", [1, 3, 7, 64])
@pytest.mark.parametrize("tied", [False, True])
def test_blocks_equal_whole_matrix(block_size, tied):
    gen = torch.Generator().manual_seed(block_size)
    n_rows, n_items, k = 23, 40, 10
    if tied:
        scores = torch.randint(0, 4, (n_rows, n_items), generator=gen).float()
    else:
        scores = torch.randn(n_rows, n_items, generator=gen)
    positives = _random_sets(n_rows, n_items, 6, gen)
    history = _random_sets(n_rows, n_items, 12, gen)
    got = fullsort_topk(lambda s, e: scores[s:e].clone(), ItemCSR.from_tensor_list(positives), k,
                            ItemCSR.from_tensor_list(history), block_size=block_size).rec_topk
    assert got.shape == (n_rows, k + 1)
    assert torch.equal(got, _reference(scores, positives, history, k))


def test_no_history_mask_and_no_padding_mask():
    gen = torch.Generator().manual_seed(0)
    scores = torch.randn(9, 30, generator=gen)
    scores[:, 0] = 100.0  # would be ranked first unless padding is masked
    positives = _random_sets(9, 30, 5, gen)
    got = fullsort_topk(lambda s, e: scores[s:e].clone(), ItemCSR.from_tensor_list(positives), 5,
                            history=None, block_size=4, mask_padding=False).rec_topk
    assert torch.equal(got, _reference(scores, positives, None, 5, mask_padding=False))
    masked = fullsort_topk(lambda s, e: scores[s:e].clone(), ItemCSR.from_tensor_list(positives), 5,
                               block_size=4).rec_topk
    assert torch.equal(masked, _reference(scores, positives, None, 5))


def test_ranked_items_and_last_column():
    scores = torch.tensor([[0.0, 3.0, 2.0, 1.0], [0.0, 1.0, 2.0, 3.0]])
    positives = ItemCSR.from_tensor_list([torch.tensor([2]), torch.tensor([1, 3])])
    history = ItemCSR.from_tensor_list([torch.tensor([1]), torch.tensor([], dtype=torch.int64)])
    ranked = fullsort_topk(lambda s, e: scores[s:e].clone(), positives, 2, history, block_size=1, with_items=True)
    assert ranked.rec_items.tolist() == [[2, 3], [3, 2]]
    assert ranked.rec_topk.tolist() == [[1, 0, 1], [1, 0, 2]]


def test_bad_score_shape_is_refused():
    positives = ItemCSR.one_per_row(torch.tensor([1, 2, 3]))
    with pytest.raises(ValueError, match=r"score_fn\(0, 2\) returned shape \(2, 3\)"):
        fullsort_topk(lambda s, e: torch.zeros(e - s, 3), positives, 5, block_size=2).rec_topk


def test_block_rows_fits_budget():
    assert block_rows(1000, 8 * 1000 * 50) == 50
    assert block_rows(10**6, 1) == 1
    with pytest.raises(ValueError):
        block_rows(0, 100)
