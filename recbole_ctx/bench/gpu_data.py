"""Inputs of ``recbole-ctx bench gpu``: where the real data is, and generated stand-ins.

The GPU machine receives only the repository's working tree, so the real Gowalla and
Diginetica files travel in an ignored folder of the checkout (``.gpu_data/``, filled by
``scripts/fetch_gpu_wheels.sh``); elsewhere from the raw sources' folder (``--data-dir``,
default ``data``; see :mod:`recbole_ctx.bench.sources`).
Without them, ``--quick`` falls back to small generated files in the same formats
(every row of the table says which data it used).
"""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd

from recbole_ctx.bench.sampler import TWO_YEARS, Scale
from recbole_ctx.bench.sources import DEFAULT_DATA_DIR, SOURCES

DATA_DIRS = (Path(".gpu_data"), DEFAULT_DATA_DIR)  # relative to the working directory
EVENT_FIELDS = ["user_id:token", "item_id:token", "timestamp:float"]
REL_HM = Scale(1_000_000, 100_000, 15_000_000)
QUICK_EVENTS = Scale(300, 100, 3_000)


def find_data(name: str, required: tuple[str, ...], data_dir: Path | None = None) -> Path | None:
    """The first of ``data_dir`` (or :data:`DATA_DIRS`) whose ``name/`` holds every ``required`` file."""
    for base in ([data_dir] if data_dir is not None else list(DATA_DIRS)):
        folder = base / name
        if all((folder / f).is_file() for f in required):
            return folder
    return None


def missing_source(name: str, data_dir: Path | None = None) -> FileNotFoundError:
    """The error for a source that :func:`find_data` did not find: which files, whence, where looked."""
    looked = " or ".join(f"{d}/{name}/" for d in ([data_dir] if data_dir is not None else DATA_DIRS))
    source = SOURCES[name]
    return FileNotFoundError(f"no {', '.join(source.files)} under {looked} ({source.origin}); "
                             "pass the folder holding it with --data-dir")


def write_event_dataset(root: Path, name: str, scale: Scale, seed: int = 0, distinct_pairs: bool = True) -> str:
    """RecBole benchmark files ``root/name/name.{train,valid,test}.inter`` of a generated graph.

    Skewed user activity (user ~ users * r^2), power-law item popularity (item ~ items *
    r^3), event times uniform over two years (Unix seconds), as
    :func:`recbole_ctx.bench.sampler.make_graph`.  Every user and item id of the valid
    and test files (1% of the events each, at least one) also occurs in train, so
    RecBole's remapping keeps the training graph's size.  ``distinct_pairs`` keeps the first
    event of each (user, item) pair (the static protocol treats a user's items as a set),
    so there are somewhat fewer events than ``scale.events``.  Returns ``name``.
    """
    rng = np.random.default_rng(seed)
    user = (rng.random(scale.events) ** 2 * scale.users).astype(np.int64)
    item = (rng.random(scale.events) ** 3 * scale.items).astype(np.int64)
    time_ = np.round(rng.random(scale.events) * TWO_YEARS, 1)
    if distinct_pairs:
        first = np.sort(np.unique(user * scale.items + item, return_index=True)[1])
        user, item, time_ = user[first], item[first], time_[first]
    events = len(user)
    held = max(1, events // 100)
    seen_users, seen_items = np.unique(user[: -2 * held]), np.unique(item[: -2 * held])
    held_out = np.arange(events - 2 * held, events)
    keep = np.isin(user[held_out], seen_users) & np.isin(item[held_out], seen_items)
    held_out = held_out[keep]
    splits = {"train": np.arange(events - 2 * held), "valid": held_out[: len(held_out) // 2],
              "test": held_out[len(held_out) // 2:]}
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    for split, rows in splits.items():
        frame = pd.DataFrame({EVENT_FIELDS[0]: user[rows], EVENT_FIELDS[1]: item[rows], EVENT_FIELDS[2]: time_[rows]})
        frame.to_csv(folder / f"{name}.{split}.inter", sep="\t", index=False)
    return name


def write_session_pickles(folder: Path, sessions: int, items: int, test_examples: int, seed: int = 0) -> Path:
    """SR-GNN-format pickles (``all_train_seq.txt``, ``test.txt``) of generated sessions.

    Sessions of 2-10 clicks over 1-based item ids with Zipf-like popularity; the test
    file is ``(input sequences, targets)``.  A stand-in of Diginetica's format for
    ``--quick`` where the real files are absent.  Returns ``folder``.
    """
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, items + 1) ** 0.8
    popularity /= popularity.sum()

    def draw(n: int) -> list[list[int]]:
        lengths = rng.integers(2, 11, n)
        clicks = rng.choice(items, size=int(lengths.sum()), p=popularity) + 1
        return [s.tolist() for s in np.split(clicks, np.cumsum(lengths)[:-1])]

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "all_train_seq.txt").write_bytes(pickle.dumps(draw(sessions)))
    test = draw(test_examples)
    (folder / "test.txt").write_bytes(pickle.dumps(([s[:-1] for s in test], [s[-1] for s in test])))
    return folder
