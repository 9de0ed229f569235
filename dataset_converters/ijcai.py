"""IJCAI-15 (Tmall) multi-behaviour data -> RecBole atomic files + next-item test split.

Sources:

- the raw contest log ``user_log_format1.csv`` (``user_id, item_id, cat_id, seller_id,
  brand_id, time_stamp, action_type``; ``time_stamp`` is ``mmdd`` of 2015 and
  ``action_type`` 0 click / 1 cart / 2 buy / 3 fav);
- the TGT / ContextGNN pickles: ``trn_click``, ``trn_cart``, ``trn_fav``, ``trn_buy``
  (scipy CSR user x item, value = ``mmdd`` day of the interaction) and ``tst_int`` (per
  user the held-out test item, or None).  Missing behaviour files are allowed: they are
  logged and listed under ``missing_behaviors`` in the yaml.

Output in ``<out>/<name>/``: ``<name>.inter`` (``user_id, item_id, timestamp, behavior``;
timestamp = Unix seconds of the 2015 day, UTC), ``<name>.item`` (raw log only:
``cat_id, seller_id, brand_id``), ``<name>.test.label`` (``user_id, timestamp, item_id``:
the test target of each test user) and ``<name>.yaml``.

Next-item test split (ContextGNN Table 4: the last purchase of each test user, ranked
against 99 sampled negatives = RecBole ``mode: uni99``, 100 candidates). We do not write
benchmark files: RecBole's sequential benchmark form is pre-augmented (one row per
prefix), far too large for IJCAI. Instead each test target is the *last* event of its
user in ``.inter``, so RecBole's leave-one-out ordering (``split: {LS: valid_and_test},
order: TO``) makes it the test item:

- pickles: the ``tst_int`` item becomes a ``buy`` one day after the last training day
  (TGT holds it out of ``trn_buy``; the pickles carry no date for it);
- raw log: the target is each user's last ``buy`` (latest day; on ties the last row of
  the file).  The log has only days, so the target is stamped at the last second of its
  day, and the user's events on later days are dropped (they are the future of the test
  target); the count dropped is logged.

RecBole's leave-one-out also evaluates users without a test target on their last event,
and gives a test row only to users with at least 3 events (one each for train, valid and
test); ``<name>.test.label`` lists exactly the Table 4 test users for evaluators that
restrict to them.
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .atomic import staged_output, write_atomic, write_yaml
from .errors import ConversionError
from .readers import integers, read_columns
from .safe_pickle import load_pickle

logger = logging.getLogger(__name__)

BEHAVIORS = ("click", "cart", "buy", "fav")  # index = the raw log's action_type
PICKLE_FILES = {"click": "trn_click", "cart": "trn_cart", "fav": "trn_fav", "buy": "trn_buy"}
YEAR = 2015
DAY = 86400.0
INTER_FIELDS = {"user_id": "token", "item_id": "token", "timestamp": "float", "behavior": "token"}
LABEL_FIELDS = {"user_id": "token", "timestamp": "float", "item_id": "token"}
ITEM_FEATURES = ("cat_id", "seller_id", "brand_id")


MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])  # 2015 is not a leap year
MONTH_START = np.concatenate(([0], np.cumsum(MONTH_DAYS)[:-1]))
JAN_1 = pd.Timestamp(f"{YEAR}-01-01", tz="UTC").timestamp()


def mmdd_to_seconds(mmdd: np.ndarray) -> np.ndarray:
    """``mmdd`` ints of 2015 (int64 [N]) -> Unix seconds float64 [N] (UTC midnight); NaN where invalid."""
    month, day = mmdd // 100, mmdd % 100
    m = np.clip(month - 1, 0, 11)
    valid = (month >= 1) & (month <= 12) & (day >= 1) & (day <= MONTH_DAYS[m])
    seconds = JAN_1 + (MONTH_START[m] + day - 1) * DAY
    return np.where(valid, seconds, np.nan)


def _events(user: np.ndarray, item: np.ndarray, seconds: np.ndarray, behavior: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"user_id": user, "item_id": item, "timestamp": seconds, "behavior": behavior})


def from_pickles(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(events, test targets, missing behaviours) from the TGT pickles in ``folder``."""
    parts, missing, shape = [], [], None
    for behavior in BEHAVIORS:
        path = folder / PICKLE_FILES[behavior]
        if not path.is_file():
            missing.append(behavior)
            continue
        matrix = load_pickle(path, "sparse")
        if not hasattr(matrix, "tocoo") or getattr(matrix, "ndim", 0) != 2:
            raise ConversionError(path, f"expected a scipy sparse user x item matrix, got {type(matrix).__name__}")
        if shape is not None and matrix.shape != shape:
            raise ConversionError(path, f"shape {matrix.shape} differs from the other behaviours' {shape}")
        shape = matrix.shape
        row, col, mmdd = _checked_entries(matrix, path)
        seconds = mmdd_to_seconds(mmdd)
        if np.isnan(seconds).any():
            raise ConversionError(path, f"value {mmdd[np.argmax(np.isnan(seconds))]} is not a 2015 day as mmdd")
        parts.append(_events(row, col, seconds, behavior))
    if not parts:
        raise ConversionError(folder, f"none of the behaviour files {sorted(PICKLE_FILES.values())} is present")
    if missing:
        logger.warning("%s: behaviour file(s) missing, converted without them: %s", folder, missing)
    events = pd.concat(parts, ignore_index=True)
    if not len(events):
        raise ConversionError(folder, f"the behaviour matrices {[PICKLE_FILES[b] for b in BEHAVIORS if b not in missing]} hold no interactions")
    test_path = folder / "tst_int"
    test_items = load_pickle(test_path, "plain")
    if not isinstance(test_items, list) or len(test_items) != shape[0]:
        raise ConversionError(test_path, f"expected a list with one entry per user ({shape[0]})")
    has = np.array([v is not None for v in test_items], dtype=bool)
    given = [v for v in test_items if v is not None]
    bad = next((k for k, v in enumerate(given) if type(v) is not int or not 0 <= v < shape[1]), None)
    if bad is not None:
        user = int(np.flatnonzero(has)[bad])
        raise ConversionError(test_path, f"entry of user {user}: {given[bad]!r} is not None or an item id in [0, {shape[1]})")
    if not given:
        raise ConversionError(test_path, "no user has a test item (every entry is None)")
    items = np.asarray(given, dtype=np.int64)
    after_training = events["timestamp"].max() + DAY
    targets = pd.DataFrame({"user_id": np.flatnonzero(has), "item_id": items, "timestamp": after_training})
    return events, targets, missing


