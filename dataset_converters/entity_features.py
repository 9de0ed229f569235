"""RelBench entity-table columns -> RecBole feature columns.

Type rules (per column): bool -> token; numbers -> float; datetimes -> float (Unix
seconds); lists/arrays -> token_seq; strings without whitespace, or with few distinct
values (categoricals such as "New York") -> token; other strings are free text -> a
token_seq of its words when short, else dropped with a logged notice (long text is
better served by a text encoder than by a bag of word tokens).
"""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from .atomic import clean_token, words

logger = logging.getLogger(__name__)

CATEGORICAL_MAX_SHARE = 0.05  # distinct values / rows at most this -> categorical token
TEXT_MAX_MEAN_WORDS = 64


def to_seconds(values: pd.Series) -> pd.Series:
    """Datetime Series (any unit, naive = UTC, or tz-aware) -> float64 Unix seconds, NaT -> NaN."""
    stamps = pd.to_datetime(values)
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    # Timedelta division is unit-agnostic (parquet may load datetime64[us] or [ms]).
    return (stamps - pd.Timestamp(0)) / pd.Timedelta(seconds=1)


def _is_listlike(values: pd.Series) -> bool:
    sample = values.dropna()
    return len(sample) > 0 and bool(sample.map(lambda v: isinstance(v, (list, tuple, np.ndarray))).all())


def convert_column(values: pd.Series, where: str) -> tuple[pd.Series, str] | None:
    """(converted column, RecBole type) for one feature column, or None when dropped.

    ``where`` names the column (``table.column``) in the log notices.
    """
    if ptypes.is_bool_dtype(values):
        return clean_token(values), "token"
    if ptypes.is_numeric_dtype(values):
        return values.astype(np.float64), "float"
    if ptypes.is_datetime64_any_dtype(values):
        return to_seconds(values), "float"
    if _is_listlike(values):
        joined = values.map(lambda v: " ".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) else "")
        return words(joined), "token_seq"
    text = values.astype("string")
    n_words = text.str.split().str.len().fillna(0)
    if n_words.max() <= 1 or text.nunique() <= CATEGORICAL_MAX_SHARE * max(text.notna().sum(), 1):
        return clean_token(values), "token"
    if n_words.mean() <= TEXT_MAX_MEAN_WORDS:
        return words(values), "token_seq"
    logger.warning("%s: free text of %.0f words on average, dropped from the features", where, n_words.mean())
    return None
