"""RelBench (>= 3 layout) recommendation tasks -> RecBole atomic files + temporal protocol.

The dataset and task are loaded through relbench itself
(``relbench.load_dataset(path).load_task(task)``), so key contracts, the columns a task
must not see (``remove_columns``) and label semantics are relbench's.  The database is
taken as the task sees it, up to the test timestamp (no test-period rows).

Output in ``<out>/<name>/`` (``<name>`` defaults to ``<dataset>-<task>``); every entity
id is the relbench primary key as a string, identical across files:

- ``.inter``: one row per row of each *fact table* (a table with a foreign key to the
  task's source table and one to its destination table): ``user_id, item_id, timestamp``
  and, when several fact tables exist, ``behavior`` (= the fact table's name).  For a
  multi-hop task (no such table) it holds the past label rows instead
  (:func:`label_events`);
- ``.user`` / ``.item``: the source / destination tables' own columns
  (see :mod:`.entity_features`);
- ``.edge``: every other foreign-key edge ``src_type, src_id, dst_type, dst_id,
  timestamp, relation`` (relation = ``table.column``; src is the referencing row, keyed
  by its primary key or, for tables without one, its row number).  A fact table whose
  only keys are the user and item ones is fully described by ``.inter``; one with more
  keys (e.g. a review's store) also lists its user and item edges here, so its row
  stays connected in the graph;
- ``.train.label``, ``.valid.label``, ``.test.label``: relbench's label tables exploded
  to one target per row (``user_id, timestamp (seed time), item_id``);
- ``<name>.yaml``: RecBole fields plus the protocol (``val_timestamp``,
  ``test_timestamp``, ``timedelta`` in seconds, ``eval_k``, ``src_entity``,
  ``dst_entity``).

All times are Unix seconds (float).  Rows of tables without a time column exist from the
start: they get the database's earliest timestamp.
"""
from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .atomic import staged_output, write_atomic, write_yaml
from .entity_features import convert_column, to_seconds
from .errors import ConversionError
from .relbench_checks import check_database, check_task, relbench_errors

logger = logging.getLogger(__name__)

INTER_FIELDS = {"user_id": "token", "item_id": "token", "timestamp": "float", "behavior": "token"}
EDGE_FIELDS = {
    "src_type": "token", "src_id": "token", "dst_type": "token", "dst_id": "token", "timestamp": "float", "relation": "token",
}
LABEL_FIELDS = {"user_id": "token", "timestamp": "float", "item_id": "token"}
SPLITS = {"train": "train", "val": "valid", "test": "test"}  # relbench split -> file suffix


@dataclass
class FactTable:
    """A table linking the task's source and destination entities."""

    name: str
    user_col: str
    item_col: str
    only_keys: bool  # True when it has no foreign key besides user_col and item_col


def load_task(src: Path, task_name: str | None):
    """(dataset, task) through relbench; every failure becomes a :class:`ConversionError`."""
    import relbench

    if not (src / "manifest.yaml").is_file():
        raise ConversionError(src / "manifest.yaml", "not a RelBench (>= 3) dataset folder: manifest.yaml missing")
    try:
        dataset = relbench.load_dataset(str(src))
        names = dataset.get_task_names()
    except Exception as err:  # relbench raises plain ValueError/KeyError/yaml errors
        raise ConversionError(src / "manifest.yaml", f"relbench cannot load the dataset ({err})") from None
    if task_name is None:
        if len(names) != 1:
            raise ConversionError(src / "tasks", f"pick a task with --task; available: {names}")
        task_name = names[0]
    if task_name not in names:
        raise ConversionError(src / "tasks", f"unknown task {task_name!r}; available: {names}")
    tables = dataset.manifest.tables
    check_database(src, tables)
    check_task(src, task_name, tables)
    manifest = src / "tasks" / task_name / "manifest.yaml"
    try:
        task = dataset.load_task(task_name)
    except Exception as err:
        raise ConversionError(manifest, f"relbench cannot load the task ({err})") from None
    if not hasattr(task, "dst_entity_table"):
        raise ConversionError(manifest, f"task {task_name!r} is not a recommendation task")
    return dataset, task


def fact_tables(db, user_table: str, item_table: str) -> list[FactTable]:
    """Tables with a foreign key to ``user_table`` and another to ``item_table``."""
    found = []
    for name, table in db.table_dict.items():
        fkeys = table.fkey_col_to_pkey_table
        user_cols = [c for c, t in fkeys.items() if t == user_table]
        item_cols = [c for c, t in fkeys.items() if t == item_table and c not in user_cols[:1]]
        if user_cols and item_cols:
            found.append(FactTable(name, user_cols[0], item_cols[0], only_keys=len(fkeys) == 2))
    return found


