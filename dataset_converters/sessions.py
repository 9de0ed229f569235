"""Session logs (Diginetica, Yoochoose) -> RecBole's pre-augmented sequential form.

Sources (``kind="auto"`` picks by file name):

- raw Diginetica ``train-item-views.csv`` (``;``-separated, with header) and raw Yoochoose
  ``yoochoose-clicks.dat`` (``,``-separated, no header), preprocessed exactly as SR-GNN
  does (:mod:`.srgnn_preprocess`); for Yoochoose ``fraction`` keeps the most recent
  1/4 or 1/64 of the augmented training examples (SR-GNN's yoochoose1_4 / 1_64);
- the preprocessed pickles published by GCE-GNN (``all_train_seq.txt``: training sessions,
  ``test.txt``: ``(input sequences, targets)``) or by SR-GNN (``train.txt`` and
  ``test.txt``, both already ``(input sequences, targets)``).

Output in ``<out>/<name>/``: ``<name>.{train,valid,test}.inter`` with
``session_id:token  item_id_list:token_seq  item_id:token`` (one example per row; the
list keeps the ``max_len`` most recent items, oldest first) and ``<name>.yaml``.
Training sessions are prefix-augmented as SR-GNN does (``seq[:-k] -> seq[-k]``), so the
example counts are the papers' (Diginetica: 719,470 train / 60,858 test, 43,097 items).
The validation file is a seeded ``valid_ratio`` share of the training sessions (all their
prefix examples) by default, so the best-validation epoch's test score is an honest
number; ``valid="test"`` makes it the test file, as SR-GNN's code does (it reports the
best test score over epochs), and then says so (:mod:`.validation`).
"""
from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from . import ragged
from .atomic import staged_output, write_atomic, write_yaml
from .errors import ConversionError
from .validation import DEFAULT_VALID_RATIO, ValidMode, announce, check_validation, validation_keys
from .readers import integers, read_columns, seconds
from .safe_pickle import load_pickle
from .srgnn_preprocess import preprocess

logger = logging.getLogger(__name__)

Kind = Literal["auto", "diginetica", "yoochoose", "pickle"]
FIELDS = {"session_id": "token", "item_id_list": "token_seq", "item_id": "token"}
# Diginetica's longest training prefix is 69 clicks: a cap of 70 truncates none (SR-GNN's
# setting); the converter's default cap, 50, is RecBole's MAX_ITEM_LIST_LENGTH.
DIGINETICA_MAX_LEN = 70
_INT64_MIN, _INT64_MAX = (int(v) for v in (np.iinfo(np.int64).min, np.iinfo(np.int64).max))


@dataclass
class Examples:
    """Pre-augmented examples: one (session, input list, target) per row."""

    session: pd.Series  # str tokens [E]
    item_list: pd.Series  # space-joined item ids [E]
    target: np.ndarray  # int64 [E]
    items: np.ndarray  # distinct item ids in lists or targets, int64 sorted

    def frame(self) -> pd.DataFrame:
        """The rows of the atomic file, columns as in :data:`FIELDS`."""
        return pd.DataFrame({"session_id": self.session.to_numpy(), "item_id_list": self.item_list.to_numpy(), "item_id": self.target})

    def select(self, rows: np.ndarray) -> "Examples":
        """The examples where the bool mask ``rows`` [E] is set."""
        item_list = self.item_list[rows]
        listed = np.array(" ".join(item_list).split(), dtype=np.int64)
        return Examples(self.session[rows], item_list, self.target[rows], np.union1d(listed, self.target[rows]))

    def tail(self, n: int) -> "Examples":
        """The last ``n`` examples (SR-GNN's most recent training fraction)."""
        return self.select(np.arange(len(self.target)) >= len(self.target) - n)

    def hold_out_sessions(self, fraction: float, seed: int) -> tuple["Examples", "Examples"]:
        """(rest, held out): a seeded ``fraction`` of the sessions (at least one), with all their prefixes."""
        sessions = self.session.unique()
        rng = np.random.default_rng(seed)
        # At least one session, so a small source still gets a validation file rather than an error.
        size = max(1, int(round(fraction * len(sessions))))
        chosen = rng.choice(sessions, size=min(size, len(sessions)), replace=False)
        held = self.session.isin(chosen).to_numpy()
        return self.select(~held), self.select(held)


