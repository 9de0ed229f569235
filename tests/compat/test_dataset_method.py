"""One Dataset method replaced, RecBole's own kept: the stock-vs-fast comparisons rely on it."""
from __future__ import annotations

import pytest
from recbole.data.dataset.dataset import Dataset

import recbole_ctx  # noqa: F401  (applies the compat layer)
from recbole_ctx.compat import atomic_reader, inter_num_filter, token_remap

PATCHES = {"_load_feat": atomic_reader.LOAD_FEAT, "_filter_by_inter_num": inter_num_filter.FILTER,
           "_remap": token_remap.REMAP}


@pytest.mark.parametrize("name", PATCHES)
def test_stock_swaps_in_the_replaced_method_for_the_block_only(name):
    patch = PATCHES[name]
    assert Dataset.__dict__[name] is patch.replacement
    assert patch.replaced is not None and patch.replaced is not patch.replacement
    with patch.stock():
        assert Dataset.__dict__[name] is patch.replaced
    assert Dataset.__dict__[name] is patch.replacement


@pytest.mark.parametrize("name", PATCHES)
def test_apply_again_keeps_the_first_fallback(name):
    patch = PATCHES[name]
    replaced = patch.replaced
    patch.apply()
    assert patch.replaced is replaced and Dataset.__dict__[name] is patch.replacement
