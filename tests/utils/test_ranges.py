"""``concat_ranges`` against the Python loop it replaces."""
from __future__ import annotations

import torch
from hypothesis import given, strategies as st

from recbole_ctx.utils.ranges import concat_ranges


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 6)), max_size=12))
def test_concat_ranges_equals_nested_loop(rows):
    start = torch.tensor([s for s, _ in rows], dtype=torch.long)
    count = torch.tensor([c for _, c in rows], dtype=torch.long)
    expected = [(r, p) for r, (s, c) in enumerate(rows) for p in range(s, s + c)]
    for total in (None, sum(c for _, c in rows)):
        row, position = concat_ranges(start, count, total)
        assert list(zip(row.tolist(), position.tolist())) == expected
        assert row.dtype == position.dtype == torch.long
