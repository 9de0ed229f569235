"""``bench scale``: rel-hm-shaped files, the task's label windows, and one small run end to end."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from recbole_ctx.bench import scale


def test_generated_events_have_rel_hm_shape(tmp_path):
    path = tmp_path / "hm" / "hm.inter"
    user, item, day = scale.generate(path, users=2000, items=300, rows=40_000, seed=1)
    frame = pd.read_csv(path, sep="\t")
    assert list(frame.columns) == ["user_id:token", "item_id:token", "timestamp:float"]
    assert len(frame) == 40_000 and frame["user_id:token"].nunique() == 2000  # every user has an event
    np.testing.assert_array_equal(frame["user_id:token"], user)
    np.testing.assert_array_equal(frame["timestamp:float"], scale.START + scale.DAY * day)
    assert frame["timestamp:float"].is_monotonic_increasing
    counts = np.bincount(user)
    assert counts.max() > 10 * np.median(counts)  # skewed per-user activity
    assert np.bincount(item).max() > 5 * np.median(np.bincount(item))  # popular items


def test_labels_are_the_next_week_of_each_seed_time(tmp_path):
    folder = tmp_path / "hm"
    user, item, day = scale.generate(folder / "hm.inter", users=3000, items=200, rows=60_000, seed=2)
    task = scale.write_labels(folder, "hm", user, item, day, eval_users=50, seed=0)
    labels = {s: pd.read_csv(folder / f"hm.{s}.label", sep="\t") for s in ("train", "valid", "test")}
    for split, frame in labels.items():
        seed_days = (frame["timestamp:float"] - scale.START) // scale.DAY
        for seed_day in seed_days.unique():
            window = (day > seed_day) & (day <= seed_day + scale.DELTA_DAYS)
            want = set(zip(user[window].tolist(), item[window].tolist()))
            got = set(zip(frame.loc[seed_days == seed_day, "user_id:token"],
                          frame.loc[seed_days == seed_day, "item_id:token"]))
            if split == "valid":  # only the sampled users keep their rows
                assert got <= want and len({u for u, _ in got}) == 50
                assert task["valid_users"] == len({u for u, _ in want})
            else:
                assert got == want
    assert labels["valid"]["timestamp:float"].unique().tolist() == [task["val_timestamp"]]
    assert labels["train"]["timestamp:float"].max() + task["timedelta"] <= task["val_timestamp"]


def test_average_precision_rows_average_to_recboles_map():
    from recbole.config import Config
    from recbole.evaluator import Evaluator
    from recbole.evaluator.collector import DataStruct

    config = Config(model="BPR", dataset="ml-100k", config_dict={"metrics": ["MAP"], "topk": [scale.EVAL_K],
                                                                 "state": "ERROR"})
    rng = np.random.default_rng(0)
    hits = torch.from_numpy(rng.random((200, scale.EVAL_K)) < 0.2).long()
    rec_topk = torch.cat([hits, torch.from_numpy(rng.integers(1, 30, (200, 1)))], dim=1)
    rec_topk[:, -1] = torch.maximum(rec_topk[:, -1], hits.sum(1))
    struct = DataStruct()
    struct.set("rec.topk", rec_topk)
    recbole_map = Evaluator(config).evaluate(struct)[f"map@{scale.EVAL_K}"]
    ap = scale._average_precision(config, rec_topk)
    assert ap.shape == (200,)
    assert ap.mean() == pytest.approx(recbole_map, abs=1e-4)  # RecBole rounds to 4 places


def test_small_run_prints_every_stage(capsys):
    assert scale.main(["--rows", "20000", "--model", "ShallowItem", "--steps", "2", "--eval-users", "100"]) == 0
    out = capsys.readouterr().out
    for stage in ("parse", "dataset"):
        lines = [line.split() for line in out.splitlines() if line.startswith(f"{stage:<8} ")]
        assert [words[1] for words in lines] == ["stock", "fast", "ratio"]
    assert "graph store (20,000 events)" in out and "steps/s" in out
    assert "full-sort eval, 100 sampled users of" in out and "(SE)" in out