def _checked_entries(matrix, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, col, value) int64 arrays of a pickled CSR matrix whose structure and values are checked.

    A pickle restores the arrays without scipy's own checks, so a bad index pointer or a
    column beyond the matrix would surface deep inside scipy, or silently.
    """
    try:
        matrix = matrix.tocsr()
        n_rows, n_cols = matrix.shape
        indptr, indices, data = (np.asarray(a) for a in (matrix.indptr, matrix.indices, matrix.data))
    except (AttributeError, TypeError, ValueError) as err:
        raise ConversionError(path, f"not a valid CSR matrix ({err})") from None
    if len(indptr) != n_rows + 1 or indptr[0] != 0 or (np.diff(indptr) < 0).any() or indptr[-1] != len(indices):
        raise ConversionError(path, f"inconsistent CSR index pointer for a {n_rows} x {n_cols} matrix")
    if len(indices) != len(data):
        raise ConversionError(path, f"{len(indices)} column indices but {len(data)} values")
    row = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(indptr))
    outside = (indices < 0) | (indices >= n_cols)
    if outside.any():
        k = int(np.argmax(outside))
        raise ConversionError(path, f"user {row[k]}: column index {indices[k]} is outside the {n_cols} items")
    if data.dtype.kind not in "iuf":
        raise ConversionError(path, f"values of dtype {data.dtype} are not mmdd days")
    bad = ~np.isfinite(data) | (data != np.round(data)) if data.dtype.kind == "f" else np.zeros(len(data), dtype=bool)
    if bad.any():
        k = int(np.argmax(bad))
        raise ConversionError(path, f"user {row[k]}, item {indices[k]}: value {data[k]} is not a 2015 day as mmdd")
    return row, indices.astype(np.int64), data.astype(np.int64)


def from_raw(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(events without the targets' future, test targets, item features) from the raw log."""
    cols = read_columns(
        path, ",", {c: integers() for c in ("user_id", "item_id", "time_stamp", "action_type")},
        optional={c: integers(missing=-1) for c in ITEM_FEATURES},  # brand_id is often empty -> -1
    )
    user, item, mmdd, action = (cols[c] for c in ("user_id", "item_id", "time_stamp", "action_type"))
    seconds = mmdd_to_seconds(mmdd)
    bad = np.isnan(seconds) | (action < 0) | (action >= len(BEHAVIORS))
    if bad.any():
        row = int(np.argmax(bad))
        problem = (
            f"time_stamp {mmdd[row]} is not a 2015 day as mmdd" if np.isnan(seconds[row])
            else f"action_type {action[row]} is not one of 0 click / 1 cart / 2 buy / 3 fav"
        )
        raise ConversionError(path, problem, line=row + 2)
    events = _events(user, item, seconds, np.asarray(BEHAVIORS, dtype=object)[action])
    present = [c for c in ITEM_FEATURES if c in cols]
    features = pd.DataFrame({"item_id": item, **{c: cols[c] for c in present}}).drop_duplicates("item_id")
    features[present] = features[present].astype(str).replace("-1", "")

    buys = events[action == 2]
    if not len(buys):
        raise ConversionError(path, "no buy events (action_type 2): the next-item test split needs each test user's last purchase")
    # Last buy per user: latest day, ties broken by the later row (stable sort keeps file order).
    last_buy = buys.sort_values("timestamp", kind="stable").groupby("user_id").tail(1)
    target_day = events["user_id"].map(last_buy.set_index("user_id")["timestamp"])
    future = (events["timestamp"] > target_day).to_numpy()
    is_target = np.zeros(len(events), dtype=bool)
    is_target[last_buy.index.to_numpy()] = True
    if future.any():
        logger.info("%s: dropped %d events on days after their user's test purchase", path, int(future.sum()))
    targets = last_buy[["user_id", "item_id", "timestamp"]].assign(timestamp=last_buy["timestamp"] + DAY - 1)
    kept = events[~future & ~is_target]
    return kept, targets, features


