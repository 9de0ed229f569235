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
Like SR-GNN, which reports the best test score over epochs, the validation file is the
test file by default; ``valid_sessions`` holds out a seeded fraction of the training
sessions instead (then the best-validation epoch's test score is an honest number).
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
from .readers import integers, read_columns, seconds
from .safe_pickle import load_pickle
from .srgnn_preprocess import preprocess

logger = logging.getLogger(__name__)

Kind = Literal["auto", "diginetica", "yoochoose", "pickle"]
FIELDS = {"session_id": "token", "item_id_list": "token_seq", "item_id": "token"}


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
        """(rest, held out): a seeded ``fraction`` of the sessions, with all their prefixes."""
        sessions = self.session.unique()
        rng = np.random.default_rng(seed)
        chosen = rng.choice(sessions, size=int(round(fraction * len(sessions))), replace=False)
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
    values, offsets = _ints(lambda: ragged.from_lists(inputs), path)
    target = _ints(lambda: np.asarray(targets, dtype=np.int64), path)
    empty = np.diff(offsets) == 0
    if empty.any():
        raise ConversionError(path, f"example {int(np.argmax(empty))} has an empty input sequence")
    return Examples(
        session=prefix + pd.Series(np.arange(len(target))).astype(str),
        item_list=ragged.join_windows(values, offsets[:-1], offsets[1:], max_len),
        target=target,
        items=np.union1d(values, target),
    )


def _ints(build, path: Path):
    """Run ``build`` (a conversion of unpickled lists to int arrays); bad content names ``path``."""
    try:
        return build()
    except (TypeError, ValueError, OverflowError) as err:
        raise ConversionError(path, f"expected lists of integer item ids ({err})") from None


def from_pickles(folder: Path, max_len: int) -> tuple[Examples, Examples]:
    """(train, test) examples from GCE-GNN's or SR-GNN's published pickles."""
    test_path = folder / "test.txt"
    test = load_pickle(test_path, "plain")
    if not (isinstance(test, tuple) and len(test) == 2):
        raise ConversionError(test_path, "expected a pickled tuple (input sequences, targets)")
    test_ex = given_examples(test[0], test[1], test_path, "test-", max_len)
    sessions_path = folder / "all_train_seq.txt"
    if sessions_path.is_file():
        sessions = load_pickle(sessions_path, "plain")
        if not isinstance(sessions, list):
            raise ConversionError(sessions_path, "expected a pickled list of sessions")
        values, offsets = _ints(lambda: ragged.from_lists(sessions), sessions_path)
        return augmented(values, offsets, np.arange(len(sessions)), max_len), test_ex
    train_path = folder / "train.txt"
    train = load_pickle(train_path, "plain")
    if not (isinstance(train, tuple) and len(train) == 2):
        raise ConversionError(train_path, "expected a pickled tuple (input sequences, targets)")
    return given_examples(train[0], train[1], train_path, "train-", max_len), test_ex


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
    (``valid=None``: the validation file is the test file, as in SR-GNN)."""
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
    valid_sessions: float = 0.0,
    seed: int = 2020,
) -> Path:
    """Convert a session source into ``<out>/<name>/``; return that folder.

    ``valid_sessions`` > 0 holds out that seeded fraction of training sessions (all
    their prefix examples) as the validation file, so model selection never sees the
    test set; 0 keeps SR-GNN's setting (validation file = test file).
    """
    if not 0.0 <= valid_sessions < 1.0:
        raise ConversionError(Path(src), f"valid_sessions must be in [0, 1), got {valid_sessions}")
    src = Path(src)
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
        valid = None
        if valid_sessions > 0:
            train, valid = train.hold_out_sessions(valid_sessions, seed)
        steps.update()
        write_dataset(dest, train, valid, test, max_len,
                      {"source": detected, "fraction": fraction, "valid_sessions": valid_sessions})
        steps.update()
    items = np.union1d(train.items, test.items).size
    logger.info("sessions %s: %d train / %d test examples, %d items", dest.name, len(train.target), len(test.target), items)
    return dest
