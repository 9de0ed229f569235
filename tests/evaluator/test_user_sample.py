"""``eval_user_sample``: a seeded user sample, metrics equal to the full path's on those users,
standard errors equal to a direct computation, the default unchanged."""
from __future__ import annotations

import logging
import math
import warnings

import numpy as np
import pandas as pd
import pytest
import torch

import recbole_ctx  # noqa: F401  (compat fixes)
from recbole.config import Config
from recbole.data import create_dataset, data_preparation
from recbole.utils import get_model, get_trainer, init_seed

from recbole_ctx.evaluator.recbole_loaders import LoaderRanker, row_users
from recbole_ctx.evaluator.temporal import evaluate_temporal
from recbole_ctx.evaluator.topk import evaluate_rec_topk
from recbole_ctx.evaluator.user_sample import (config_sample, eval_user_sample, sample_rows, standard_errors,
                                               user_order)
from recbole_ctx.protocol import Protocol
from recbole_ctx.trainer.fast_eval import with_fast_eval
from tests.support.temporal import DAY, write_temporal_dataset

METRICS = ["Recall", "NDCG", "Hit", "MAP", "MRR", "Precision"]
TOPK = [5, 10]


def test_sample_is_seeded_and_the_same_rule_for_every_split():
    valid_users = torch.tensor([5, 3, 3, 9, 1, 7, 7, 0, 2, 8])
    test_users = torch.tensor([8, 2, 0, 7, 1, 9, 3, 5])  # the same users, other rows and order
    first = sample_rows(valid_users, 12, 4, seed=3)
    again = sample_rows(valid_users, 12, 4, seed=3)
    assert torch.equal(first.rows, again.rows) and (first.users, first.all_users) == (4, 8)
    kept = set(valid_users[first.rows].tolist())
    assert set(test_users[sample_rows(test_users, 12, 4, seed=3).rows].tolist()) == kept
    place = user_order(12, 3)
    assert kept == set(sorted(set(valid_users.tolist()), key=lambda u: int(place[u]))[:4])
    assert torch.equal(first.rows, torch.isin(valid_users, torch.tensor(sorted(kept))).nonzero().squeeze(1))
    assert set(valid_users[sample_rows(valid_users, 12, 4, seed=4).rows].tolist()) != kept  # the seed matters
    everyone = sample_rows(valid_users, 12, 100, seed=3)
    assert torch.equal(everyone.rows, torch.arange(10)) and everyone.users == 8


@pytest.mark.parametrize("value", [0, -3, 2.5, "100", True])
def test_bad_sizes_are_refused(value):
    with pytest.raises(ValueError, match="eval_user_sample"):
        eval_user_sample({"eval_user_sample": value})


def test_standard_errors_match_a_direct_computation():
    rng = np.random.default_rng(0)
    hits = rng.random((50, 10)) < 0.2
    n_pos = rng.integers(1, 6, 50)
    rec_topk = torch.from_numpy(np.concatenate([hits, n_pos[:, None]], axis=1).astype(np.int64))
    config = {"metrics": ["Recall", "Hit", "MRR", "NDCG", "ItemCoverage"], "topk": [5, 10],
              "metric_decimal_place": 4}
    got = standard_errors(config, rec_topk)

    def se(per_row):
        return per_row.std(ddof=1) / math.sqrt(len(per_row))

    first_hit = np.where(hits.any(1), hits.argmax(1) + 1, np.inf)
    for k in (5, 10):
        assert got[f"recall@{k}"] == pytest.approx(se(hits[:, :k].sum(1) / n_pos))
        assert got[f"hit@{k}"] == pytest.approx(se(hits[:, :k].any(1).astype(float)))
        assert got[f"mrr@{k}"] == pytest.approx(se(np.where(first_hit <= k, 1 / first_hit, 0.0)))
        discount = 1 / np.log2(np.arange(2, k + 2))
        ideal = np.array([discount[:min(p, k)].sum() for p in n_pos])
        assert got[f"ndcg@{k}"] == pytest.approx(se((hits[:, :k] * discount).sum(1) / ideal))
    assert not any(key.startswith("itemcoverage") for key in got)  # not a mean over rows


