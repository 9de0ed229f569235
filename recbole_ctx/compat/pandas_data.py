"""RecBole's ``Dataset`` on pandas 3 (copy-on-write, new ``Series.agg``), and on 2.x
without its deprecation notices.

Three kinds of upstream lines break on pandas 3:

- ``feat[field].fillna(..., inplace=True)`` (dataset.py:501, :648, :650): a chained
  in-place call; under copy-on-write it changes a temporary copy only.  At :501 the
  NaN of an empty ``token_seq`` cell then reaches ``str.split`` and loading crashes;
  at :648/:650 missing values silently stay NaN.
- ``feat[field].agg(len)`` (dataset.py:712, :792, :809, :1217, kg_dataset.py:316,
  sequential_dataset.py:165): pandas < 3 applied ``len`` per row (the sequence
  lengths RecBole wants); pandas 3 aggregates, returning the column's length.
  Every ``token_seq`` field was split at wrong points.
- ``agg(np.concatenate)`` still concatenates the rows on pandas 3: unchanged.

``_fill_nan`` is replaced outright; the methods holding the other lines are wrapped
so that, while one runs, ``Series.agg(len)`` means per-row lengths and ``read_csv``
returns ``""`` for an empty sequence cell (what line 501 meant to write).  Both
stand-ins are installed for the duration of that one call only (RecBole loads
data in one thread).
"""
from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

_series_agg = pd.Series.agg
_read_csv = pd.read_csv
_depth = 0


def _per_row_len_agg(self: pd.Series, func: Any = None, *args: Any, **kwargs: Any) -> Any:
    """``Series.agg`` with pandas < 3's meaning of ``agg(len)``: one length per row."""
    if func is len and not args and not kwargs:
        return self.map(len)
    return _series_agg(self, func, *args, **kwargs)


def _read_csv_empty_seq_as_blank(*args: Any, **kwargs: Any) -> pd.DataFrame:
    """``read_csv`` whose ``*:token_seq`` / ``*:float_seq`` columns hold ``""``, not NaN,
    for empty cells (RecBole's header names carry the type after the colon)."""
    frame = _read_csv(*args, **kwargs)
    for column in frame.columns:
        if str(column).endswith("_seq"):
            frame[column] = frame[column].fillna("")
    return frame


@contextmanager
def _pandas2_semantics() -> Iterator[None]:
    global _depth
    _depth += 1
    if _depth == 1:
        pd.Series.agg = pd.Series.aggregate = _per_row_len_agg
        pd.read_csv = _read_csv_empty_seq_as_blank
    try:
        with warnings.catch_warnings():
            # dataset.py:501's chained fillna: its work is done by the read_csv above.
            warnings.filterwarnings("ignore", message=r".*chained assignment using an inplace method")
            yield
    finally:
        _depth -= 1
        if _depth == 0:
            pd.Series.agg = pd.Series.aggregate = _series_agg
            pd.read_csv = _read_csv


def with_pandas2_semantics(method: Callable) -> Callable:
    """Run ``method`` (a RecBole dataset method) under ``_pandas2_semantics``."""
    if getattr(method, "__wrapped_for_pandas3__", False):
        return method

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _pandas2_semantics():
            return method(*args, **kwargs)

    wrapper.__wrapped_for_pandas3__ = True
    return wrapper


def fill_nan(self) -> None:
    """Replaces ``Dataset._fill_nan`` (recbole/data/dataset/dataset.py:632-656).

    Upstream fills with ``feat[field].fillna(..., inplace=True)`` (see above).
    Same filling, assigned back.
    """
    from recbole.utils import FeatureType, set_color

    self.logger.debug(set_color("Filling nan", "green"))
    for feat_name in self.feat_name_list:
        feat = getattr(self, feat_name)
        for field in feat:
            ftype = self.field2type[field]
            if ftype == FeatureType.TOKEN:
                feat[field] = feat[field].fillna(value=0)
            elif ftype == FeatureType.FLOAT:
                feat[field] = feat[field].fillna(value=feat[field].mean())
            else:
                dtype = np.int64 if ftype == FeatureType.TOKEN_SEQ else np.float64
                feat[field] = feat[field].apply(
                    lambda x: np.array([], dtype=dtype) if isinstance(x, float) else x
                )


# (class, method) holding an ``agg(len)`` or the chained fillna of line 501.
WRAPPED_METHODS = (
    ("recbole.data.dataset.dataset:Dataset", "_load_feat"),  # :501
    ("recbole.data.dataset.dataset:Dataset", "_normalize"),  # :712
    ("recbole.data.dataset.dataset:Dataset", "_discretization"),  # :792, :809
    ("recbole.data.dataset.dataset:Dataset", "_remap"),  # :1217
    ("recbole.data.dataset.kg_dataset:KnowledgeBasedDataset", "_reset_ent_remapID"),  # :316
    ("recbole.data.dataset.sequential_dataset:SequentialDataset", "_benchmark_presets"),  # :165
)


def apply() -> None:
    import importlib

    from recbole.data.dataset import dataset

    dataset.Dataset._fill_nan = fill_nan
    for where, name in WRAPPED_METHODS:
        module, cls_name = where.split(":")
        cls = getattr(importlib.import_module(module), cls_name)
        setattr(cls, name, with_pandas2_semantics(cls.__dict__[name]))
