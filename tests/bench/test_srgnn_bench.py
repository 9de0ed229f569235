"""The SR-GNN bench: its data through the session converter (tiny files in the real format), the floor, its CLI."""
from __future__ import annotations

import pickle

import pandas as pd
import pytest
import torch

from dataset_converters.sessions import DIGINETICA_MAX_LEN as MAX_LEN
from recbole_ctx.bench.srgnn import parse_args
from recbole_ctx.bench.srgnn_data import MAX_LENS, write_diginetica, write_ml100k
from recbole_ctx.bench.srgnn_speed import ScoringFloor


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype=str)


def test_write_diginetica_augments_prefixes_and_holds_out_whole_sessions(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    # disjoint items, so an item names its session; one session longer than MAX_LEN
    sessions = [[1, 2], [3, 4, 5], [6, 7, 6, 8], [9, 10], [11, 12, 13], list(range(100, 106 + MAX_LEN))]
    test = ([[1, 2, 3], [7]], [4, 6])
    (src / "all_train_seq.txt").write_bytes(pickle.dumps(sessions))
    (src / "test.txt").write_bytes(pickle.dumps(test))

    name = write_diginetica(src, tmp_path / "out", None, None, valid_ratio=0.34, seed=0)
    folder = tmp_path / "out" / name
    train, valid, tst = (_read(folder / f"{name}.{s}.inter") for s in ("train", "valid", "test"))
    assert list(train.columns) == ["session_id:token", "item_id_list:token_seq", "item_id:token"]
    assert len(train) + len(valid) == sum(len(s) - 1 for s in sessions)
    # every example is (prefix -> next item) of exactly one session, prefixes keep the last MAX_LEN
    examples = {(tuple(s[max(0, k - MAX_LEN):k]), s[k]) for s in sessions for k in range(1, len(s))}
    got = pd.concat([train, valid])
    got_pairs = {(tuple(map(int, seq.split())), int(t))
                 for seq, t in zip(got["item_id_list:token_seq"], got["item_id:token"])}
    assert got_pairs == examples
    # round(0.34 * 6) = 2 sessions held out whole: none of their examples is in train
    session_of = {item: k for k, s in enumerate(sessions) for item in s}
    valid_sessions = {session_of[int(t)] for t in valid["item_id:token"]}
    train_sessions = {session_of[int(t)] for t in train["item_id:token"]}
    assert len(valid_sessions) == 2 and not valid_sessions & train_sessions
    assert tst["item_id_list:token_seq"].tolist() == ["1 2 3", "7"]
    assert tst["item_id:token"].tolist() == ["4", "6"]
    # a session token names one session, and no test example shares one with training
    sessions_of_token = got.groupby("session_id:token")["item_id:token"].agg(lambda t: {session_of[int(i)] for i in t})
    assert sessions_of_token.map(len).eq(1).all()
    assert not set(tst["session_id:token"]) & set(got["session_id:token"])


def test_write_ml100k_makes_each_user_one_session(tmp_path):
    import recbole

    inter = pd.read_csv(f"{recbole.__path__[0]}/dataset_example/ml-100k/ml-100k.inter", sep="\t", dtype=str)
    inter = inter.sort_values(["user_id:token", "timestamp:float"], key=lambda c: c.astype(float)
                              if c.name == "timestamp:float" else c, kind="stable")
    first = sorted(inter["user_id:token"].unique(), key=int)[:5]  # the users the bench keeps
    histories = {u: inter.loc[inter["user_id:token"] == u, "item_id:token"].tolist() for u in first}

    name = write_ml100k(tmp_path, users=5, valid_ratio=0.2, seed=0)
    folder = tmp_path / name
    train, valid, tst = (_read(folder / f"{name}.{s}.inter") for s in ("train", "valid", "test"))
    train = pd.concat([train, valid])  # one user's session held out whole: its prefixes validate
    cap = MAX_LENS[name]
    want = {(tuple(h[max(0, k - cap):k]), h[k]) for h in histories.values() for k in range(1, len(h) - 1)}
    assert set(zip(train["item_id_list:token_seq"].map(lambda v: tuple(v.split())), train["item_id:token"])) == want
    assert len(train) == sum(len(h) - 2 for h in histories.values())
    assert sorted(zip(tst["item_id_list:token_seq"].map(lambda v: tuple(v.split())), tst["item_id:token"])) == sorted(
        (tuple(h[-1 - cap:-1]), h[-1]) for h in histories.values())


def test_quick_is_a_small_cpu_run():
    args = parse_args(["--quick"])
    assert args.device == "cpu" and args.sessions == 5000 and args.steps <= 20


def test_malformed_pickle_is_one_clear_error(tmp_path, capsys):
    from recbole_ctx.bench.srgnn import main

    (tmp_path / "diginetica").mkdir()
    (tmp_path / "diginetica" / "all_train_seq.txt").write_bytes(pickle.dumps([[1, 2]]))
    (tmp_path / "diginetica" / "test.txt").write_bytes(pickle.dumps([[1], [2], [3]]))
    assert main(["--data-dir", str(tmp_path), "--quick"]) == 2
    assert "test.txt: expected a pickled tuple" in capsys.readouterr().err


class _Config(dict):
    """RecBole ``Config`` stand-in: missing keys read as None, like RecBole's."""

    def __getitem__(self, key):
        return self.get(key)


class _Dataset:
    def num(self, field: str) -> int:
        return 7


def test_floor_scores_the_last_click_against_real_items_only():
    config = _Config(USER_ID_FIELD="session_id", ITEM_ID_FIELD="item_id", LIST_SUFFIX="_list",
                     ITEM_LIST_LENGTH_FIELD="item_length", NEG_PREFIX="neg_", MAX_ITEM_LIST_LENGTH=4,
                     device=torch.device("cpu"), embedding_size=3)
    floor = ScoringFloor(config, _Dataset())
    seq = torch.tensor([[1, 2, 0, 0], [3, 4, 5, 6]])
    interaction = {"item_id_list": seq, "item_length": torch.tensor([2, 4]), "item_id": torch.tensor([6, 1])}
    weight = floor.item_embedding.weight
    expected = torch.nn.functional.cross_entropy(weight[[2, 6]] @ weight[1:].t(), torch.tensor([5, 0]))
    torch.testing.assert_close(floor.calculate_loss(interaction), expected)


def test_rounds_must_fit_the_steps():
    with pytest.raises(SystemExit):
        parse_args(["--steps", "3", "--rounds", "4"])
    assert parse_args(["--quick"]).rounds <= parse_args(["--quick"]).steps


def test_bench_leaves_nothing_in_the_working_directory(tmp_path, monkeypatch):
    """RecBole's trainers write checkpoints and TensorBoard logs under the cwd."""
    from recbole_ctx.bench.srgnn import main

    src = tmp_path / "src" / "diginetica"
    src.mkdir(parents=True)
    sessions = [[1 + (k * 3 + j) % 40 for j in range(2 + k % 4)] for k in range(60)]
    (src / "all_train_seq.txt").write_bytes(pickle.dumps(sessions))
    (src / "test.txt").write_bytes(pickle.dumps(([[1, 2], [3]], [4, 5])))
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    assert main(["--quick", "--data-dir", "../src", "--steps", "2", "--rounds", "1"]) == 0
    assert list(cwd.iterdir()) == []