def _times(table, origin: float) -> np.ndarray:
    """float64 [rows]: the row's time in Unix seconds, ``origin`` for static tables."""
    if table.time_col is None:
        return np.full(len(table.df), origin)
    return to_seconds(table.df[table.time_col]).fillna(origin).to_numpy()


def _row_ids(table, where: Path) -> pd.Series:
    """A table's row ids as strings: its primary key, or the row number when it has none."""
    return _ids(table.df[table.pkey_col], where) if table.pkey_col else pd.Series(np.arange(len(table.df))).astype(str)


def _ids(values: pd.Series, where: Path) -> pd.Series:
    """Integer key values -> their decimal strings; a fractional key is refused, not truncated."""
    # Dangling keys were set to None by relbench (floats then), so whole floats are ids too.
    numbers = pd.to_numeric(values, errors="coerce")
    bad = (numbers.isna() | (numbers != np.round(numbers))).to_numpy()
    if bad.any():
        raise ConversionError(where, f"column {values.name!r}: {values.iloc[int(np.argmax(bad))]!r} is not an integer id")
    return numbers.astype(np.int64).astype(str)


def interactions(db, facts: list[FactTable], origin: float, src: Path) -> pd.DataFrame:
    """``.inter`` rows from all fact tables (rows with a missing key are skipped)."""
    parts = []
    for fact in facts:
        table = db.table_dict[fact.name]
        df = table.df
        ok = (df[fact.user_col].notna() & df[fact.item_col].notna()).to_numpy()
        where = _table_file(src, fact.name)
        parts.append(
            pd.DataFrame(
                {
                    "user_id": _ids(df.loc[ok, fact.user_col], where).to_numpy(),
                    "item_id": _ids(df.loc[ok, fact.item_col], where).to_numpy(),
                    "timestamp": _times(table, origin)[ok],
                    "behavior": fact.name,
                }
            )
        )
    return pd.concat(parts, ignore_index=True).sort_values("timestamp", kind="stable")


def _table_file(src: Path, table: str) -> Path:
    return src / "db" / f"{table}.parquet"


def label_events(task, manifest: Path) -> pd.DataFrame:
    """``.inter`` rows for a task whose entities no single table links (a multi-hop task).

    The train and validation label rows are the only user-item events there are.  Each is
    stamped at the end of its window (seed time + timedelta), the latest moment it can
    have happened, so a model that sees events up to a seed time never sees a future one;
    validation labels end by the test timestamp, so they are legitimate test-time input.
    """
    rows = pd.concat([labels(task, "train", manifest), labels(task, "val", manifest)], ignore_index=True)
    rows["timestamp"] += task.timedelta.total_seconds()
    return rows.assign(behavior="label").sort_values("timestamp", kind="stable")[list(INTER_FIELDS)]


def edges(db, facts: list[FactTable], origin: float, src: Path) -> pd.DataFrame:
    """``.edge`` rows: every foreign key not already described by ``.inter``."""
    covered = {f.name for f in facts if f.only_keys}
    parts = []
    for name, table in db.table_dict.items():
        if name in covered:
            continue
        src_ids, times = _row_ids(table, _table_file(src, name)), _times(table, origin)
        for col, dst in table.fkey_col_to_pkey_table.items():
            ok = table.df[col].notna().to_numpy()
            parts.append(
                pd.DataFrame(
                    {
                        "src_type": name,
                        "src_id": src_ids.to_numpy()[ok],
                        "dst_type": dst,
                        "dst_id": _ids(table.df.loc[ok, col], _table_file(src, name)).to_numpy(),
                        "timestamp": times[ok],
                        "relation": f"{name}.{col}",
                    }
                )
            )
    if not parts:
        return pd.DataFrame({c: [] for c in EDGE_FIELDS})
    return pd.concat(parts, ignore_index=True)