def augmented(values: np.ndarray, offsets: np.ndarray, session_ids: np.ndarray, max_len: int) -> Examples:
    """SR-GNN prefix augmentation of ragged sessions (see :func:`.ragged.augment`)."""
    seq, start, target = ragged.augment(offsets)
    lengths = np.diff(offsets)
    return Examples(
        session=pd.Series(session_ids[seq]).astype(str),
        item_list=ragged.join_windows(values, start, target, max_len),
        target=values[target],
        items=np.unique(values[np.repeat(lengths >= 2, lengths)]),  # length-1 sessions give no example
    )


def given_examples(inputs: list, targets: list, path: Path, prefix: str, max_len: int) -> Examples:
    """Already augmented ``(inputs, targets)``; each example gets its own session token."""
    if len(inputs) != len(targets):
        raise ConversionError(path, f"{len(inputs)} input sequences but {len(targets)} targets")
    values, offsets = id_lists(inputs, path, "input sequence")
    target = id_list(targets, path, "targets")
    empty = np.diff(offsets) == 0
    if empty.any():
        raise ConversionError(path, f"example {int(np.argmax(empty))} has an empty input sequence")
    return Examples(
        session=prefix + pd.Series(np.arange(len(target))).astype(str),
        item_list=ragged.join_windows(values, offsets[:-1], offsets[1:], max_len),
        target=target,
        items=np.union1d(values, target),
    )


def _first_non_id(values: list) -> int | None:
    """Index of the first entry that is not a Python int within int64 (bools are not ids)."""
    if set(map(type, values)) <= {int}:  # the common case, without a Python loop
        try:
            np.asarray(values, dtype=np.int64)
            return None
        except OverflowError:
            pass
    return next(k for k, v in enumerate(values) if type(v) is not int or not _INT64_MIN <= v <= _INT64_MAX)


def id_list(values: object, path: Path, what: str) -> np.ndarray:
    """A pickled list of integer item ids -> int64 [N]; floats, text, None are refused, never cast."""
    if not isinstance(values, (list, tuple)):
        raise ConversionError(path, f"{what}: expected a list of integer item ids, got {type(values).__name__}")
    bad = _first_non_id(list(values))
    if bad is not None:
        raise ConversionError(path, f"{what}, entry {bad}: {values[bad]!r} is not an integer item id")
    return np.asarray(values, dtype=np.int64).reshape(-1)


def id_lists(seqs: object, path: Path, what: str) -> tuple[np.ndarray, np.ndarray]:
    """A pickled list of item-id lists -> ragged (values int64 [T], offsets int64 [S+1]), checked."""
    if not isinstance(seqs, (list, tuple)):
        raise ConversionError(path, f"expected a list of {what}s, got {type(seqs).__name__}")
    not_list = next((k for k, seq in enumerate(seqs) if not isinstance(seq, (list, tuple))), None)
    if not_list is not None:
        raise ConversionError(path, f"{what} {not_list}: expected a list of item ids, got {seqs[not_list]!r}")
    values, offsets = ragged.from_lists(seqs, dtype=object)
    flat = values.tolist()
    bad = _first_non_id(flat)
    if bad is not None:
        seq = int(np.searchsorted(offsets, bad, side="right")) - 1
        raise ConversionError(path, f"{what} {seq}, position {bad - offsets[seq]}: {flat[bad]!r} is not an integer item id")
    return np.asarray(flat, dtype=np.int64), offsets


