from __future__ import annotations

import pytest
import torch

from recbole_ctx.evaluator.csr import ItemCSR


def test_block_slices_rows_including_empty_ones():
    csr = ItemCSR.from_tensor_list([torch.tensor([4, 2]), torch.tensor([], dtype=torch.int64), torch.tensor([7])])
    assert csr.n_rows == 3
    rows, items = csr.block(1, 3)
    assert rows.tolist() == [1] and items.tolist() == [7]
    rows, items = csr.block(0, 2)
    assert rows.tolist() == [0, 0] and items.tolist() == [4, 2]


def test_one_per_row():
    rows, items = ItemCSR.one_per_row(torch.tensor([5, 6, 7])).block(1, 3)
    assert rows.tolist() == [0, 1] and items.tolist() == [6, 7]


def test_length_mismatch_is_refused():
    with pytest.raises(ValueError, match="sum to 3 but 2 items"):
        ItemCSR.from_lengths(torch.tensor([1, 2]), torch.tensor([1, 2]))
