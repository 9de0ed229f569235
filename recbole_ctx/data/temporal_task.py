"""The RelBench-style temporal task: is a run temporal, its yaml keys, its ``<name>.<split>.label`` files.

A label file holds one ground-truth target per line::

    user_id:token   timestamp:float   item_id:token
    196             886291200.0       242

(the seed time ``T`` in Unix seconds, and one item of ``(T, T + timedelta]``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

LABEL_SPLITS = ("train", "valid", "test")


def is_temporal(config) -> bool:
    """Whether the run is a temporal task: the dataset's yaml (the converter's) sets ``val_timestamp``.

    The one place that decides it; every other module asks here.
    """
    return "val_timestamp" in config and config["val_timestamp"] is not None


@dataclass(frozen=True)
class TemporalProtocol:
    """Protocol keys of a temporal dataset yaml, times in Unix seconds."""

    val_timestamp: float
    test_timestamp: float
    timedelta: float
    eval_k: int

    @classmethod
    def from_config(cls, config) -> "TemporalProtocol":
        """Read ``val_timestamp``, ``test_timestamp``, ``timedelta``, ``eval_k``.

        Timestamps may be Unix seconds or date strings (``"1998-02-22"``); ``timedelta``
        seconds or a pandas duration string (``"14 days"``).
        """
        missing = [k for k in ("val_timestamp", "test_timestamp", "timedelta", "eval_k") if config[k] is None]
        if missing:
            raise ValueError(f"temporal dataset {config['dataset']!r}: its yaml lacks {missing}")
        val, test = _seconds(config["val_timestamp"], "val_timestamp"), _seconds(config["test_timestamp"], "test_timestamp")
        if not val < test:
            raise ValueError(f"val_timestamp ({val}) must be before test_timestamp ({test})")
        return cls(val, test, _duration(config["timedelta"]), int(config["eval_k"]))


    def check_seed_times(self, split: str, seed_time: np.ndarray, path: str) -> None:
        """Refuse label rows whose (T, T + timedelta] window crosses into a later split.

        train: T + timedelta <= val_timestamp; valid: val_timestamp <= T and
        T + timedelta <= test_timestamp; test: T >= test_timestamp.
        """
        if seed_time.size == 0:
            return
        lo, hi = float(seed_time.min()), float(seed_time.max())
        problems = {
            "train": hi + self.timedelta > self.val_timestamp,
            "valid": lo < self.val_timestamp or hi + self.timedelta > self.test_timestamp,
            "test": lo < self.test_timestamp,
        }
        if problems[split]:
            raise ValueError(
                f"{path}: seed times span [{lo}, {hi}] with timedelta {self.timedelta}, which "
                f"crosses the split boundaries (val_timestamp {self.val_timestamp}, test_timestamp "
                f"{self.test_timestamp}): {split} targets would leak into or out of another split")


def _seconds(value, key: str) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return pd.Timestamp(str(value)).timestamp()
    except ValueError as err:
        raise ValueError(f"{key}: {value!r} is neither Unix seconds nor a date") from err


def _duration(value) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return pd.Timedelta(str(value)).total_seconds()
    except ValueError as err:
        raise ValueError(f"timedelta: {value!r} is neither seconds nor a duration like '14 days'") from err


def label_path(dataset_path: str, name: str, split: str) -> str:
    return os.path.join(dataset_path, f"{name}.{split}.label")


def read_label_file(path: str, uid_field: str, time_field: str, iid_field: str,
                    separator: str = "\t") -> pd.DataFrame:
    """Read one label file into a frame of raw tokens (str) and seed times (float64).

    Raises:
        ValueError: naming the file (and line) on a missing file, a header without the
            three typed columns, or a seed time that is not a finite number.
    """
    if not os.path.isfile(path):
        raise ValueError(f"{path}: label file missing (temporal datasets need "
                         f"{', '.join('.' + s + '.label' for s in LABEL_SPLITS)})")
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split(separator)
    wanted = {f"{uid_field}:token": uid_field, f"{time_field}:float": time_field,
              f"{iid_field}:token": iid_field}
    absent = [col for col in wanted if col not in header]
    if absent:
        raise ValueError(f"{path}, line 1: header {header} lacks column(s) {absent}")
    frame = read_token_table(path, separator, list(wanted)).rename(columns=wanted)
    for field in (uid_field, iid_field):
        empty = (frame[field] == "").to_numpy()
        if empty.any():
            raise ValueError(f"{path}, line {int(np.flatnonzero(empty)[0]) + 2}: empty {field}")
    times = pd.to_numeric(frame[time_field], errors="coerce").to_numpy(np.float64)
    bad = ~np.isfinite(times)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{path}, line {row + 2}: {time_field} {frame[time_field].iloc[row]!r} "
                         "is not a finite number of seconds")
    frame[time_field] = times
    return frame


def read_token_table(path: str, separator: str, columns: list[str]) -> pd.DataFrame:
    """``columns`` of a tab-separated atomic file as strings (missing fields read as "").

    A line with more fields than the header raises ``ValueError`` naming the file
    (pandas names the line)."""
    try:
        # All columns are read so that a line with too many fields is an error.
        return pd.read_csv(path, sep=separator, dtype=str, keep_default_na=False)[columns]
    except (pd.errors.ParserError, ValueError) as err:
        raise ValueError(f"{path}: {err}") from err


def group_examples(user: np.ndarray, time: np.ndarray, item: np.ndarray):
    """Group exploded label rows into examples ``(user, T, items)``.

    Args:
        user, item: int64 [R] internal ids; time: float64 [R] seed times.

    Returns:
        ``(user int64 [N], time float64 [N], target_ptr int64 [N + 1], target_item int64 [P])``:
        examples sorted by (T, user); targets CSR, distinct and sorted per example.
    """
    order = np.lexsort((item, user, time))
    user, time, item = user[order], time[order], item[order]
    new_example = np.ones(user.size, dtype=bool)
    new_example[1:] = (user[1:] != user[:-1]) | (time[1:] != time[:-1])
    distinct = new_example.copy()
    distinct[1:] |= item[1:] != item[:-1]
    user, time, item = user[distinct], time[distinct], item[distinct]
    ptr = np.append(np.flatnonzero(new_example[distinct]), user.size).astype(np.int64)
    first = ptr[:-1]
    return user[first].astype(np.int64), time[first], ptr, item.astype(np.int64)

