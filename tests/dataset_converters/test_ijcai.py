"""IJCAI-15 converter: TGT pickles (real partial set) and the raw contest log."""
from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import yaml

from dataset_converters import ijcai
from dataset_converters.errors import ConversionError

NOV_11 = 1447200000.0  # 2015-11-11 00:00 UTC
DAY = 86400.0
HEADER = "user_id,item_id,cat_id,seller_id,brand_id,time_stamp,action_type\n"


def _read(path):
    df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    return df.astype({"timestamp:float": float})


def test_tgt_partial_pickles(shared_data, tmp_path):
    dest = ijcai.convert(shared_data / "ijcai-tgt-partial", tmp_path, name="ij")
    inter, label = _read(dest / "ij.inter"), _read(dest / "ij.test.label")
    config = yaml.safe_load((dest / "ij.yaml").read_text())
    assert config["missing_behaviors"] == ["click", "buy", "fav"] and config["behaviors"] == ["cart"]
    assert config["eval_args"]["mode"] == "uni99"
    assert len(label) == 10_000
    events = inter[~inter.set_index(["user_id:token", "item_id:token", "timestamp:float"]).index.isin(
        label.set_index(["user_id:token", "item_id:token", "timestamp:float"]).index)]
    assert len(events) == 74_168 and set(events["behavior:token"]) == {"cart"}
    # Values are mmdd days of 2015; the test purchase follows the last training day.
    assert events["timestamp:float"].max() == NOV_11
    assert (label["timestamp:float"] == NOV_11 + DAY).all()
    # Leave-one-out picks the target: it is every test user's last event.
    last = inter.groupby("user_id:token", sort=False).tail(1)
    assert set(label["user_id:token"]) <= set(last["user_id:token"])
    assert last.set_index("user_id:token").loc[label["user_id:token"], "item_id:token"].tolist() == label["item_id:token"].tolist()


def _raw_log(path, n_users=60, n_items=300, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(n_users):
        for _ in range(int(rng.integers(4, 15))):
            day = f"{int(rng.integers(5, 12))}{int(rng.integers(10, 29))}"
            item = int(rng.integers(0, n_items))
            rows.append(f"{u},{item},{item % 7},{item % 11},{'' if item % 13 == 0 else item % 5},{day},{int(rng.integers(0, 4))}")
    path.write_text(HEADER + "\n".join(rows) + "\n")


def test_raw_log_last_purchase_is_the_target(tmp_path):
    src = tmp_path / "ijcai-raw"
    src.mkdir()
    log = src / "user_log_format1.csv"
    log.write_text(
        HEADER
        + "1,10,1,1,1,1105,0\n"   # click, Nov 5
        + "1,11,1,1,1,1106,2\n"   # buy
        + "1,12,1,1,1,1107,2\n"   # buy on the last buy day -> tie, later row wins
        + "1,13,1,1,,1107,2\n"    # the target (empty brand is allowed)
        + "1,14,1,1,1,1107,3\n"   # fav on the same day: kept
        + "1,15,1,1,1,1110,0\n"   # click after the target's day: dropped
        + "2,10,1,1,1,511,1\n"    # user without a purchase: no target
    )
    dest = ijcai.convert(src, tmp_path / "out")
    inter, label = _read(dest / "ijcai-raw.inter"), _read(dest / "ijcai-raw.test.label")
    nov = lambda d: NOV_11 + (d - 11) * DAY  # noqa: E731
    assert label.values.tolist() == [["1", nov(7) + DAY - 1, "13"]]
    user1 = inter[inter["user_id:token"] == "1"]
    assert user1["item_id:token"].tolist() == ["10", "11", "12", "14", "13"]
    assert user1["behavior:token"].tolist() == ["click", "buy", "buy", "fav", "buy"]
    assert user1["timestamp:float"].tolist() == [nov(5), nov(6), nov(7), nov(7), nov(7) + DAY - 1]
    assert inter[inter["user_id:token"] == "2"].values.tolist() == [["2", "10", NOV_11 - 184 * DAY, "cart"]]
    items = pd.read_csv(dest / "ijcai-raw.item", sep="\t", dtype=str, keep_default_na=False)
    assert list(items.columns) == ["item_id:token", "cat_id:token", "seller_id:token", "brand_id:token"]
    assert items.set_index("item_id:token").loc["13", "brand_id:token"] == ""


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ("1,10,1,1,1,1345,0", r"user_log_format1.csv:3: time_stamp 1345 is not a 2015 day"),
        ("1,10,1,1,1,1105,5", r"user_log_format1.csv:3: action_type 5"),
        ("1,1e,1,1,1,1105,0", r"user_log_format1.csv:3: column 'item_id': '1e'"),
        ("1,10,1,1,1", r"user_log_format1.csv:3: empty value in column 'time_stamp'"),
    ],
)
def test_bad_raw_log(tmp_path, row, match):
    (tmp_path / "user_log_format1.csv").write_text(HEADER + "1,10,1,1,1,1105,0\n" + row + "\n")
    with pytest.raises(ConversionError, match=match):
        ijcai.convert(tmp_path, tmp_path / "out", name="x")
    assert not (tmp_path / "out" / "x").exists()


def test_bad_pickles(tmp_path):
    with pytest.raises(ConversionError, match="none of the behaviour files"):
        ijcai.convert(tmp_path, tmp_path / "out")
    (tmp_path / "trn_buy").write_bytes(pickle.dumps(sp.csr_matrix(np.array([[0, 1111], [1301, 0]], dtype=np.int32))))
    (tmp_path / "tst_int").write_bytes(pickle.dumps([None, 1]))
    with pytest.raises(ConversionError, match="trn_buy: value 1301 is not a 2015 day"):
        ijcai.convert(tmp_path, tmp_path / "out")
    (tmp_path / "trn_buy").write_bytes(pickle.dumps(sp.csr_matrix(np.array([[0, 1111], [1101, 0]], dtype=np.int32))))
    (tmp_path / "tst_int").write_bytes(pickle.dumps([None]))
    with pytest.raises(ConversionError, match="tst_int: expected a list with one entry per user"):
        ijcai.convert(tmp_path, tmp_path / "out")


def test_sequential_model_gets_last_purchase_as_uni99_test_target(tmp_path, recbole_train):
    src = tmp_path / "raw"
    src.mkdir()
    _raw_log(src / "user_log_format1.csv")
    dest = ijcai.convert(src, tmp_path / "data", name="ij")
    config = {"train_neg_sample_args": None, "loss_type": "CE", "MAX_ITEM_LIST_LENGTH": 20}
    dataset, splits, result, losses = recbole_train("GRU4Rec", tmp_path / "data", "ij", config)
    assert splits[2]._sampler is not None  # uni99: negatives are sampled
    test = splits[2].dataset.inter_feat
    users = dataset.id2token("user_id", test["user_id"].numpy())
    items = dataset.id2token("item_id", test["item_id"].numpy())
    label = pd.read_csv(dest / "ij.test.label", sep="\t", dtype=str)
    # Leave-one-out gives a user a test row when it has a valid row too: >= 3 events.
    events = pd.read_csv(dest / "ij.inter", sep="\t", dtype=str).groupby("user_id:token").size()
    label = label[label["user_id:token"].map(events).to_numpy() >= 3]
    expected = dict(zip(label["user_id:token"], label["item_id:token"]))
    assert len(expected) > 20
    assert {u: i for u, i in zip(users, items) if u in expected} == expected
    # The generated log is uniform over items, so no model beats chance here: it must learn
    # the training sequences (loss falls) and rank test targets among the 100 candidates.
    assert losses[1] < losses[0] and result["hit@10"] > 0
