"""Ragged integer sequences as (flat values, offsets), and their prefix augmentation.

A batch of S sequences is ``values`` int64 [T] (all items, concatenated) plus
``offsets`` int64 [S+1] (sequence ``s`` is ``values[offsets[s]:offsets[s+1]]``).  Every
operation here is vectorised over all sequences at once.
"""
from __future__ import annotations

from itertools import chain

import numpy as np
import pandas as pd


def from_lists(seqs: list[list[int]], dtype: type | str = np.int64) -> tuple[np.ndarray, np.ndarray]:
    """Python lists -> (values [T] of ``dtype``, offsets int64 [S+1]).

    ``dtype=object`` keeps the entries as they are, for checking before any cast.
    """
    lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
    values = np.fromiter(chain.from_iterable(seqs), dtype=dtype, count=int(lengths.sum()))
    return values, np.concatenate(([0], np.cumsum(lengths)))


def ragged_arange(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(starts[k], starts[k] + lengths[k])`` over k; int64 [sum(lengths)]."""
    total = int(lengths.sum())
    keep = lengths > 0
    starts, lengths = starts[keep], lengths[keep]
    step = np.ones(total, dtype=np.int64)
    if len(starts):
        heads = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        step[heads] = starts - np.concatenate(([0], starts[:-1] + lengths[:-1] - 1))
    return np.cumsum(step)


def augment(offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SR-GNN's prefix augmentation of every sequence of length L >= 2.

    For each sequence, in SR-GNN's order (longest prefix first), the examples
    ``seq[:L-1] -> seq[L-1]``, ``seq[:L-2] -> seq[L-2]``, ..., ``seq[:1] -> seq[1]``.
    Returns per example (int64 [E] each): the sequence index, the prefix start and the
    target position (the prefix is ``values[start:target]``), all indexing ``values``.
    """
    lengths = np.diff(offsets)
    n_ex = np.maximum(lengths - 1, 0)
    seq = np.repeat(np.arange(len(lengths)), n_ex)
    # k = 1..L-1 within each sequence; the target sits at position L-k.
    k = ragged_arange(np.ones(len(n_ex), dtype=np.int64), n_ex)
    target = offsets[seq + 1] - k
    return seq, offsets[seq], target


def join_windows(values: np.ndarray, starts: np.ndarray, ends: np.ndarray, max_len: int) -> pd.Series:
    """Space-joined strings of ``values[max(start, end - max_len):end]`` per window.

    Only the most recent ``max_len`` items are kept, the ones sequential models read.
    Windows must be non-empty.  Returns an object Series of length len(starts).
    """
    starts = np.maximum(starts, ends - max_len)
    lengths = ends - starts
    # Stringify each distinct id once; object arrays then join at C speed.
    uniq, inverse = np.unique(values, return_inverse=True)
    tokens = uniq.astype(str).astype(object)[inverse][ragged_arange(starts, lengths)]
    seps = np.full(len(tokens), " ", dtype=object)
    seps[np.cumsum(lengths) - 1] = "\n"  # ends a window
    interleaved = np.empty(2 * len(tokens), dtype=object)
    interleaved[0::2], interleaved[1::2] = tokens, seps
    return pd.Series("".join(interleaved.tolist()).split("\n")[:-1], dtype=object)
