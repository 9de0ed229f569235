"""Checks of a RelBench folder before relbench reads it, each failure one :class:`ConversionError`.

relbench trusts its manifests: a table file that is missing, empty or not parquet, a
column the manifest names but the file lacks, text where a key must be a number, or a
task naming a table the database does not have, surface as pyarrow / pandas / duckdb
tracebacks from deep inside it.  Here every table file is checked from its parquet
footer alone (no data is read), so each problem is reported with the file it is in and
the manifest entry that expects it.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from .errors import ConversionError

LABEL_SPLITS = ("train", "val", "test")


def parquet_schema(path: Path, what: str) -> pa.Schema:
    """The schema of parquet file ``path`` (``what`` says who needs it, for the message)."""
    if not path.is_file():
        raise ConversionError(path, f"file not found ({what})")
    if path.stat().st_size == 0:
        raise ConversionError(path, f"file is empty ({what})")
    try:
        return pq.read_schema(path)
    except (pa.ArrowException, OSError) as err:
        raise ConversionError(path, f"not a parquet file ({err})") from None


def _require_columns(path: Path, schema: pa.Schema, roles: dict[str, str]) -> None:
    """``roles``: column -> what the manifest says it is; each must be in ``schema``."""
    for column, role in roles.items():
        if column not in schema.names:
            raise ConversionError(path, f"column {column!r} ({role}) missing; the file has {schema.names}")


def _require_ids(path: Path, schema: pa.Schema, roles: dict[str, str]) -> None:
    """Key columns must hold numbers (relbench compares and joins them as integers)."""
    for column, role in roles.items():
        kind = schema.field(column).type
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            kind = kind.value_type
        if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
            raise ConversionError(path, f"column {column!r} ({role}) holds {kind}; RelBench keys are integer ids")


def _require_time(path: Path, schema: pa.Schema, column: str, role: str) -> None:
    kind = schema.field(column).type
    if not (pa.types.is_timestamp(kind) or pa.types.is_date(kind)):
        raise ConversionError(path, f"column {column!r} ({role}) holds {kind}, not timestamps")


def check_database(src: Path, tables: dict) -> None:
    """Every table of the dataset manifest (name -> relbench ``TableSpec``) against its file."""
    manifest = src / "manifest.yaml"
    for name, spec in tables.items():
        path = src / "db" / f"{name}.parquet"
        schema = parquet_schema(path, f"table {name!r} of {manifest}")
        keys = {spec.pkey: f"primary key of {name!r}"} if spec.pkey else {}
        for column, target in spec.fkeys.items():
            if target not in tables:
                raise ConversionError(manifest, f"table {name!r}: foreign key {column!r} points to unknown table {target!r}")
            keys[column] = f"foreign key of {name!r} to {target!r}"
        roles = dict(keys)
        if spec.time_col:
            roles[spec.time_col] = f"time column of {name!r}"
        _require_columns(path, schema, roles)
        _require_ids(path, schema, keys)
        if spec.time_col:
            _require_time(path, schema, spec.time_col, f"time column of {name!r}")


def check_task(src: Path, task_name: str, tables: dict) -> None:
    """The task manifest's tables and columns, and its hosted label files when present."""
    task_dir = src / "tasks" / task_name
    manifest = task_dir / "manifest.yaml"
    try:
        spec = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise ConversionError(manifest, f"unreadable task manifest ({err})") from None
    if not isinstance(spec, dict):
        raise ConversionError(manifest, "expected a mapping of task settings")
    fields = ("src_entity_table", "src_entity_col", "dst_entity_table", "dst_entity_col", "time_col")
    missing = [f for f in fields if not spec.get(f)]
    if missing:
        raise ConversionError(manifest, f"recommendation task settings {missing} missing")
    for side in ("src", "dst"):
        table = spec[f"{side}_entity_table"]
        if table not in tables:
            raise ConversionError(manifest, f"{side}_entity_table {table!r} is not a table of the database ({sorted(tables)})")
    for split in LABEL_SPLITS:
        path = task_dir / f"{split}.parquet"
        if not path.exists():
            continue  # relbench regenerates labels from the task's SQL
        schema = parquet_schema(path, f"{split} labels of task {task_name!r}")
        time_col, src_col, dst_col = spec["time_col"], spec["src_entity_col"], spec["dst_entity_col"]
        _require_columns(path, schema, {time_col: "seed time", src_col: "source entity", dst_col: "target entities"})
        _require_ids(path, schema, {src_col: "source entity", dst_col: "target entities"})
        _require_time(path, schema, time_col, "seed time")


@contextlib.contextmanager
def relbench_errors(file: Path, doing: str) -> Iterator[None]:
    """Turn what relbench (or pyarrow, pandas, duckdb below it) raises about the data into one error.

    The checks above catch the known causes with precise messages; this covers the rest
    (a task query that fails on the data, inconsistent keys, ...), naming ``file``.
    """
    try:
        yield
    except ConversionError:
        raise
    except (pa.ArrowException, OSError, KeyError, ValueError, TypeError, RuntimeError) as err:
        raise ConversionError(file, f"relbench cannot {doing} ({type(err).__name__}: {err})") from None
    except Exception as err:  # duckdb's errors share no base class with the above
        if type(err).__module__.split(".")[0] not in {"duckdb", "_duckdb", "pandas"}:
            raise
        raise ConversionError(file, f"relbench cannot {doing} ({type(err).__name__}: {err})") from None