def entity_features(table, table_name: str, id_field: str, taken: set[str], prefix: str,
                    where: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """(frame, fields) of one entity table: its id plus convertible own columns.

    Foreign keys are edges, not features.  A column whose name is already a field
    elsewhere (``taken``) is renamed ``<prefix>_<column>``; ``taken`` is updated.
    """
    out = {id_field: _row_ids(table, where).to_numpy()}
    fields = {id_field: "token"}
    skip = {table.pkey_col, *table.fkey_col_to_pkey_table}
    for col in table.df.columns:
        if col in skip:
            continue
        converted = convert_column(table.df[col], f"{table_name}.{col}")
        if converted is None:
            continue
        field = col if col not in taken else f"{prefix}_{col}"
        taken.add(field)
        out[field] = converted[0].to_numpy()
        fields[field] = converted[1]
    return pd.DataFrame(out), fields


def labels(task, split: str, manifest: Path) -> pd.DataFrame:
    """relbench's ``split`` table exploded to one (user, seed time, item) per row.

    ``manifest``: the task's manifest, named when relbench cannot build the table.
    """
    with relbench_errors(manifest, f"build the {split} labels"), warnings.catch_warnings():
        # relbench's list-column probe warns on datetime columns of an empty table.
        warnings.simplefilter("ignore", FutureWarning)
        df = task.get_table(split, mask_input_cols=False).df
    exploded = df[[task.time_col, task.src_entity_col, task.dst_entity_col]].explode(task.dst_entity_col)
    exploded = exploded[exploded[task.dst_entity_col].notna()]
    return pd.DataFrame(
        {
            "user_id": _ids(exploded[task.src_entity_col], manifest).to_numpy(),
            "timestamp": to_seconds(exploded[task.time_col]).to_numpy(),
            "item_id": _ids(exploded[task.dst_entity_col], manifest).to_numpy(),
        }
    )


def task_db(src: Path, task):
    """The database as ``task`` sees it, up to the test timestamp."""
    with relbench_errors(src / "db", "build the database"), warnings.catch_warnings():
        # relbench nulls dangling keys in int columns, which pandas warns about.
        warnings.simplefilter("ignore", FutureWarning)
        return task.get_db()


def convert(src: str | Path, out: str | Path, task: str | None = None, name: str | None = None) -> Path:
    """Convert a RelBench dataset folder's recommendation ``task`` into ``<out>/<name>/``."""
    src = Path(src)
    dataset, task_obj = load_task(src, task)
    users, items = task_obj.src_entity_table, task_obj.dst_entity_table
    name = name or f"{dataset.manifest.name}-{task_obj.name}"
    with tqdm(total=4 + len(SPLITS), desc=f"relbench {name}", unit="step", disable=None) as steps:
        db = task_db(src, task_obj)
        steps.update()
        facts = fact_tables(db, users, items)
        origin = db.min_timestamp.value / 1e9
        manifest = src / "tasks" / task_obj.name / "manifest.yaml"
        if facts:
            inter = interactions(db, facts, origin, src)
            if not len(inter):
                raise ConversionError(
                    _table_file(src, facts[0].name),
                    f"no events: every row of {[f.name for f in facts]} up to the test time lacks a {users} or "
                    f"{items} key, or references one that is not in {users} / {items}",
                )
        else:
            logger.warning("%s: no table links %s and %s directly; .inter holds the past label rows", src, users, items)
            inter = label_events(task_obj, manifest)
        behaviors = sorted(set(inter["behavior"]))
        inter_fields = dict(INTER_FIELDS) if len(behaviors) > 1 else {k: v for k, v in INTER_FIELDS.items() if k != "behavior"}
        taken = set(INTER_FIELDS)
        user_df, user_fields = entity_features(db.table_dict[users], users, "user_id", taken, "user", _table_file(src, users))
        item_df, item_fields = entity_features(db.table_dict[items], items, "item_id", taken, "item", _table_file(src, items))
        steps.update()
        edge_df = edges(db, facts, origin, src)
        label_dfs = {split: labels(task_obj, split, manifest) for split in SPLITS}
        for split, df in label_dfs.items():
            if not len(df):
                raise ConversionError(manifest, f"no {split} label rows: no {users} -> {items} event falls in any {split} window")
        steps.update()
        dest = Path(out) / name
        with staged_output(dest) as tmp:
            write_atomic(inter, tmp / f"{name}.inter", inter_fields)
            write_atomic(user_df, tmp / f"{name}.user", user_fields)
            write_atomic(item_df, tmp / f"{name}.item", item_fields)
            write_atomic(edge_df, tmp / f"{name}.edge", EDGE_FIELDS)
            steps.update()
            for split, suffix in SPLITS.items():
                write_atomic(label_dfs[split], tmp / f"{name}.{suffix}.label", LABEL_FIELDS)
                steps.update()
            write_yaml(
                {
                    "USER_ID_FIELD": "user_id",
                    "ITEM_ID_FIELD": "item_id",
                    "TIME_FIELD": "timestamp",
                    "load_col": {"inter": list(inter_fields), "user": list(user_fields), "item": list(item_fields)},
                    "val_timestamp": dataset.val_timestamp.value / 1e9,
                    "test_timestamp": dataset.test_timestamp.value / 1e9,
                    "timedelta": task_obj.timedelta.total_seconds(),
                    "eval_k": int(task_obj.eval_k),
                    "src_entity": users,
                    "dst_entity": items,
                    "behaviors": behaviors,
                    "converter": {"format": "relbench", "dataset": dataset.manifest.name, "task": task_obj.name},
                },
                tmp / f"{name}.yaml",
            )
        logger.info("relbench %s: %d events, %d edges, behaviors %s", name, len(inter), len(edge_df), behaviors)
        return dest
