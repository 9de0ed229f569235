"""Writing RecBole atomic files, and publishing an output folder all at once.

Atomic files are tab-separated with a typed header (``user_id:token``).  RecBole reads
them with pandas' default quoting, so text values must not contain tabs, newlines or
double quotes: :func:`clean_token` maps those to ``_`` (token) and :func:`words` to
spaces-separated words (token_seq).
"""
from __future__ import annotations

import contextlib
import csv
import glob
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

logger = logging.getLogger(__name__)

FIELD_TYPES = ("token", "token_seq", "float", "float_seq")


def clean_token(values: pd.Series) -> pd.Series:
    """Series -> str Series safe as a RecBole ``token`` (missing -> empty string)."""
    out = values.astype("string").fillna("")
    return out.str.replace(r'[\t\r\n"]', "_", regex=True).astype(object)


def words(values: pd.Series) -> pd.Series:
    """Free text -> space-separated words, safe as a RecBole ``token_seq``."""
    out = values.astype("string").fillna("")
    return out.str.replace(r'[\t\r\n"]', " ", regex=True).str.split().str.join(" ").astype(object)


def write_atomic(df: pd.DataFrame, path: Path, fields: Mapping[str, str]) -> int:
    """Write ``df[list(fields)]`` to ``path`` as a RecBole atomic file; return the row count.

    ``fields`` maps column -> RecBole type (``token``, ``token_seq``, ``float``,
    ``float_seq``); seq columns must already be space-joined strings.
    """
    bad = [f"{c}:{t}" for c, t in fields.items() if t not in FIELD_TYPES]
    if bad:
        raise ValueError(f"unknown RecBole field types {bad}")
    header = "\t".join(f"{c}:{t}" for c, t in fields.items())
    out = df[list(fields)]
    # pandas formats floats one Python call per value; whole-second times (the common
    # case) are written as integers instead, which RecBole reads as the same floats.
    integral = {
        c: out[c].to_numpy(dtype=np.int64)
        for c, t in fields.items()
        if t == "float" and _integral(out[c].to_numpy())
    }
    if integral:
        out = out.assign(**integral)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(header + "\n")
        out.to_csv(
            fh, sep="\t", header=False, index=False, quoting=csv.QUOTE_NONE, lineterminator="\n", float_format="%.15g"
        )
    return len(df)


def _integral(values: np.ndarray) -> bool:
    values = values.astype(np.float64, copy=False)
    return bool(np.isfinite(values).all() and (values == np.round(values)).all() and (np.abs(values) < 2**53).all())


def write_yaml(config: Mapping[str, Any], path: Path) -> None:
    """Write a RecBole config file (plain YAML, keys in the given order)."""
    with open(path, "w", encoding="utf-8") as fh:
        yaml.safe_dump(dict(config), fh, sort_keys=False, default_flow_style=None)


def _owner_alive(folder: Path, marker: str) -> bool:
    """Whether the process named in ``<...><marker><pid>-...`` (or ``...<marker><pid>``) still runs."""
    pid_text = folder.name.split(marker, 1)[1].split("-", 1)[0]
    if not pid_text.isdigit():
        return False  # left by an older version that did not record its process
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def remove_stale(parent: Path, name: str) -> None:
    """Clear what killed conversions of dataset ``name`` left in ``parent``.

    A SIGKILL skips every cleanup: a ``.<name>.tmp-<pid>-*`` folder (never complete, so
    never trusted) is removed, and a ``.<name>.old-<pid>`` (the previous output, moved
    aside in the instant before the new one took its place) is put back when ``name``
    itself is missing, else removed.  Folders of conversions still running are kept.
    """
    parent = Path(parent)
    if not parent.is_dir():
        return
    for marker in (".tmp-", ".old-"):
        for folder in parent.glob(f".{glob.escape(name)}{marker}*"):
            if not folder.is_dir() or _owner_alive(folder, marker):
                continue
            if marker == ".old-" and not (parent / name).exists():
                os.replace(folder, parent / name)
                logger.warning("restored %s from an interrupted conversion", parent / name)
            else:
                shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def staged_output(dest: Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``dest``; on success it becomes ``dest``.

    The old ``dest`` (if any) is replaced only after everything was written, so a failed
    or interrupted conversion never leaves half a dataset, and re-running replaces the
    previous output instead of mixing with it.  Leftovers of killed runs are cleared
    first (:func:`remove_stale`).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(dest.parent, dest.name)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-{os.getpid()}-", dir=dest.parent))
    # mkdtemp makes the folder private (0700); the published dataset gets normal rights.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if dest.exists():
        old = dest.parent / f".{dest.name}.old-{os.getpid()}"
        shutil.rmtree(old, ignore_errors=True)
        os.replace(dest, old)
    os.replace(tmp, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    logger.info("wrote %s", dest)


@contextlib.contextmanager
def staged_files(dest: Path, last: str) -> Iterator[Path]:
    """Like :func:`staged_output`, but merge the new files into an existing ``dest``.

    Used to convert a folder in place (its source files stay).  Every file is renamed
    into ``dest`` only after all were written, and ``last`` (the dataset yaml) goes
    last, so its presence marks a complete conversion.
    """
    dest = Path(dest)
    for folder in dest.glob(".convert.tmp-*"):
        if folder.is_dir() and not _owner_alive(folder, ".convert.tmp-"):
            shutil.rmtree(folder, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".convert.tmp-{os.getpid()}-", dir=dest))
    try:
        yield tmp
        names = sorted(p.name for p in tmp.iterdir())
        for name in [n for n in names if n != last] + [last]:
            os.replace(tmp / name, dest / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
