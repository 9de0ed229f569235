"""``recbole-ctx bench gpu --quick``: every check's code path runs on the CPU and reports."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from recbole_ctx.bench.gpu import CHECKS, main
from recbole_ctx.bench.gpu_data import Scale, write_event_dataset
from recbole_ctx.bench.gpu_models import FirstBatches


def test_quick_run_fills_every_check_with_finite_losses(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["--quick", "--out", str(tmp_path / "out")]) == 0
    rows = json.loads((tmp_path / "out" / "gpu_check.json").read_text())["rows"]
    assert {r["check"] for r in rows} == set(CHECKS)
    assert not any(r["failed"] for r in rows)
    models = [r for r in rows if r["check"] == "models"]
    assert [r["item"].split(":")[0] for r in models] == ["NBFNet", "ShallowItem", "ContextGNN", "SRGNNFast"]
    assert all(r["goal"] == "loss finite" and "valid " in r["note"] for r in models)
    steps = [r for r in rows if r["check"] == "steps"]
    assert len(steps) == 6 and sum("goal" in r and r["goal"] != "" for r in steps) == 2  # ContextGNN, AMP off/on
    eval_row = next(r for r in rows if r["check"] == "eval")
    assert "max|dMetric| 0.0e+00" in eval_row["note"]  # identical metrics to RecBole's loop
    table = (tmp_path / "out" / "gpu_check.md").read_text()
    assert table.count("\n| ") == len(rows) + 1  # header + one line per row
    assert list(tmp_path.iterdir()) == [tmp_path / "out"]  # RecBole's logs went to a scratch cwd


def test_unknown_check_is_refused(capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["--quick", "--checks", "models,nope"])
    assert "unknown ['nope']" in capsys.readouterr().err


def test_event_dataset_has_distinct_pairs_and_held_out_ids_seen_in_train(tmp_path):
    name = write_event_dataset(tmp_path, "ev", Scale(50, 20, 2000))
    train, valid, test = (pd.read_csv(tmp_path / name / f"{name}.{s}.inter", sep="\t") for s in ("train", "valid", "test"))
    every = pd.concat([train, valid, test])
    assert not every.duplicated(["user_id:token", "item_id:token"]).any()
    assert len(valid) and len(test)
    for frame in (valid, test):
        assert frame["user_id:token"].isin(train["user_id:token"]).all()
        assert frame["item_id:token"].isin(train["item_id:token"]).all()
    assert np.all((every["timestamp:float"] >= 0) & (every["timestamp:float"] <= 2 * 365 * 86400))


def test_first_batches_cycles_epochs_and_stops_at_the_count():
    epochs = []

    class Loader:
        def __iter__(self):
            epochs.append(len(epochs))
            return iter(["a", "b", "c"])

    got = list(FirstBatches(Loader(), 7))
    assert got == ["a", "b", "c", "a", "b", "c", "a"] and len(epochs) == 3 and len(FirstBatches(Loader(), 7)) == 7
