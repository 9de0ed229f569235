"""SR-GNN's preprocessing of raw click logs (Diginetica, Yoochoose), vectorised.

A faithful port of CRIPAC-DIG/SR-GNN ``datasets/preprocess.py``:

1. clicks are grouped by session; Diginetica clicks are ordered by ``timeframe``
   (stable), Yoochoose clicks keep file order; a session's date is the date of its last
   row in the file (Diginetica: the day, Yoochoose: the second);
2. sessions of length 1 are dropped, then clicks on items seen < 5 times (counted over
   the remaining sessions), then sessions left with < 2 clicks;
3. sessions dated after ``max date - 7 days`` (Diginetica) / ``- 1 day`` (Yoochoose) are
   the test set, those before it training (a session exactly on the split date is in
   neither, as in SR-GNN); each set is ordered by date (ties: first appearance);
4. items are renumbered 1.. in order of first appearance in training; test clicks on
   unknown items are dropped and test sessions left with < 2 clicks too.

Dates are read as UTC, where SR-GNN used the machine's local time; only differences of
dates matter, so the split is the same unless the log spans a daylight-saving change.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DAY = 86400.0
SPLIT_DAYS = {"diginetica": 7, "yoochoose": 1}
MIN_ITEM_COUNT = 5


@dataclass
class SessionSplit:
    """Sessions as ragged arrays (see :mod:`.ragged`): items are 1-based ints."""

    train_values: np.ndarray  # int64 [T_train]
    train_offsets: np.ndarray  # int64 [S_train + 1]
    train_sessions: np.ndarray  # original session ids, int64 [S_train]
    test_values: np.ndarray
    test_offsets: np.ndarray
    test_sessions: np.ndarray
    num_items: int


def _ordered(rank: np.ndarray, within: np.ndarray, n_sessions: int) -> tuple[np.ndarray, np.ndarray]:
    """Click order: by session ``rank``, then ``within`` (stable); returns (order, offsets)."""
    rank = rank.astype(np.int64)  # an empty side maps to float64
    order = np.lexsort((within, rank))
    counts = np.bincount(rank, minlength=n_sessions)
    return order, np.concatenate(([0], np.cumsum(counts)))


def preprocess(session: np.ndarray, item: np.ndarray, within: np.ndarray, date: np.ndarray, dataset: str) -> SessionSplit:
    """Run the SR-GNN pipeline on clicks given in file order.

    ``session``/``item``: int64 [N] raw ids; ``within``: the in-session sort key
    (timeframe for Diginetica, the row number for Yoochoose); ``date``: float64 [N]
    Unix seconds of each row.
    """
    pos = np.arange(len(session))
    clicks = pd.DataFrame({"session": session, "item": item, "within": within, "date": date, "pos": pos})
    by_session = clicks.groupby("session", sort=False)
    sess = pd.DataFrame({"date": by_session["date"].last(), "first": by_session["pos"].first(), "n": by_session.size()})

    # Step 2: length-1 sessions, then rare items, then short sessions.
    clicks = clicks[clicks["session"].map(sess["n"]).to_numpy() > 1]
    item_count = clicks["item"].map(clicks["item"].value_counts()).to_numpy()
    clicks = clicks[item_count >= MIN_ITEM_COUNT]
    kept_n = clicks.groupby("session", sort=False).size()
    sess = sess.loc[kept_n.index[kept_n.to_numpy() >= 2]]
    clicks = clicks[clicks["session"].isin(sess.index)]

    # Step 3: date split; each side ordered by (date, first appearance).
    split = sess["date"].max() - SPLIT_DAYS[dataset] * DAY
    sess = sess.sort_values(["date", "first"], kind="stable")
    train_ids = sess.index[sess["date"].to_numpy() < split]
    test_ids = sess.index[sess["date"].to_numpy() > split]

    def side(ids: pd.Index) -> tuple[np.ndarray, np.ndarray]:
        rank = pd.Series(np.arange(len(ids)), index=ids)
        part = clicks[clicks["session"].isin(ids)]
        order, offsets = _ordered(part["session"].map(rank).to_numpy(), part["within"].to_numpy(), len(ids))
        return part["item"].to_numpy()[order], offsets

    train_raw, train_offsets = side(train_ids)
    test_raw, test_offsets = side(test_ids)

    # Step 4: renumber by first appearance in training; drop unknown test items.
    codes, uniques = pd.factorize(train_raw)
    test_codes = pd.Index(uniques).get_indexer(test_raw)
    known = test_codes >= 0
    test_len = np.add.reduceat(known.astype(np.int64), test_offsets[:-1]) if len(test_raw) else np.zeros(0, np.int64)
    test_session_of = np.repeat(np.arange(len(test_ids)), np.diff(test_offsets))
    keep_session = test_len >= 2
    keep_click = known & keep_session[test_session_of]
    test_offsets = np.concatenate(([0], np.cumsum(test_len[keep_session])))
    return SessionSplit(
        train_values=codes.astype(np.int64) + 1,
        train_offsets=train_offsets,
        train_sessions=train_ids.to_numpy(),
        test_values=test_codes[keep_click].astype(np.int64) + 1,
        test_offsets=test_offsets,
        test_sessions=test_ids.to_numpy()[keep_session],
        num_items=len(uniques),
    )
