"""LightGCN-format converter: real Gowalla, Amazon-Book's test file, in-place auto-conversion."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from dataset_converters import lightgcn
from dataset_converters.auto import prepare_dataset
from dataset_converters.cli import main
from dataset_converters.errors import ConversionError
from dataset_converters.textparse import read_id_lines


def _read(path):
    return pd.read_csv(path, sep="\t", dtype=str)


def _tiny(folder, n_users=30, n_items=40, seed=0):
    """Write LightGCN train.txt/test.txt for a small random bipartite graph."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    train, test = [], []
    for u in range(n_users):
        items = rng.choice(n_items, size=13, replace=False)
        train.append(" ".join(map(str, [u, *items[:10]])))
        test.append(" ".join(map(str, [u, *items[10:]])))
    (folder / "train.txt").write_text("\n".join(train) + "\n")
    (folder / "test.txt").write_text("\n".join(test) + "\n")


def test_gowalla_real_counts(shared_data, tmp_path):
    dest = lightgcn.convert(shared_data / "gowalla", tmp_path, valid="holdout")
    train, valid, test = (_read(dest / f"gowalla.{s}.inter") for s in ("train", "valid", "test"))
    assert list(train.columns) == ["user_id:token", "item_id:token"]
    assert len(train) + len(valid) == 810_128 and len(test) == 217_242
    users = pd.concat([train, valid, test])["user_id:token"].nunique()
    items = pd.concat([train, valid, test])["item_id:token"].nunique()
    assert (users, items) == (29_858, 40_981)
    # The hold-out takes floor(10%) of each user's training interactions, disjoint from train.
    per_user = pd.concat([train, valid]).groupby("user_id:token").size()
    held = valid.groupby("user_id:token").size().reindex(per_user.index, fill_value=0)
    assert (held == np.floor(0.1 * per_user)).all()
    assert not pd.merge(train, valid).shape[0]
    # The first line of train.txt is user 0's items 0..N: spot-check it survived.
    first = (shared_data / "gowalla" / "train.txt").read_text().split("\n", 1)[0].split()
    user0 = pd.concat([train, valid]).query("`user_id:token` == '0'")["item_id:token"]
    assert sorted(user0, key=int) == sorted(first[1:], key=int)


def test_valid_equals_test_mode(shared_data, tmp_path):
    dest = lightgcn.convert(shared_data / "gowalla", tmp_path, name="g", valid="test")
    assert (dest / "g.valid.inter").read_bytes() == (dest / "g.test.inter").read_bytes()
    assert len(_read(dest / "g.train.inter")) == 810_128


def test_holdout_is_seeded(tmp_path):
    user = np.repeat(np.arange(50), 20)
    assert (lightgcn.holdout_mask(user, 0.1, 1) == lightgcn.holdout_mask(user, 0.1, 1)).all()
    assert (lightgcn.holdout_mask(user, 0.1, 1) != lightgcn.holdout_mask(user, 0.1, 2)).any()
    assert lightgcn.holdout_mask(user, 0.1, 1).sum() == 100


def test_amazon_book_test_file_is_read(shared_data):
    user, item = read_id_lines(shared_data / "amazon-book-test-only" / "test.txt")
    assert len(user) == 603_378
    # Four users have no test item (a bare uid line): they contribute nothing.
    assert np.unique(user).size == 52_643 - 4


@pytest.mark.parametrize(
    ("content", "line", "problem"),
    [("0 1 2\n1 3,4\n", 2, "found ','"), ("0 1\n1 2\n2 x\n", 3, "found 'x'"), ("0\t1\n-1 2\n", 2, "found '-'")],
)
def test_bad_input_names_file_and_line(tmp_path, content, line, problem):
    src = tmp_path / "src"
    _tiny(src)
    (src / "train.txt").write_text(content)
    with pytest.raises(ConversionError, match=rf"train.txt:{line}: .*{problem}"):
        lightgcn.convert(src, tmp_path / "out")
    assert not (tmp_path / "out" / "src").exists()


def test_cli_reports_error_and_exit_status(tmp_path, capsys):
    assert main(["lightgcn", str(tmp_path / "missing"), "--out", str(tmp_path)]) == 1
    assert f"{tmp_path / 'missing'}: no such file or folder" in capsys.readouterr().err


def test_prepare_dataset_converts_in_place_once(tmp_path):
    folder = tmp_path / "amazon-book"
    _tiny(folder)
    prepare_dataset("amazon-book", str(folder))
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "amazon-book.test.inter", "amazon-book.train.inter", "amazon-book.valid.inter", "amazon-book.yaml",
        "test.txt", "train.txt",
    ]
    before = (folder / "amazon-book.train.inter").stat().st_mtime_ns
    prepare_dataset("amazon-book", str(folder))  # already converted: untouched
    assert (folder / "amazon-book.train.inter").stat().st_mtime_ns == before


def test_prepare_dataset_ignores_other_folders(tmp_path):
    prepare_dataset("ml-100k", str(tmp_path / "ml-100k"))
    (tmp_path / "x").mkdir()
    prepare_dataset("x", str(tmp_path / "x"))
    assert list((tmp_path / "x").iterdir()) == []


def test_lightgcn_trains_on_output(tmp_path, recbole_train):
    _tiny(tmp_path / "src" / "tiny")
    lightgcn.convert(tmp_path / "src" / "tiny", tmp_path / "data")
    # One batch per epoch: a step of RecBole's default rate (1e-3) moves the BPR loss by less than its noise.
    dataset, splits, result, losses = recbole_train("LightGCN", tmp_path / "data", "tiny", {"learning_rate": 0.05})
    assert dataset.user_num == 31 and dataset.item_num == 41  # + RecBole's padding id
    assert [len(s.dataset) for s in splits] == [30 * 9, 30, 30 * 3]
    assert losses[1] < losses[0] and result["recall@10"] > 0


def test_cli_converts_and_rerun_is_idempotent(tmp_path):
    _tiny(tmp_path / "src" / "tiny")
    argv = ["lightgcn", str(tmp_path / "src" / "tiny"), "--out", str(tmp_path / "out"), "--valid", "test"]
    assert main(argv) == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "out" / "tiny").iterdir()}
    assert main(argv) == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "out" / "tiny").iterdir()} == first
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["tiny"]
