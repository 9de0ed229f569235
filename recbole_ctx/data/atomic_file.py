"""One atomic file, checked with numpy over its bytes and pyarrow over its typed columns.

:func:`read_layout` reads the bytes and the typed header (not empty, no byte-order mark,
valid in the encoding, ``name:type`` fields of RecBole's types, no duplicates);
:func:`check_rows` checks every row's field count and that id fields are not empty;
:func:`check_numbers` that ``float`` cells and ``float_seq`` elements are numbers (or
empty / NA).  Lines holding only whitespace are skipped, as RecBole's reader skips them;
a line holding ``"`` is left to RecBole, whose reader honours quotes.  Tokens are
strings: ``22.0`` is a token like ``22``.  No Python loop runs per row.

Every problem is one :class:`AtomicFileError`: ``FILE:LINE: problem``.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

TYPES = ("token", "float", "token_seq", "float_seq")
_BOM = b"\xef\xbb\xbf"
_NL, _CR, _QUOTE = ord("\n"), ord("\r"), ord('"')
_VISIBLE = re.compile(rb"[^ \t\r\n]")  # searched, not stripped: no copy of the file
_BLOCK = 1 << 20  # bytes of whole lines per numpy pass: in cache
_ASCII_SUPERSETS = {"utf-8", "ascii", "latin-1", "iso8859-1", "cp1252"}  # ASCII bytes decode as such
_WHITESPACE = np.zeros(256, dtype=bool)
_WHITESPACE[[ord(c) for c in " \t\r\n\v\f"]] = True
# What pandas reads as missing (its default na_values), and numbers as float() reads them.
_NA = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",
       "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
_NUMBER = r"^\s*[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|(?i:inf|infinity|nan))\s*$"


class AtomicFileError(ValueError):
    """An atomic file a run would misread; the message is ``FILE:LINE: problem``."""


@dataclass
class Layout:
    """One file's bytes, header and rows.

    Attributes:
        path: the file.
        raw: its bytes.
        fields: ``[(name, type)]`` of the header.
        readable: False when the separator is not one byte (RecBole reads it as a regex,
            and so decides alone: nothing beyond the header is checked).
        kept: bool [L] per line, whether it is a row pyarrow's reader gives (not empty,
            as many fields as the header); ``None`` when every line after the header is.
    """

    path: str
    raw: bytes
    fields: list[tuple[str, str]]
    readable: bool = True
    kept: np.ndarray | None = None

    def column_index(self, name: str) -> int | None:
        return next((i for i, (field, _) in enumerate(self.fields) if field == name), None)

    def line(self, row: int) -> int:
        """The 1-based line number of row ``row`` (computed only for a message)."""
        return row + 2 if self.kept is None else int(np.flatnonzero(self.kept)[row]) + 1


def error_at(path: str, line: int | None, problem: str) -> AtomicFileError:
    """``FILE:LINE: problem`` (``FILE: problem`` without a line)."""
    return AtomicFileError(f"{path}:{line}: {problem}" if line is not None else f"{path}: {problem}")


def _decode_check(path: str, raw: bytes, encoding: str) -> None:
    if raw.isascii() and codecs.lookup(encoding).name in _ASCII_SUPERSETS:
        return  # the common case, at memory speed
    try:
        raw.decode(encoding)
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - raw.rfind(b"\n", 0, err.start)
        raise error_at(path, line, f"not valid {encoding} (byte {raw[err.start]:#04x} at column {column})") from None


def _header(path: str, text: str, separator: str) -> list[tuple[str, str]]:
    fields = []
    for cell in text.rstrip("\r").split(separator):
        name, colon, kind = cell.partition(":")
        if not colon or not name:
            raise error_at(path, 1, f"header field {cell!r} is not name:type (types: {', '.join(TYPES)}); "
                                 "the first line of an atomic file is its typed header")
        if kind not in TYPES:
            raise error_at(path, 1, f"header field {cell!r}: unknown type {kind!r} (types: {', '.join(TYPES)})")
        if any(name == other for other, _ in fields):
            raise error_at(path, 1, f"field {name!r} appears twice in the header")
        fields.append((name, kind))
    return fields


def read_layout(path: str, separator: str, encoding: str) -> Layout:
    """The file's bytes and typed header, after the checks that need no row: not empty, no
    byte-order mark, valid in ``encoding``.

    Raises:
        AtomicFileError: ``FILE[:LINE]: problem``.
    """
    raw = Path(path).read_bytes()
    if not _VISIBLE.search(raw):
        raise error_at(path, None, "empty file; an atomic file starts with a header line of name:type fields")
    if raw.startswith(_BOM):  # RecBole's header parse (dataset.py:459) keeps it in the first name
        raise error_at(path, 1, "starts with a UTF-8 byte-order mark, which RecBole reads as part of the first "
                             "field's name; save the file without it")
    _decode_check(path, raw, encoding)
    end = raw.find(b"\n")
    header = raw[:end if end >= 0 else len(raw)].decode(encoding)
    return Layout(path, raw, _header(path, header, separator), readable=len(separator.encode(encoding)) == 1)


def check_rows(layout: Layout, separator: str, encoding: str, need_rows: bool, id_fields: list[str]) -> None:
    """Every row has the header's field count, and no field of ``id_fields`` is empty.

    numpy over the bytes, one block of whole lines at a time (blocks that stay in the
    CPU's cache are read ~2.5x faster than the whole file at once): the offsets of the
    line ends and separators; the number of offsets between two line ends is a row's
    field count, and two neighbouring offsets mark an empty field.  A file with blank
    lines, quotes or rows of another count takes a second, whole-file look.

    Raises:
        AtomicFileError: ``FILE:LINE: problem`` for the first problem.
    """
    raw, n = layout.raw, len(layout.fields)
    data_start = raw.find(b"\n") + 1
    if data_start == 0 or not _VISIBLE.search(raw, data_start):
        if need_rows:
            raise error_at(layout.path, None, "header only, no rows")
        return
    if not layout.readable:
        return
    buf = np.frombuffer(raw, dtype=np.uint8)
    sep = separator.encode(encoding)[0]
    ids = [layout.column_index(f) for f in id_fields if layout.column_index(f) is not None]
    has_cr = b"\r" in raw
    lo, first_line = data_start, 2
    while lo < buf.size:
        hi = raw.find(b"\n", min(lo + _BLOCK, buf.size - 1)) + 1 or buf.size
        lines = _regular_block(buf[lo:hi], sep, n, ids, has_cr)
        if lines is None:  # irregular: the whole file's second look
            _irregular_rows(layout, buf, separator, need_rows, id_fields, encoding)
            return
        if isinstance(lines, tuple):
            row, k = lines
            raise error_at(layout.path, first_line + row, f"empty {layout.fields[k][0]}")
        lo, first_line = hi, first_line + lines


def _regular_block(block: np.ndarray, sep: int, n: int, ids: list[int], has_cr: bool) -> int | tuple[int, int] | None:
    """Lines in ``block`` (whole lines) when each has ``n`` fields and no empty id field;
    ``(row, field)`` of the first empty id; ``None`` when a line has another count."""
    marks = np.flatnonzero((block == sep) | (block == _NL))
    is_end = block[marks] == _NL
    if block[-1] != _NL:  # the file's last line, without its newline
        marks, is_end = np.append(marks, block.size), np.append(is_end, True)
    end_at = np.flatnonzero(is_end)
    counts = np.diff(end_at, prepend=-1)
    if n < 2 or counts.min() != n or counts.max() != n:
        return None
    if ids:
        lengths = np.diff(marks, prepend=-1) - 1  # each mark closes one field: its length
        if has_cr:
            last = marks[n - 1::n]
            lengths[n - 1::n] -= block[np.maximum(last - 1, 0)] == _CR
        empty = np.flatnonzero(lengths == 0)
        empty = empty[np.isin(empty % n, ids)]
        if empty.size:
            return int(empty[0] // n), int(empty[0] % n)
    return int(end_at.size)


def scan(path: str, separator: str, encoding: str, need_rows: bool, id_fields: list[str] = ()) -> Layout:
    """:func:`read_layout`, then :func:`check_rows`."""
    layout = read_layout(path, separator, encoding)
    check_rows(layout, separator, encoding, need_rows, list(id_fields))
    return layout


def _irregular_rows(layout: Layout, buf: np.ndarray, separator: str, need_rows: bool, id_fields: list[str],
                    encoding: str) -> None:
    """:func:`check_rows` of a file with blank lines, quotes or rows of another field count;
    sets ``layout.kept``."""
    import pyarrow.compute as pc

    n, path = len(layout.fields), layout.path
    is_mark = (buf == separator.encode(encoding)[0]) | (buf == _NL)
    marks = np.flatnonzero(is_mark)
    is_end = buf[marks] == _NL
    if buf[-1] != _NL:
        marks, is_end = np.append(marks, buf.size), np.append(is_end, True)
    end_at = np.flatnonzero(is_end)
    ends = marks[end_at]
    counts = np.diff(end_at, prepend=-1)
    starts = np.concatenate(([0], ends[:-1] + 1))
    has_cr = np.zeros(ends.size, dtype=bool)
    nonempty = ends > starts
    has_cr[nonempty] = buf[ends[nonempty] - 1] == _CR
    empty = ends - starts - has_cr == 0
    # RecBole's reader skips lines holding only whitespace, too.
    total = np.concatenate(([0], np.cumsum(~_WHITESPACE[buf], dtype=np.int64)))
    data = total[ends] - total[starts] > 0
    data[0] = False
    if need_rows and not data.any():
        raise error_at(path, None, "header only, no rows")
    quoted = np.zeros(ends.size, dtype=bool)
    quoted[np.searchsorted(ends, np.flatnonzero(buf == _QUOTE))] = True  # left to RecBole's reader
    bad = data & ~quoted & (counts != n)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise error_at(path, row + 1, f"{int(counts[row])} fields, the header has {n} "
                                   f"(fields are separated by {separator!r})")
    layout.kept = ~empty & (counts == n)  # the rows pyarrow's reader (quoting off) gives
    layout.kept[0] = False
    for name in id_fields:
        if layout.column_index(name) is not None:
            row = first_false(pc.not_equal(read_columns(layout, [name], separator, encoding)[name], ""))
            if row is not None:
                raise error_at(path, layout.line(row), f"empty {name}")


def _csv_options(layout: Layout, separator: str, encoding: str, names: list[str], kind: Any) -> dict[str, Any]:
    import pyarrow as pa
    from pyarrow import csv

    return dict(
        read_options=csv.ReadOptions(skip_rows=1, column_names=[n for n, _ in layout.fields], encoding=encoding),
        parse_options=csv.ParseOptions(delimiter=separator, quote_char=False, ignore_empty_lines=True,
                                       invalid_row_handler=lambda row: "skip"),  # rows left to RecBole (quotes)
        convert_options=csv.ConvertOptions(include_columns=names, column_types={n: kind or pa.string() for n in names},
                                           strings_can_be_null=False, null_values=_NA))


def read_columns(layout: Layout, names: list[str], separator: str, encoding: str) -> dict[str, Any]:
    """``names`` of ``layout``'s rows as pyarrow string arrays (row i is line ``layout.line(i)``)."""
    from pyarrow import csv

    if not names or not layout.readable:
        return {}
    table = csv.read_csv(layout.path, **_csv_options(layout, separator, encoding, names, None))
    return {name: table.column(name).combine_chunks() for name in names}


def first_false(mask: Any) -> int | None:
    """Index of the first False of a pyarrow boolean array, or ``None``."""
    values = np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)
    bad = np.flatnonzero(~values)
    return int(bad[0]) if bad.size else None