def _pickled_pair(path: Path) -> tuple[list, list]:
    """The ``(input sequences, targets)`` tuple of an SR-GNN / GCE-GNN pickle."""
    pair = load_pickle(path, "plain")
    if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(part, (list, tuple)) for part in pair)):
        shape = type(pair).__name__ if not isinstance(pair, tuple) else f"({', '.join(type(p).__name__ for p in pair)})"
        raise ConversionError(path, f"expected a pickled tuple (list of input sequences, list of targets), got {shape}")
    return pair


def from_pickles(folder: Path, max_len: int) -> tuple[Examples, Examples]:
    """(train, test) examples from GCE-GNN's or SR-GNN's published pickles."""
    test_path = _pickle_file(folder, "test")
    test_ex = given_examples(*_pickled_pair(test_path), test_path, "test-", max_len)
    sessions_path = _pickle_file(folder, "train")
    if sessions_path.name == "all_train_seq.txt":
        sessions = load_pickle(sessions_path, "plain")
        if not isinstance(sessions, list):
            raise ConversionError(sessions_path, "expected a pickled list of sessions")
        values, offsets = id_lists(sessions, sessions_path, "session")
        return augmented(values, offsets, np.arange(len(sessions)), max_len), test_ex
    return given_examples(*_pickled_pair(sessions_path), sessions_path, "train-", max_len), test_ex


