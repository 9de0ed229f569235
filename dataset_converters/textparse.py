"""Vectorised parsing of whitespace-separated integer files (LightGCN's ``train.txt``).

One line per user, ``uid iid iid ...``.  The whole file is scanned as a byte array, so
no Python work is done per line or per id.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import ConversionError

_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
_SPACE = np.frombuffer(b" \t\r", dtype=np.uint8)
_NEWLINE = ord("\n")
_INT64_MAX = np.iinfo(np.int64).max


def read_id_lines(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Parse ``uid iid iid ...`` lines into (user, item) int64 arrays of equal length.

    A line holding only a uid contributes nothing.  Any byte other than digits and
    whitespace (a comma separator, a minus sign, text) raises :class:`ConversionError`
    naming its line.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConversionError(path, "file not found") from None
    buf = np.frombuffer(raw, dtype=np.uint8)
    is_newline = buf == _NEWLINE
    is_digit = np.isin(buf, _DIGITS)
    bad = ~(is_digit | is_newline | np.isin(buf, _SPACE))
    if bad.any():
        pos = int(np.argmax(bad))
        line = int(is_newline[:pos].sum()) + 1
        char = raw[pos : pos + 1].decode("latin-1")
        raise ConversionError(path, f"expected space-separated integer ids, found {char!r}", line=line)
    # A token starts at a digit whose predecessor is not a digit.
    starts = np.flatnonzero(is_digit & ~np.concatenate(([False], is_digit[:-1])))
    line_of_token = np.cumsum(is_newline)[starts] if len(starts) else np.zeros(0, dtype=np.int64)
    tokens = raw.split()
    try:
        values = np.array(tokens, dtype=np.int64) if len(starts) else np.zeros(0, dtype=np.int64)
    except OverflowError:
        big = next(k for k, tok in enumerate(tokens) if len(tok) >= 19 and int(tok) > _INT64_MAX)
        raise ConversionError(
            path, f"id {tokens[big].decode()} is larger than the int64 maximum {_INT64_MAX}", line=int(line_of_token[big]) + 1
        ) from None
    # A line's first token is its uid; every following token on that line is an item.
    first = np.ones(len(starts), dtype=bool)
    first[1:] = line_of_token[1:] != line_of_token[:-1]
    uid_per_line = values[first]
    user = np.repeat(uid_per_line, np.diff(np.append(np.flatnonzero(first), len(values))))
    return user[~first], values[~first]