def check_numbers(layout: Layout, names: list[str], separator: str, seq_separator: str, encoding: str) -> None:
    """``float`` cells of ``names`` are numbers or NA, ``float_seq`` elements numbers.

    ``float`` columns are parsed by pyarrow at C++ speed; only when that fails are they
    read again as strings to find the line.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    kinds = dict(layout.fields)
    floats = [n for n in names if kinds[n] == "float"]
    seqs = [n for n in names if kinds[n] == "float_seq"]
    if not layout.readable:  # a regex separator: RecBole's reader decides
        return
    if floats:
        try:
            csv.read_csv(layout.path, **_csv_options(layout, separator, encoding, floats, pa.float64()))
        except pa.ArrowInvalid:
            for name, column in read_columns(layout, floats, separator, encoding).items():
                ok = pc.or_(pc.is_in(column, value_set=pa.array(_NA)), pc.match_substring_regex(column, _NUMBER))
                row = first_false(ok)
                if row is not None:
                    raise error_at(layout.path, layout.line(row), f"{name}: {column[row].as_py()!r} is not a "
                                                                    "number (the header types it float)") from None
    for name, column in read_columns(layout, seqs, separator, encoding).items():
        parts = pc.split_pattern(column, seq_separator)
        elements = pc.list_flatten(parts)
        ok = pc.or_(pc.equal(pc.utf8_trim_whitespace(elements), ""), pc.match_substring_regex(elements, _NUMBER))
        element = first_false(ok)
        if element is not None:
            row = int(pc.list_parent_indices(parts)[element].as_py())
            raise error_at(layout.path, layout.line(row), f"{name}: {elements[element].as_py()!r} is not a "
                                                            "number (the header types it float_seq)")
