"""RelBench converter on bad input, each case built in the relbench 3 layout (manifest.yaml,
db/*.parquet, tasks/<task>/): one error line naming the file, exit 1, no traceback, the
earlier output untouched."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from dataset_converters.cli import main

TASK = "user-item-buy"
SQL = (
    "SELECT t.timestamp AS timestamp, events.user_id AS user_id, LIST(DISTINCT events.item_id) AS item_id\n"
    "FROM timestamps t LEFT JOIN events ON events.t > t.timestamp AND events.t <= t.timestamp + INTERVAL '{timedelta}'\n"
    "WHERE events.user_id IS NOT NULL AND events.item_id IS NOT NULL GROUP BY t.timestamp, events.user_id"
)
MANIFEST = {
    "name": "mini", "manifest_version": 1, "val_timestamp": "2020-02-15", "test_timestamp": "2020-03-01",
    "tables": {
        "users": {"pkey": "user_id", "time_col": None, "fkeys": {}},
        "items": {"pkey": "item_id", "time_col": None, "fkeys": {}},
        "events": {"pkey": "event_id", "time_col": "t", "fkeys": {"user_id": "users", "item_id": "items"}},
    },
}
TASK_MANIFEST = {
    "name": TASK, "kind": "forecast", "task_type": "recommendation", "time_col": "timestamp",
    "src_entity_table": "users", "src_entity_col": "user_id", "dst_entity_table": "items", "dst_entity_col": "item_id",
    "eval_k": 5, "timedelta": "7 days", "manifest_version": 1, "sql": SQL,
}


def _tables(n_users: int = 20, n_items: int = 30, n_events: int = 600) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(0)
    return {
        "users": pd.DataFrame({"user_id": np.arange(n_users), "age": rng.integers(18, 80, n_users)}),
        "items": pd.DataFrame({"item_id": np.arange(n_items), "price": rng.random(n_items)}),
        "events": pd.DataFrame({
            "event_id": np.arange(n_events),
            "user_id": rng.integers(0, n_users, n_events),
            "item_id": rng.integers(0, n_items, n_events),
            "t": pd.to_datetime("2020-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 90 * 86400, n_events)), unit="s"),
        }),
    }


def _write(root, tables=None, manifest=None, task=None) -> None:
    (root / "db").mkdir(parents=True, exist_ok=True)
    (root / "tasks" / TASK).mkdir(parents=True, exist_ok=True)
    for name, df in (tables or _tables()).items():
        df.to_parquet(root / "db" / f"{name}.parquet")
    (root / "manifest.yaml").write_text(yaml.safe_dump(manifest or MANIFEST))
    (root / "tasks" / TASK / "manifest.yaml").write_text(yaml.safe_dump(task or TASK_MANIFEST))


def _with_table(name, df_of):
    tables = _tables()
    tables[name] = df_of(tables[name])
    return tables


def _renumbered(events: pd.DataFrame) -> pd.DataFrame:
    """Rows kept by a filter, primary keys 0.. again (relbench requires consecutive keys)."""
    return events.reset_index(drop=True).assign(event_id=lambda df: np.arange(len(df)))


def _with_manifest(edit):
    manifest = yaml.safe_load(yaml.safe_dump(MANIFEST))
    edit(manifest)
    return manifest


def _bytes(path: str, content: bytes):
    return lambda root: (root / path).write_bytes(content)


def _unlink(path: str):
    return lambda root: (root / path).unlink()


# case -> (how the good folder is broken, file named, problem)
CASES = {
    "0-byte table file": (_bytes("db/users.parquet", b""), "users.parquet", "file is empty"),
    "table file not parquet": (_bytes("db/items.parquet", b"item_id,price\n1,2\n"), "items.parquet", "not a parquet file"),
    "table file missing": (_unlink("db/events.parquet"), "events.parquet", "file not found (table 'events'"),
    "manifest names a table with no file": (
        lambda root: _write(root, manifest=_with_manifest(lambda m: m["tables"].update(
            stores={"pkey": "store_id", "time_col": None, "fkeys": {}}))),
        "stores.parquet", "file not found (table 'stores'"),
    "primary key column missing": (lambda root: _write(root, _with_table("users", lambda df: df.drop(columns="user_id"))),
                                   "users.parquet", "column 'user_id' (primary key of 'users') missing"),
    "time column missing": (lambda root: _write(root, _with_table("events", lambda df: df.rename(columns={"t": "when"}))),
                            "events.parquet", "column 't' (time column of 'events') missing"),
    "time column of numbers": (lambda root: _write(root, _with_table("events", lambda df: df.assign(t=1.0))),
                               "events.parquet", "holds double, not timestamps"),
    "string ids": (lambda root: _write(root, _with_table("events", lambda df: df.assign(item_id="i" + df["item_id"].astype(str)))),
                   "events.parquet", "column 'item_id' (foreign key of 'events' to 'items') holds "),
    "foreign key to an unknown table": (
        lambda root: _write(root, manifest=_with_manifest(lambda m: m["tables"]["events"]["fkeys"].update(item_id="products"))),
        "manifest.yaml", "points to unknown table 'products'"),
    "task names a missing table": (lambda root: _write(root, task={**TASK_MANIFEST, "dst_entity_table": "products"}),
                                   f"{TASK}/manifest.yaml", "dst_entity_table 'products' is not a table"),
    "task query on a missing table": (lambda root: _write(root, task={**TASK_MANIFEST, "sql": SQL.replace("events", "sales")}),
                                      f"{TASK}/manifest.yaml", "relbench cannot build the train labels"),
    "0-byte label file": (_bytes(f"tasks/{TASK}/train.parquet", b""), "train.parquet", "file is empty"),
    "events reference no known item": (lambda root: _write(root, _with_table("events", lambda df: df.assign(item_id=df["item_id"] + 1000))),
                                       "events.parquet", "no events"),
    "no events in the test window": (
        lambda root: _write(root, _with_table("events", lambda df: _renumbered(df[(df["t"] <= "2020-03-01") | (df["t"] > "2020-03-09")]))),
        # pandas 2: "no test label rows"; pandas 3: relbench itself fails on the empty window
        # ("relbench cannot build the test labels (TypeError: ...)"): one line either way
        f"{TASK}/manifest.yaml", "test label"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_relbench_folder(tmp_path, refused, case):
    breaks, named, problem = CASES[case]
    src, out = tmp_path / "mini", tmp_path / "out"
    _write(src)
    assert main(["relbench", str(src), "--out", str(out)]) == 0
    breaks(src)
    message = refused(["relbench", str(src)], out, named)
    assert problem in message
