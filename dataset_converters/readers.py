"""Checked CSV reading: every problem becomes one :class:`ConversionError` with a line.

pandas reports bad input as deep tracebacks (or silently as NaN); here the frame is read
as strings and each required column is validated in one vectorised pass, so the first
offending line and column can be named.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .errors import ConversionError

_PANDAS_LINE = re.compile(r"line (\d+)")


def read_table(
    path: Path,
    sep: str,
    columns: Sequence[str],
    names: Sequence[str] | None = None,
    optional: Sequence[str] = (),
    chunk_rows: int = 2_000_000,
    desc: str = "reading",
) -> pd.DataFrame:
    """Read the ``columns`` of a delimited file as strings, with a row progress bar.

    ``names``: column names for a header-less file (then line 1 is data).  Missing
    columns (often a wrong separator), ragged lines and empty cells of ``columns`` (a
    truncated file) raise :class:`ConversionError`; ``optional`` columns are read when
    the header has them and may hold empty cells.
    """
    path = Path(path)
    if not path.is_file():
        raise ConversionError(path, "file not found")
    header_lines = 0 if names is not None else 1
    present = list(columns)
    if names is None:
        with open(path, encoding="utf-8", errors="replace") as fh:
            found = fh.readline().rstrip("\r\n").split(sep)
        missing = [c for c in columns if c not in found]
        if missing:
            raise ConversionError(
                path, f"missing column(s) {missing} in header {found} (is the separator {sep!r}?)", line=1
            )
        present += [c for c in optional if c in found]
    chunks = []
    try:
        reader = pd.read_csv(
            path, sep=sep, header=None if names is not None else 0, names=names, usecols=present,
            dtype=str, keep_default_na=False, chunksize=chunk_rows,
            index_col=False,  # never reinterpret leading fields as an index on wide rows
        )
        with tqdm(desc=f"{desc} {path.name}", unit=" rows", unit_scale=True, disable=None) as bar:
            for chunk in reader:
                chunks.append(chunk)
                bar.update(len(chunk))
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as err:
        match = _PANDAS_LINE.search(str(err))
        line = int(match.group(1)) if match else None
        raise ConversionError(path, f"malformed row ({str(err).splitlines()[-1]})", line=line) from None
    df = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=present)
    for col in columns:
        empty = (df[col] == "").to_numpy()
        if empty.any():
            raise ConversionError(
                path, f"empty value in column {col!r} (truncated file or wrong separator?)",
                line=int(np.argmax(empty)) + 1 + header_lines,
            )
    df.attrs["header_lines"] = header_lines
    return df


def to_int(df: pd.DataFrame, col: str, path: Path) -> np.ndarray:
    """Column ``col`` of string frame ``df`` as int64 [N]; a non-integer names its line."""
    values = pd.to_numeric(df[col], errors="coerce")
    bad = values.isna().to_numpy() | (values.to_numpy() != np.floor(values.to_numpy()))
    if bad.any():
        row = int(np.argmax(bad))
        raise ConversionError(
            path, f"column {col!r}: {df[col].iat[row]!r} is not an integer id",
            line=row + 1 + df.attrs.get("header_lines", 1),
        )
    return values.to_numpy().astype(np.int64)


def to_seconds(df: pd.DataFrame, col: str, path: Path, fmt: str, width: int | None = None) -> np.ndarray:
    """Column ``col`` parsed with ``fmt`` (first ``width`` chars) as Unix seconds float64 [N] (UTC)."""
    text = df[col] if width is None else df[col].str.slice(0, width)
    stamps = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
    bad = stamps.isna().to_numpy()
    if bad.any():
        row = int(np.argmax(bad))
        raise ConversionError(
            path, f"column {col!r}: {df[col].iat[row]!r} is not a date/time of the form {fmt}",
            line=row + 1 + df.attrs.get("header_lines", 1),
        )
    return stamps.astype("int64").to_numpy() / 1e9
