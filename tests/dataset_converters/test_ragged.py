"""Vectorised ragged helpers against their plain-Python definitions."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dataset_converters import ragged

sessions = st.lists(st.lists(st.integers(0, 10**9), max_size=9), max_size=25)


@settings(max_examples=60, deadline=None)
@given(sessions, st.integers(1, 5))
def test_augment_and_join_match_srgnn_definition(seqs, max_len):
    values, offsets = ragged.from_lists(seqs)
    seq, start, target = ragged.augment(offsets)
    expected = [(s[:-i], s[-i]) for s in seqs for i in range(1, len(s))]
    assert values[target].tolist() == [t for _, t in expected]
    if expected:
        joined = ragged.join_windows(values, start, target, max_len).tolist()
        assert joined == [" ".join(map(str, p[-max_len:])) for p, _ in expected]
    owners = [k for k, s in enumerate(seqs) for _ in range(1, len(s))]
    assert seq.tolist() == owners


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-50, 50), st.integers(0, 6)), max_size=20))
def test_ragged_arange(pairs):
    starts = np.array([s for s, _ in pairs], dtype=np.int64)
    lengths = np.array([n for _, n in pairs], dtype=np.int64)
    expected = [v for s, n in pairs for v in range(s, s + n)]
    assert ragged.ragged_arange(starts, lengths).tolist() == expected
