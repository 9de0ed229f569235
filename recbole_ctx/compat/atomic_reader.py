"""RecBole's atomic-file parse through pyarrow's CSV reader, frame for frame the same.

``Dataset._load_feat`` (recbole/data/dataset/dataset.py:447-526) parses every atomic
file with ``pd.read_csv(..., engine="python")`` (:492): a Python loop over every cell,
about 4-16 us a row and a Python string object per cell held at once (a 15M-row
``.inter`` takes minutes and GBs).  ``load_feat`` below replaces that one call with
pyarrow's multi-threaded C++ reader and keeps everything else of the method: the same
header parsing and side effects (``field2type`` & co.), the same sequence splitting.

Only files that both readers read the same way take the fast path; everything else
goes to RecBole's own method, unchanged (:func:`arrow_frame` returns ``None``):

- the Python engine honours ``"`` quoting, drops lines holding only whitespace and
  strips a UTF-8 byte-order mark; pyarrow (quoting off) would not: files holding a
  ``"``, a NUL byte or a BOM, and one-column files, fall back;
- a separator that is not one ASCII character (the Python engine reads longer ones as
  a regex), an encoding that is not UTF-8 / ASCII / Latin-1 / cp1252, duplicate header
  names: fall back;
- any row pyarrow refuses (a field count off, a float it cannot parse, bytes that are
  not valid in the encoding) falls back, so RecBole raises or reads it as before;
- in a column of integers the Python engine reads ``-0`` as the integer 0, so 0.0;
  pyarrow gives -0.0: a float column holding any negative zero falls back.

Cells equal to one of pandas' default NA strings (``""``, ``NA``, ``null``, ``None``,
...) are missing in both.  String columns come back as the Python engine returns them
(pandas 3: the ``str`` dtype, Arrow backed, NaN for missing; pandas 2: object arrays of
Python strings and NaN), float columns as float64.
"""
from __future__ import annotations

import codecs
import functools
import io
from typing import Any

import numpy as np
import pandas as pd

from recbole_ctx.compat.dataset_method import DatasetMethod

# Encodings pyarrow reads (transcoding the single-byte ones) where every byte checked
# below (", NUL, the separator) means the same character as in ASCII.
_ASCII_COMPATIBLE = {"utf-8", "ascii", "latin-1", "iso8859-1", "cp1252"}
_SCAN_BYTES = 1 << 24  # 16 MiB per read when scanning a file for bytes the fast path refuses



def _codec(encoding: str | None) -> str | None:
    """Python's canonical codec name, or ``None`` when the fast path does not read it."""
    try:
        name = codecs.lookup(encoding or "utf-8").name  # read_csv's default (RecBole's is None)
    except LookupError:
        return None
    return name if name in _ASCII_COMPATIBLE else None


@functools.cache
def _str_column_kind() -> str | None:
    """How this pandas' Python engine returns a ``dtype=str`` column: ``"arrow"`` (pandas 3's
    ``str``: Arrow-backed, NaN for missing), ``"object"`` (pandas 2: Python strings and NaN),
    or ``None`` for anything else (the fast path then declines every file)."""
    dtype = pd.read_csv(io.StringIO("a\nx\n"), dtype={"a": str}, engine="python")["a"].dtype
    if dtype == object:
        return "object"
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" and dtype.na_value is np.nan:
        return "arrow"
    return None


