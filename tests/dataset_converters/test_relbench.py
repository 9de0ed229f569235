"""RelBench converter: rel-ml100k (real) and a generated customers/products/stores/
transactions/reviews database written in the relbench 3 layout."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import relbench
import yaml

from dataset_converters import relbench as converter
from dataset_converters.errors import ConversionError

TASK = "user-movie-rate"


def _read(path):
    df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    floats = [c for c in df.columns if c.endswith(":float")]
    df[floats] = df[floats].replace("", "nan").astype(float)  # empty = missing number
    return df


def _assert_labels_equal(dest, name, task):
    """Each split's label file, regrouped, is relbench's table row for row."""
    for split, suffix in (("train", "train"), ("val", "valid"), ("test", "test")):
        expected = task.get_table(split, mask_input_cols=False).df
        got = _read(dest / f"{name}.{suffix}.label")
        assert list(got.columns) == ["user_id:token", "timestamp:float", "item_id:token"]
        grouped = got.groupby(["timestamp:float", "user_id:token"], sort=False)["item_id:token"].agg(list).reset_index()
        assert len(grouped) == len(expected) and len(got) == expected[task.dst_entity_col].map(len).sum()
        assert (pd.to_datetime(grouped["timestamp:float"], unit="s") == expected[task.time_col]).all()
        assert grouped["user_id:token"].astype(int).tolist() == expected[task.src_entity_col].tolist()
        assert grouped["item_id:token"].map(lambda v: sorted(map(int, v))).tolist() == expected[task.dst_entity_col].map(sorted).tolist()


def test_ml100k_labels_and_ids(shared_data, tmp_path):
    src = shared_data / "rel-ml100k"
    dest = converter.convert(src, tmp_path, task=TASK)
    name = f"rel-ml100k-{TASK}"
    assert dest == tmp_path / name
    task = relbench.load_dataset(str(src)).load_task(TASK)
    _assert_labels_equal(dest, name, task)

    config = yaml.safe_load((dest / f"{name}.yaml").read_text())
    assert config["val_timestamp"] == pd.Timestamp("1998-02-22").timestamp()
    assert config["test_timestamp"] == pd.Timestamp("1998-03-22").timestamp()
    assert (config["timedelta"], config["eval_k"]) == (14 * 86400, 10)
    assert (config["src_entity"], config["dst_entity"]) == ("users", "movies")

    inter = _read(dest / f"{name}.inter")
    assert list(inter.columns) == ["user_id:token", "item_id:token", "timestamp:float"]  # one fact table: no behavior
    ratings = task.get_db().table_dict["ratings"].df
    assert len(inter) == len(ratings) and inter["timestamp:float"].max() <= config["test_timestamp"]
    users, items = _read(dest / f"{name}.user"), _read(dest / f"{name}.item")
    assert list(users.columns) == ["user_id:token", "age:float", "gender:token", "occupation:token", "zip_code:token"]
    assert list(items.columns) == ["item_id:token", "title:token_seq", "release_year:float", "genres:token_seq"]
    # The same id strings everywhere.
    assert set(inter["user_id:token"]) <= set(users["user_id:token"])
    assert set(inter["item_id:token"]) <= set(items["item_id:token"])
    assert users["user_id:token"].tolist() == [str(i) for i in range(943)]


def _write_customer_product_task(root, name, timedelta, sql):
    """``tasks/<name>/manifest.yaml``: a relbench recommendation task customers -> products."""
    task = {
        "name": name, "kind": "forecast", "task_type": "recommendation", "time_col": "timestamp",
        "src_entity_table": "customers", "src_entity_col": "customer_id",
        "dst_entity_table": "products", "dst_entity_col": "product_id", "eval_k": 5, "timedelta": timedelta,
        "manifest_version": 1, "sql": sql,
    }
    (root / "tasks" / name / "manifest.yaml").write_text(yaml.safe_dump(task))


def _write_shop(root, n_customers=80, n_products=120, n_stores=5, seed=0):
    """A relbench-3 folder: static customers/products/stores, timed transactions/reviews."""
    rng = np.random.default_rng(seed)
    (root / "db").mkdir(parents=True)
    (root / "tasks" / "customer-product-buy").mkdir(parents=True)
    words = np.array(["red", "soft", "cotton", "shirt", "big", "blue", "pack", "lamp"])
    tables = {
        "customers": pd.DataFrame({
            "customer_id": np.arange(n_customers),
            "age": rng.integers(18, 80, n_customers),
            "region": rng.choice(["north", "south", "New York"], n_customers),
            "vip": rng.random(n_customers) < 0.2,
            "signup": pd.to_datetime("2019-01-01") + pd.to_timedelta(rng.integers(0, 300, n_customers), unit="D"),
        }),
        "products": pd.DataFrame({
            "product_id": np.arange(n_products),
            "price": rng.random(n_products) * 100,
            "name": [" ".join(rng.choice(words, 3)) + f" no{i}" for i in range(n_products)],
            "tags": [list(rng.choice(words, int(rng.integers(0, 4)), replace=False)) for _ in range(n_products)],
            "description": [" ".join(rng.choice(words, 200)) + f" {i}" for i in range(n_products)],
        }),
        "stores": pd.DataFrame({"store_id": np.arange(n_stores), "city": [f"city{i}" for i in range(n_stores)]}),
    }
    def events(n, extra):
        df = pd.DataFrame({
            "customer_id": rng.integers(0, n_customers, n).astype(float),
            "product_id": rng.integers(0, n_products, n),
            "t": pd.to_datetime("2020-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 365 * 86400, n)), unit="s"),
            **extra(n),
        })
        return df
    tables["transactions"] = events(3000, lambda n: {"store_id": rng.integers(0, n_stores, n)})
    tables["transactions"].loc[5, "customer_id"] = n_customers + 7  # dangling: relbench drops it
    tables["transactions"].insert(0, "transaction_id", np.arange(3000))
    tables["reviews"] = events(800, lambda n: {"stars": rng.integers(1, 6, n)})
    for name, df in tables.items():
        df.to_parquet(root / "db" / f"{name}.parquet")
    manifest = {
        "name": "shop", "manifest_version": 1, "val_timestamp": "2020-10-01", "test_timestamp": "2020-11-15",
        "tables": {
            "customers": {"pkey": "customer_id", "time_col": None, "fkeys": {}},
            "products": {"pkey": "product_id", "time_col": None, "fkeys": {}},
            "stores": {"pkey": "store_id", "time_col": None, "fkeys": {}},
            "transactions": {"pkey": "transaction_id", "time_col": "t",
                             "fkeys": {"customer_id": "customers", "product_id": "products", "store_id": "stores"}},
            "reviews": {"pkey": None, "time_col": "t", "fkeys": {"customer_id": "customers", "product_id": "products"}},
        },
    }
    (root / "manifest.yaml").write_text(yaml.safe_dump(manifest))
    _write_customer_product_task(
        root, "customer-product-buy", "14 days",
        "SELECT t.timestamp AS timestamp, transactions.customer_id AS customer_id,\n"
        "LIST(DISTINCT transactions.product_id) AS product_id\nFROM timestamps t\n"
        "LEFT JOIN transactions ON transactions.t > t.timestamp\n"
        "AND transactions.t <= t.timestamp + INTERVAL '{timedelta}'\n"
        "WHERE transactions.customer_id IS NOT NULL AND transactions.product_id IS NOT NULL\n"
        "GROUP BY t.timestamp, transactions.customer_id")


def test_generated_multitable_database(tmp_path):
    src = tmp_path / "shop"
    _write_shop(src)
    dest = converter.convert(src, tmp_path / "out", name="shop")
    task = relbench.load_dataset(str(src)).load_task("customer-product-buy")
    _assert_labels_equal(dest, "shop", task)

    inter = _read(dest / "shop.inter")
    assert list(inter.columns) == ["user_id:token", "item_id:token", "timestamp:float", "behavior:token"]
    test_ts = pd.Timestamp("2020-11-15").timestamp()
    db = task.get_db()
    n_tx, n_rev = len(db.table_dict["transactions"].df), len(db.table_dict["reviews"].df)
    counts = inter["behavior:token"].value_counts()
    assert counts["transactions"] == n_tx - 1 and counts["reviews"] == n_rev  # the dangling row is skipped
    assert inter["timestamp:float"].max() <= test_ts and inter["timestamp:float"].is_monotonic_increasing

    # Transactions carry a store, so they are nodes with all three keys as edges; reviews
    # only link customer and product, which .inter already says.
    edge = _read(dest / "shop.edge")
    assert edge.groupby("relation:token").size().to_dict() == {
        "transactions.customer_id": n_tx - 1, "transactions.product_id": n_tx, "transactions.store_id": n_tx,
    }
    tx = db.table_dict["transactions"].df.set_index("transaction_id")
    stores = edge[edge["relation:token"] == "transactions.store_id"].set_index("src_id:token")
    assert (stores["dst_id:token"].astype(int) == tx.loc[stores.index.astype(int), "store_id"].to_numpy()).all()
    assert (stores["timestamp:float"] == tx.loc[stores.index.astype(int), "t"].map(pd.Timestamp.timestamp).to_numpy()).all()

    users, items = _read(dest / "shop.user"), _read(dest / "shop.item")
    assert list(users.columns) == ["user_id:token", "age:float", "region:token", "vip:token", "signup:float"]
    # Long free text (description) is dropped; the list column becomes a token_seq.
    assert list(items.columns) == ["item_id:token", "price:float", "name:token_seq", "tags:token_seq"]
    assert users.loc[users["region:token"] == "New York"].shape[0] > 0

    config = yaml.safe_load((dest / "shop.yaml").read_text())
    assert sorted(config["behaviors"]) == ["reviews", "transactions"] and config["eval_k"] == 5


def test_errors(shared_data, tmp_path):
    with pytest.raises(ConversionError, match=r"tasks: unknown task 'nope'; available: \['user-movie-rate'\]"):
        converter.convert(shared_data / "rel-ml100k", tmp_path, task="nope")
    with pytest.raises(ConversionError, match="manifest.yaml: not a RelBench"):
        converter.convert(tmp_path, tmp_path / "out")
    src = tmp_path / "shop"
    _write_shop(src)
    df = pd.read_parquet(src / "db" / "products.parquet")
    df["product_id"] = df["product_id"] + 1
    df.to_parquet(src / "db" / "products.parquet")
    with pytest.raises(ConversionError, match=r"shop/db: .*not consecutively indexed"):
        converter.convert(src, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_bpr_trains_on_output(shared_data, tmp_path, recbole_train):
    from recbole_ctx.data import TemporalDataset

    converter.convert(shared_data / "rel-ml100k", tmp_path, task=TASK, name="ml")
    dataset, splits, result, losses = recbole_train("BPR", tmp_path, "ml")
    # RecBole's own API runs the temporal protocol (recbole_ctx.quick_start.recbole_api): a
    # built-in trains on the .inter events up to val_timestamp and is scored per (user, T).
    assert isinstance(dataset, TemporalDataset) and 0 < dataset.inter_num < 83_027
    assert "age" in dataset.user_feat and "genres" in dataset.item_feat
    assert losses[1] < losses[0] and result["ndcg@10"] > 0 and "map@10" in result


def _write_baskets(root, n_customers=40, n_products=60, n_baskets=900, seed=1):
    """A normalised schema: no table links customers to products directly (2 hops)."""
    rng = np.random.default_rng(seed)
    (root / "db").mkdir(parents=True)
    (root / "tasks" / "customer-product").mkdir(parents=True)
    lines = rng.integers(1, 4, n_baskets)
    tables = {
        "customers": pd.DataFrame({"customer_id": np.arange(n_customers), "age": rng.integers(18, 80, n_customers)}),
        "products": pd.DataFrame({"product_id": np.arange(n_products), "price": rng.random(n_products)}),
        "baskets": pd.DataFrame({
            "basket_id": np.arange(n_baskets), "customer_id": rng.integers(0, n_customers, n_baskets),
            "t": pd.to_datetime("2020-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 365 * 86400, n_baskets)), unit="s"),
        }),
        "lines": pd.DataFrame({"basket_id": np.repeat(np.arange(n_baskets), lines),
                               "product_id": rng.integers(0, n_products, lines.sum())}),
    }
    for name, df in tables.items():
        df.to_parquet(root / "db" / f"{name}.parquet")
    manifest = {
        "name": "baskets", "manifest_version": 1, "val_timestamp": "2020-10-01", "test_timestamp": "2020-11-15",
        "tables": {
            "customers": {"pkey": "customer_id", "time_col": None, "fkeys": {}},
            "products": {"pkey": "product_id", "time_col": None, "fkeys": {}},
            "baskets": {"pkey": "basket_id", "time_col": "t", "fkeys": {"customer_id": "customers"}},
            "lines": {"pkey": None, "time_col": None, "fkeys": {"basket_id": "baskets", "product_id": "products"}},
        },
    }
    (root / "manifest.yaml").write_text(yaml.safe_dump(manifest))
    _write_customer_product_task(
        root, "customer-product", "30 days",
        "SELECT t.timestamp AS timestamp, baskets.customer_id AS customer_id,\n"
        "LIST(DISTINCT lines.product_id) AS product_id\nFROM timestamps t\n"
        "LEFT JOIN baskets ON baskets.t > t.timestamp AND baskets.t <= t.timestamp + INTERVAL '{timedelta}'\n"
        "LEFT JOIN lines ON lines.basket_id = baskets.basket_id\n"
        "WHERE baskets.customer_id IS NOT NULL AND lines.product_id IS NOT NULL\n"
        "GROUP BY t.timestamp, baskets.customer_id")


def test_multi_hop_task_uses_past_labels_as_events(tmp_path):
    src = tmp_path / "baskets"
    _write_baskets(src)
    dest = converter.convert(src, tmp_path / "out", name="b")
    task = relbench.load_dataset(str(src)).load_task("customer-product")
    _assert_labels_equal(dest, "b", task)
    inter = _read(dest / "b.inter")
    train, valid = _read(dest / "b.train.label"), _read(dest / "b.valid.label")
    assert len(inter) == len(train) + len(valid)
    # Stamped at the end of their window: never after the test timestamp.
    assert inter["timestamp:float"].max() == pd.Timestamp("2020-10-31").timestamp()
    assert set(_read(dest / "b.edge")["relation:token"]) == {"baskets.customer_id", "lines.basket_id", "lines.product_id"}