def from_raw(path: Path, dataset: str, max_len: int, fraction: int) -> tuple[Examples, Examples]:
    """(train, test) examples from a raw Diginetica or Yoochoose click log."""
    if dataset == "diginetica":
        cols = read_columns(
            path, ";", {"session_id": integers(), "item_id": integers(), "timeframe": integers(), "eventdate": seconds("%Y-%m-%d")}
        )
        within, date = cols["timeframe"], cols["eventdate"]
    else:
        cols = read_columns(
            path, ",", {"session_id": integers(), "timestamp": seconds("%Y-%m-%dT%H:%M:%S", width=19), "item_id": integers()},
            names=["session_id", "timestamp", "item_id", "category"],
        )
        within, date = np.arange(len(cols["session_id"])), cols["timestamp"]
    split = preprocess(cols["session_id"], cols["item_id"], within, date, dataset)
    train = augmented(split.train_values, split.train_offsets, split.train_sessions, max_len)
    test = augmented(split.test_values, split.test_offsets, split.test_sessions, max_len)
    if fraction > 1:
        train = train.tail(len(train.target) // fraction)
    return train, test


_EMPTY_REASON = {
    "pickle": "the pickles hold no examples",
    "diginetica": "SR-GNN's preprocessing keeps sessions of >= 2 clicks on items clicked >= 5 times; "
                  "test sessions are those of the last 7 days, training sessions the earlier ones",
    "yoochoose": "SR-GNN's preprocessing keeps sessions of >= 2 clicks on items clicked >= 5 times; "
                 "test sessions are those of the last day, training sessions the earlier ones",
}


def _require_examples(path: Path, kind: str, splits: dict[str, "Examples | None"]) -> None:
    """Refuse a conversion that would write a split without one example.

    ``path``: the raw log, or the pickle folder (then the split's own file is named).
    """
    for split, examples in splits.items():
        if examples is not None and not len(examples.target):
            where = path if kind != "pickle" else _pickle_file(path, split)
            raise ConversionError(where, f"the conversion yields no {split} examples ({_EMPTY_REASON[kind]})")


def _pickle_file(folder: Path, split: str) -> Path:
    """The pickle a split's examples come from (validation is held out of training)."""
    if split == "test":
        return folder / "test.txt"
    sessions = folder / "all_train_seq.txt"
    return sessions if sessions.is_file() else folder / "train.txt"


def detect(src: Path) -> tuple[str, Path]:
    """(kind, path) of a session source given as a file or a folder."""
    if src.is_file():
        return ("yoochoose" if src.suffix == ".dat" else "diginetica"), src
    if not src.is_dir():
        raise ConversionError(src, "no such file or folder")
    if (src / "test.txt").is_file():
        return "pickle", src
    for pattern, kind in (("*item-views*.csv", "diginetica"), ("yoochoose-clicks*.dat", "yoochoose")):
        found = sorted(src.glob(pattern))
        if found:
            return kind, found[0]
    raise ConversionError(src, "found neither test.txt (pickles), *train-item-views.csv nor yoochoose-clicks.dat")


def write_dataset(dest: Path, train: Examples, valid: Examples | None, test: Examples, max_len: int,
                  provenance: dict) -> None:
    """Write the split files and the yaml of dataset ``dest.name`` atomically
    (``valid=None``: the validation file is the test file, as in SR-GNN's code)."""
    name = dest.name
    with staged_output(dest) as tmp:
        write_atomic(train.frame(), tmp / f"{name}.train.inter", FIELDS)
        write_atomic(test.frame(), tmp / f"{name}.test.inter", FIELDS)
        if valid is None:
            shutil.copyfile(tmp / f"{name}.test.inter", tmp / f"{name}.valid.inter")
        else:
            write_atomic(valid.frame(), tmp / f"{name}.valid.inter", FIELDS)
        write_yaml(
            {
                "USER_ID_FIELD": "session_id",
                "ITEM_ID_FIELD": "item_id",
                "LIST_SUFFIX": "_list",
                "ITEM_LIST_LENGTH_FIELD": "item_length",
                "MAX_ITEM_LIST_LENGTH": max_len,
                "alias_of_item_id": ["item_id_list"],
                "load_col": {"inter": list(FIELDS)},
                "benchmark_filename": ["train", "valid", "test"],
                "eval_args": {"order": "TO"},
                "converter": {"format": "sessions", **provenance},
            },
            tmp / f"{name}.yaml",
        )


def convert(
    src: str | Path,
    out: str | Path,
    name: str | None = None,
    kind: Kind = "auto",
    max_len: int = 50,
    fraction: int = 1,
    valid: ValidMode = "holdout",
    valid_ratio: float = DEFAULT_VALID_RATIO,
    seed: int = 2020,
) -> Path:
    """Convert a session source into ``<out>/<name>/``; return that folder.

    ``valid="holdout"`` (default) holds out a seeded ``valid_ratio`` share of the training
    sessions (all their prefix examples) as the validation file, so model selection never
    sees the test set; ``valid="test"`` keeps SR-GNN's setting (validation file = test file).
    """
    src = Path(src)
    check_validation(src, valid, valid_ratio)
    detected, path = detect(src) if kind == "auto" else (kind, src)
    if fraction != 1 and detected != "yoochoose":
        raise ConversionError(src, f"fraction={fraction} only applies to raw Yoochoose")
    default = (src if src.is_dir() else src.parent).resolve().name
    dest = Path(out) / (name or (default + (f"1_{fraction}" if fraction > 1 else "")))
    with tqdm(total=2, desc=f"sessions {detected}", unit="step", disable=None) as steps:
        if detected == "pickle":
            train, test = from_pickles(path, max_len)
        else:
            train, test = from_raw(path, detected, max_len, fraction)
        held_out = None
        if valid == "holdout":
            train, held_out = train.hold_out_sessions(valid_ratio, seed)
        _require_examples(path, detected, {"train": train, "valid": held_out, "test": test})
        steps.update()
        write_dataset(dest, train, held_out, test, max_len,
                      {"source": detected, "fraction": fraction, **validation_keys(valid, valid_ratio, seed)})
        steps.update()
    items = np.union1d(train.items, test.items).size
    logger.info("sessions %s: %d train / %d test examples, %d items", dest.name, len(train.target), len(test.target), items)
    announce(dest.name, valid)
    return dest