def _string_column(col: Any, kind: str) -> Any:
    """An Arrow string column as the Python engine's ``dtype=str`` column of ``kind``."""
    if kind == "arrow":
        return pd.array(col, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
    values = col.to_numpy(zero_copy_only=False)  # object: str, None for missing
    values[pd.isna(values)] = np.nan
    return values


def _plain_bytes(filepath: str) -> bool:
    """True when the file starts without a UTF-8 BOM and holds no ``"`` and no NUL byte."""
    with open(filepath, "rb") as f:
        head = f.read(3)
        if head == codecs.BOM_UTF8:
            return False
        f.seek(0)
        for chunk in iter(lambda: f.read(_SCAN_BYTES), b""):
            if b'"' in chunk or b"\0" in chunk:
                return False
    return True


def arrow_frame(
    filepath: str, usecols: list[str], dtype: dict[str, Any], field_separator: str, encoding: str | None
) -> pd.DataFrame | None:
    """``pd.read_csv(filepath, delimiter=field_separator, usecols=usecols, dtype=dtype,
    encoding=encoding, engine="python")`` read by pyarrow, or ``None`` where the two could
    differ (see the module docstring).

    ``usecols`` are typed header names (``user_id:token``) in file order; ``dtype`` maps
    each to ``np.float64`` or ``str``.  Returns a frame with one column per ``usecols``
    entry and a RangeIndex over the data rows.
    """
    try:  # not a declared dependency: without it, RecBole's parser
        import pyarrow as pa
        import pyarrow.csv as pcsv
    except ImportError:
        return None
    from pandas._libs.parsers import STR_NA_VALUES

    codec, kind = _codec(encoding), _str_column_kind()
    if kind is None or codec is None or len(field_separator) != 1 or not field_separator.isascii():
        return None
    if field_separator in '"\r\n\0':
        return None
    with open(filepath, "rb") as f:
        try:  # the header alone: a bad byte further on is pyarrow's to find
            header = f.readline().decode(codec).rstrip("\r\n").split(field_separator)
        except UnicodeDecodeError:
            return None
    if len(header) < 2 or len(set(header)) != len(header) or not set(usecols) <= set(header):
        return None
    if not _plain_bytes(filepath):
        return None
    types = {c: pa.float64() if dtype[c] == np.float64 else pa.string() for c in usecols}
    try:
        table = pcsv.read_csv(
            filepath,
            read_options=pcsv.ReadOptions(encoding="utf8" if codec == "utf-8" else codec),
            parse_options=pcsv.ParseOptions(delimiter=field_separator, quote_char=False),
            convert_options=pcsv.ConvertOptions(
                column_types=types,
                include_columns=usecols,
                null_values=sorted(STR_NA_VALUES),
                strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    columns: dict[str, Any] = {}
    for name in usecols:
        col = table.column(name)
        if types[name] == pa.float64():
            values = col.to_numpy()  # nulls -> NaN
            if np.any((values == 0) & np.signbit(values)):
                return None
            columns[name] = values
        else:
            columns[name] = _string_column(col, kind)
    return pd.DataFrame(columns, copy=False)


def load_feat(self, filepath: str, source: Any) -> pd.DataFrame | None:
    """Replaces ``Dataset._load_feat`` (recbole/data/dataset/dataset.py:447-526).

    Upstream line for line, except that the parse (:492) goes through
    :func:`arrow_frame`; where that declines, RecBole's own method runs instead.
    """
    from recbole.utils import FeatureSource, FeatureType, set_color

    self.logger.debug(set_color(f"Loading feature from [{filepath}] (source: [{source}]).", "green"))
    load_col, unload_col = self._get_load_and_unload_col(source)
    if load_col == set():
        return None

    field_separator = self.config["field_separator"]
    encoding = self.config["encoding"]
    with open(filepath, "r", encoding=encoding) as f:
        head = f.readline()[:-1]
    fields: list[tuple[str, Any, str]] = []  # (field, FeatureType, typed header name)
    for field_type in head.split(field_separator):
        field, ftype = field_type.split(":")
        try:
            ftype = FeatureType(ftype)
        except ValueError:
            raise ValueError(f"Type {ftype} from field {field} is not supported.")
        if load_col is not None and field not in load_col:
            continue
        if unload_col is not None and field in unload_col:
            continue
        fields.append((field, ftype, field_type))
    if not fields:
        return LOAD_FEAT.fallback(self, filepath, source)  # logs RecBole's warning, returns None

    usecols = [field_type for _, _, field_type in fields]
    dtype = {field_type: np.float64 if ftype == FeatureType.FLOAT else str for _, ftype, field_type in fields}
    df = arrow_frame(filepath, usecols, dtype, field_separator, encoding)
    if df is None:
        return LOAD_FEAT.fallback(self, filepath, source)

    for field, ftype, _ in fields:  # the bookkeeping of :470-476
        if isinstance(source, FeatureSource) or source != "link":
            self.field2source[field] = source
            self.field2type[field] = ftype
            if not ftype.value.endswith("seq"):
                self.field2seqlen[field] = 1
            if "float" in ftype.value:
                self.field2bucketnum[field] = 2
    columns = [field for field, _, _ in fields]
    df.columns = columns

    seq_separator = self.config["seq_separator"]
    for field, ftype, _ in fields:  # :497-525, the fillna assigned back (pandas 3)
        if not ftype.value.endswith("seq"):
            continue
        cells = df[field].fillna("").values
        if ftype == FeatureType.TOKEN_SEQ:
            df[field] = [np.array(list(filter(None, cell.split(seq_separator)))) for cell in cells]
        else:
            df[field] = [np.array(list(map(float, filter(None, cell.split(seq_separator))))) for cell in cells]
        max_seq_len = max(map(len, df[field].values))
        if self.config["seq_len"] and field in self.config["seq_len"]:
            seq_len = self.config["seq_len"][field]
            df[field] = [seq[:seq_len] if len(seq) > seq_len else seq for seq in df[field].values]
            self.field2seqlen[field] = min(seq_len, max_seq_len)
        else:
            self.field2seqlen[field] = max_seq_len
    return df


LOAD_FEAT = DatasetMethod("_load_feat", load_feat)
stock_loading = LOAD_FEAT.stock  # RecBole's own inside the block (comparisons)
apply = LOAD_FEAT.apply