def _static_config(mode: str, tmp_path, **extra) -> Config:
    return Config(model="BPR", dataset="ml-100k", config_dict={
        "eval_args": {"split": {"RS": [0.8, 0.1, 0.1]}, "order": "RO", "group_by": "user", "mode": mode},
        "topk": TOPK, "metrics": METRICS, "metric_decimal_place": 12, "device": "cpu", "use_gpu": False,
        "embedding_size": 16, "show_progress": False, "state": "ERROR", "seed": 2020,
        "checkpoint_dir": str(tmp_path / "saved"), **extra})


def _static_run(mode: str, tmp_path, **extra):
    config = _static_config(mode, tmp_path, **extra)
    init_seed(config["seed"], True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = create_dataset(config)
        _, valid, test = data_preparation(config, dataset)
    model = get_model("BPR")(config, dataset).to("cpu")
    return config, with_fast_eval(get_trainer(config["MODEL_TYPE"], "BPR"))(config, model), valid, test


def _evaluate(trainer, data):
    init_seed(7, True)  # uni100 draws its negatives inside the dataloader
    return trainer.evaluate(data, load_best_model=False)


def _sampled_row_users(data) -> torch.Tensor:
    """The user of each ranked row of a uniN loader (one row per user slot, in batch order)."""
    init_seed(7, True)
    users = []
    for interaction, row_idx, positive_u, _ in data:
        slot_user = torch.zeros(int(positive_u[-1]) + 1, dtype=torch.int64)
        slot_user[row_idx] = interaction["user_id"]
        users.append(slot_user)
    return torch.cat(users)


@pytest.mark.parametrize("mode", ["full", "uni100"])
def test_sampled_metrics_equal_the_full_path_on_those_users(mode, tmp_path, caplog):
    config, trainer, valid, test = _static_run(mode, tmp_path, eval_user_sample=150)
    _, full_trainer, _, _ = _static_run(mode, tmp_path)
    full_trainer.model.load_state_dict(trainer.model.state_dict())
    ranker = LoaderRanker(full_trainer.model, full_trainer.config, torch.device("cpu"), False, "uniform")
    for data in (valid, test):
        init_seed(7, True)
        all_rows = (ranker.full_sort if mode == "full" else ranker.sampled)(data).rec_topk
        users = row_users(data) if mode == "full" else _sampled_row_users(data)
        sampled_from = users if mode == "full" else data._dataset.inter_feat["user_id"]  # the loader's rows
        kept = torch.unique(sampled_from[config_sample(config, sampled_from, data._dataset.user_num).rows])
        assert kept.numel() == 150
        rows = torch.isin(users, kept)
        with caplog.at_level(logging.INFO):
            got = _evaluate(trainer, data)
        assert got == evaluate_rec_topk(config, all_rows[rows])
        assert got != evaluate_rec_topk(config, all_rows)  # a real subset, not every user
        line = [r.getMessage() for r in caplog.records if r.getMessage().startswith("eval_user_sample")][-1]
        errors = standard_errors(config, all_rows[rows])
        assert line.startswith(f"eval_user_sample: 150 of {torch.unique(users).numel()} users (150 rows, seed 2020)")
        assert f"ndcg@10 {errors['ndcg@10']:.13f}" in line


@pytest.mark.parametrize("mode", ["full", "uni100"])
def test_default_evaluates_every_user_as_before(mode, tmp_path):
    _, trainer, valid, _ = _static_run(mode, tmp_path)
    _, everyone, _, _ = _static_run(mode, tmp_path, eval_user_sample=10**6)
    assert trainer._user_sample is None
    everyone.model.load_state_dict(trainer.model.state_dict())
    ranker = LoaderRanker(trainer.model, trainer.config, torch.device("cpu"), False, "uniform")
    init_seed(7, True)
    rows = (ranker.full_sort if mode == "full" else ranker.sampled)(valid).rec_topk
    assert _evaluate(trainer, valid) == evaluate_rec_topk(trainer.config, rows) == _evaluate(everyone, valid)


def test_another_sample_on_the_same_loader_gets_its_own_index(tmp_path):
    config, trainer, valid, _ = _static_run("full", tmp_path, eval_user_sample=100)
    _evaluate(trainer, valid)  # builds and caches the index of seed 2020's sample
    config["seed"] = 2021
    again = _evaluate(trainer, valid)
    fresh_config, fresh, fresh_valid, _ = _static_run("full", tmp_path, eval_user_sample=100)
    fresh.model.load_state_dict(trainer.model.state_dict())
    fresh_config["seed"] = 2021  # after the split, which the seed also draws
    assert again == _evaluate(fresh, fresh_valid)


def test_recbole_loop_refuses_a_sample(tmp_path):
    _, trainer, valid, _ = _static_run("full", tmp_path, eval_user_sample=10, fast_eval=False)
    with pytest.raises(ValueError, match="eval_user_sample needs the on-device evaluation"):
        trainer.evaluate(valid, load_best_model=False)


def _temporal_config(tmp_path, **extra) -> Config:
    rng = np.random.default_rng(0)
    n = 3000
    inter = pd.DataFrame({"user_id": rng.integers(0, 300, n), "item_id": rng.integers(0, 60, n),
                          "timestamp": np.sort(rng.uniform(0, 10, n)) * DAY})
    labels = {}
    for split, day in (("train", 6), ("valid", 8), ("test", 9)):
        window = inter[(inter.timestamp > day * DAY) & (inter.timestamp <= (day + 1) * DAY)]
        pairs = window[["user_id", "item_id"]].drop_duplicates()
        labels[split] = pd.DataFrame({"user_id": pairs.user_id, "timestamp": day * DAY, "item_id": pairs.item_id})
    protocol = {"val_timestamp": 8 * DAY, "test_timestamp": 9 * DAY, "timedelta": "1 days", "eval_k": 5}
    config_dict = write_temporal_dataset(tmp_path, "gen-temporal", inter, labels, protocol)
    return Config(model="BPR", dataset="gen-temporal", config_dict={**config_dict, "eval_batch_size": 16, **extra})


def _scorer(n_items: int):
    def score(batch):
        user = batch["user_id"].double().unsqueeze(1)
        return torch.remainder(user * 7919 + torch.arange(n_items, dtype=torch.float64) * 104729, 1000)

    return score


def test_temporal_sample_equals_the_full_path_on_those_users(tmp_path, caplog):
    import recbole_ctx.evaluator.temporal as temporal

    config = _temporal_config(tmp_path / "a", eval_user_sample=40)
    dataset, _, valid, test = Protocol.resolve(config).create_data(config)
    full_config = _temporal_config(tmp_path / "b")
    _, _, full_valid, full_test = Protocol.resolve(full_config).create_data(full_config)
    score = _scorer(dataset.item_num)
    place = user_order(dataset.user_num, config["seed"])
    for data, full in ((valid, full_valid), (test, full_test)):
        users = data.examples.user
        rows = torch.isin(users, torch.unique(users[config_sample(config, users, dataset.user_num).rows]))
        kept = set(users[rows].tolist())
        assert len(kept) == 40 < torch.unique(users).numel()
        # the same rule for both splits: the split's users placed first by the seeded order
        assert max(int(place[u]) for u in kept) < min(int(place[u]) for u in set(users.tolist()) - kept)
        captured = []
        keep = temporal.evaluate_rec_topk
        temporal.evaluate_rec_topk = lambda cfg, rec: captured.append(rec) or keep(cfg, rec)
        try:
            evaluate_temporal(score, full, full_config)
        finally:
            temporal.evaluate_rec_topk = keep
        with caplog.at_level(logging.INFO):
            got = evaluate_temporal(score, data, config)
        assert got == evaluate_rec_topk(config, captured[0][rows])
        assert got != evaluate_rec_topk(config, captured[0])
        assert f"eval_user_sample: 40 of {torch.unique(users).numel()} users" in caplog.text
