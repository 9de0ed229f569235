"""Checked, chunked CSV reading: every problem becomes one :class:`ConversionError`.

pandas reports bad input as deep tracebacks (or silently as NaN).  Here each chunk is
read as strings, each column is validated and parsed to a numpy array in one vectorised
pass (so the first offending line and column can be named), and the strings are dropped
before the next chunk: memory stays at the size of the parsed arrays even for the
50M-row logs (IJCAI-15, Yoochoose).
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .errors import ConversionError

_PANDAS_LINE = re.compile(r"line (\d+)")
_PANDAS_FIELDS = re.compile(r"Expected (\d+) fields in line \d+, saw (\d+)")

# A parser turns one column of a chunk into a numpy array, or returns the 0-based row
# (within the chunk) and the problem of its first bad value.
Parser = Callable[[pd.Series], "np.ndarray | tuple[int, str]"]


def integers(missing: int = -1) -> Parser:
    """Parser of integer ids -> int64; empty cells (optional columns only) become ``missing``."""

    def parse(values: pd.Series):
        if pd.api.types.is_numeric_dtype(values.dtype):  # fast path: the C parser already read numbers
            numbers = values.fillna(missing).to_numpy()
            if (numbers != np.floor(numbers)).any():
                raise ValueError("non-integer id")  # located by the slow path
            return numbers.astype(np.int64)
        numbers = pd.to_numeric(values.mask(values == "", str(missing)), errors="coerce").to_numpy()
        bad = np.isnan(numbers) | (numbers != np.floor(numbers))
        if bad.any():
            row = int(np.argmax(bad))
            return row, f"{values.iat[row]!r} is not an integer id"
        return numbers.astype(np.int64)

    parse.fast_dtype = "int64"  # type: ignore[attr-defined]
    return parse


def seconds(fmt: str, width: int | None = None) -> Parser:
    """Parser of date/times in ``fmt`` (first ``width`` chars) -> Unix seconds float64 (UTC)."""

    def parse(values: pd.Series):
        text = values if width is None else values.str.slice(0, width)
        stamps = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
        bad = stamps.isna().to_numpy()
        if bad.any():
            row = int(np.argmax(bad))
            return row, f"{values.iat[row]!r} is not a date/time of the form {fmt}"
        return ((stamps - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)).to_numpy()

    return parse


def read_columns(
    path: Path,
    sep: str,
    parsers: Mapping[str, Parser],
    names: Sequence[str] | None = None,
    optional: Mapping[str, Parser] | None = None,
    chunk_rows: int = 1_000_000,
) -> dict[str, np.ndarray]:
    """Read and parse the ``parsers`` columns of a delimited file, with a row progress bar.

    ``names``: column names of a header-less file (then line 1 is data).  ``optional``
    columns are parsed when the header has them and may hold empty cells.  Missing
    columns (often a wrong separator), empty required cells (a truncated file), malformed
    rows and values a parser rejects raise :class:`ConversionError` with the file line.
    """
    path = Path(path)
    if not path.is_file():
        raise ConversionError(path, "file not found")
    if path.stat().st_size == 0:
        raise ConversionError(path, "file is empty")
    header_lines = 0 if names is not None else 1
    wanted = dict(parsers)
    if names is None:
        with open(path, encoding="utf-8", errors="replace") as fh:
            found = fh.readline().rstrip("\r\n").split(sep)
        missing = [c for c in parsers if c not in found]
        if missing:
            raise ConversionError(
                path, f"missing column(s) {missing} in header {found} (is the separator {sep!r}?)", line=1
            )
        wanted.update({c: p for c, p in (optional or {}).items() if c in found})
    try:
        # Fast path: numeric columns parsed by pandas' C parser.  Any failure there is
        # located precisely by re-reading everything as strings.
        columns = _read(path, sep, parsers, wanted, names, header_lines, chunk_rows, fast=True)
    except (ValueError, TypeError, pd.errors.ParserError):
        columns = _read(path, sep, parsers, wanted, names, header_lines, chunk_rows, fast=False)
    if not len(next(iter(columns.values()))):
        raise ConversionError(path, "no data rows" + (" after the header" if header_lines else ""), line=1 + header_lines)
    return columns


def first_undecodable_line(path: Path, block_bytes: int = 1 << 24) -> int | None:
    """1-based line of the first byte sequence that is not UTF-8, or None when all is UTF-8.

    Read in blocks; a multi-byte character cut by a block boundary is carried over.
    """
    line, carry = 1, b""
    with open(path, "rb") as fh:
        while True:
            block = fh.read(block_bytes)
            data = carry + block
            if not data:
                return None
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as err:
                if not block or err.reason != "unexpected end of data":
                    return line + data.count(b"\n", 0, err.start)
                line += data.count(b"\n", 0, err.start)
                carry = data[err.start:]
                continue
            line += data.count(b"\n")
            carry = b""
            if not block:
                return None


def _read(path, sep, parsers, wanted, names, header_lines, chunk_rows, fast: bool) -> dict[str, np.ndarray]:
    parts: dict[str, list[np.ndarray]] = {c: [] for c in wanted}
    first_line = 1 + header_lines
    # Every column is read (unwanted ones as strings, then dropped): with ``usecols``
    # pandas would silently cut the extra fields of a malformed row instead of naming it.
    dtype = {c: getattr(p, "fast_dtype", str) if fast else str for c, p in wanted.items()}
    if fast:
        # Optional columns may hold empty cells: float64 reads them as NaN (ids < 2**53 stay
        # exact).  pandas' nullable Int64 would do too, but it parses through to_numeric, far slower.
        dtype.update({c: "float64" for c in wanted if c not in parsers and dtype[c] == "int64"})
    try:
        reader = pd.read_csv(
            path, sep=sep, header=None if names is not None else 0, names=names,
            dtype=defaultdict(lambda: str, dtype), keep_default_na=False, na_values=[""] if fast else None, chunksize=chunk_rows,
            index_col=False,  # never reinterpret leading fields as an index on wide rows
        )
        with tqdm(desc=f"reading {path.name}", unit=" rows", unit_scale=True, disable=None) as bar:
            for chunk in reader:
                for col in parsers:
                    if fast:
                        if chunk[col].isna().any():
                            raise ValueError(f"empty cells in {col}")  # located by the slow path
                        continue
                    empty = (chunk[col] == "").to_numpy()
                    if empty.any():
                        raise ConversionError(
                            path, f"empty value in column {col!r} (truncated file or wrong separator?)",
                            line=first_line + int(np.argmax(empty)),
                        )
                for col, parse in wanted.items():
                    parsed = parse(chunk[col])
                    if isinstance(parsed, tuple):
                        row, problem = parsed
                        raise ConversionError(path, f"column {col!r}: {problem}", line=first_line + row)
                    parts[col].append(parsed)
                first_line += len(chunk)
                bar.update(len(chunk))
    except UnicodeDecodeError:
        raise ConversionError(path, "not UTF-8 text", line=first_undecodable_line(path)) from None
    except (pd.errors.ParserError, ValueError) as err:
        if fast:
            raise
        match = _PANDAS_LINE.search(str(err))
        line = int(match.group(1)) if match else None
        fields = _PANDAS_FIELDS.search(str(err))
        problem = (f"{fields.group(2)} fields where every row has {fields.group(1)}" if fields
                   else f"malformed row ({str(err).splitlines()[-1]})")
        raise ConversionError(path, problem, line=line) from None
    return {c: np.concatenate(p) if p else np.zeros(0) for c, p in parts.items()}
