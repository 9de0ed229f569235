"""Which events a frontier row draws: Floyd's k-subsets, the visible-window bisection, CSR positions."""
from __future__ import annotations

from collections import Counter

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from recbole_ctx.sampler.event_draw import bisect, floyd_sample, positions


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 30), min_size=1, max_size=8), st.integers(1, 5), st.integers(0, 1000))
def test_floyd_draws_k_distinct_offsets_inside_each_row(counts, k, seed):
    count = torch.tensor([c + k for c in counts])  # rows that draw hold more than k events
    picks = floyd_sample(count, k, torch.Generator().manual_seed(seed))
    assert picks.shape == (k, len(counts))
    for r, c in enumerate(count.tolist()):
        column = picks[:, r].tolist()
        assert len(set(column)) == k and all(0 <= p < c for p in column)


def test_floyd_is_uniform_over_subsets():
    """Every 2-subset of 4 offsets equally often (6 subsets, 6,000 rows; 5 sigma bounds)."""
    picks = floyd_sample(torch.full((6000,), 4), 2, torch.Generator().manual_seed(0))
    subsets = Counter(tuple(sorted(pair)) for pair in picks.t().tolist())
    assert len(subsets) == 6 and all(abs(n - 1000) < 5 * 30 for n in subsets.values())


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.integers(0, 9), max_size=12), min_size=1, max_size=6), st.integers(-1, 10))
def test_bisection_ends_each_window_after_its_last_visible_event(rows, limit):
    rows = [sorted(r) for r in rows]
    time = torch.tensor([float(t) for r in rows for t in r] or [0.0], dtype=torch.float64)
    start = torch.tensor([0] + [len(r) for r in rows[:-1]]).cumsum(0)
    n = torch.tensor([len(r) for r in rows])
    base = start.clone()
    bisect(time, base, n, torch.full((len(rows),), float(limit), dtype=torch.float64),
           steps=int(n.max()).bit_length())
    # after enough halvings the window [base, base + n] holds at most the one answer
    visible = (n > 0) & (time[base.clamp(max=time.numel() - 1)] <= limit)
    got = (base + visible).tolist()
    assert got == [int(s) + sum(t <= limit for t in r) for s, r in zip(start.tolist(), rows)]


def test_positions_lists_each_rows_range_in_row_order():
    pos, row = positions(torch.tensor([5, 0, 9]), torch.tensor([2, 0, 3]))
    assert pos.tolist() == [5, 6, 9, 10, 11] and row.tolist() == [0, 0, 2, 2, 2]