def write_dataset(
    dest: Path, events: pd.DataFrame, targets: pd.DataFrame, features: pd.DataFrame | None, missing: list[str]
) -> int:
    """Write dataset ``dest.name`` atomically (targets appended as last buys); return the event count."""
    name = dest.name
    target_events = targets.assign(behavior="buy")[list(INTER_FIELDS)]
    inter = pd.concat([events, target_events], ignore_index=True).sort_values(["user_id", "timestamp"], kind="stable")
    load_col = {"inter": list(INTER_FIELDS)}
    with staged_output(dest) as tmp:
        write_atomic(inter, tmp / f"{name}.inter", INTER_FIELDS)
        write_atomic(targets.sort_values("user_id"), tmp / f"{name}.test.label", LABEL_FIELDS)
        if features is not None:
            item_fields = {"item_id": "token", **{c: "token" for c in features.columns if c != "item_id"}}
            write_atomic(features, tmp / f"{name}.item", item_fields)  # numeric ids: nothing to clean
            load_col["item"] = list(item_fields)
        write_yaml(
            {
                "USER_ID_FIELD": "user_id",
                "ITEM_ID_FIELD": "item_id",
                "TIME_FIELD": "timestamp",
                "load_col": load_col,
                "eval_args": {"split": {"LS": "valid_and_test"}, "order": "TO", "group_by": "user", "mode": "uni99"},
                "behaviors": [b for b in BEHAVIORS if b not in missing],
                "missing_behaviors": missing,
                "converter": {"format": "ijcai", "source": "raw" if features is not None else "tgt-pickles"},
            },
            tmp / f"{name}.yaml",
        )
    return len(inter)


def convert(src: str | Path, out: str | Path, name: str | None = None) -> Path:
    """Convert an IJCAI-15 source (raw csv file / folder, or TGT pickle folder) into ``<out>/<name>/``."""
    src = Path(src)
    raw = src if src.is_file() else src / "user_log_format1.csv"
    if not (raw.is_file() or src.is_dir()):
        raise ConversionError(src, "no such file or folder")
    dest = Path(out) / (name or (src if src.is_dir() else src.parent).resolve().name)
    features, missing = None, []
    with tqdm(total=2, desc="ijcai", unit="step", disable=None) as steps:
        if raw.is_file():
            events, targets, features = from_raw(raw)
        else:
            events, targets, missing = from_pickles(src)
        steps.update()
        n_events = write_dataset(dest, events, targets, features, missing)
        steps.update()
    logger.info("ijcai %s: %d events, %d test users", dest.name, n_events, len(targets))
    return dest
