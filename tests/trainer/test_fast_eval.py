"""The fast evaluation path gives RecBole's own numbers (to 1e-6) on the same weights."""
from __future__ import annotations

import os
import warnings

import pytest
import torch

import recbole_ctx  # noqa: F401  (compat fixes)
from recbole.config import Config
from recbole.data import create_dataset, data_preparation
from recbole.trainer import Trainer
from recbole.utils import get_model, get_trainer, init_seed

from recbole_ctx.bench.eval import write_gowalla
from recbole_ctx.evaluator.recbole_loaders import merged_sampled_batches
from recbole_ctx.trainer.fast_eval import with_fast_eval

TOPK = [5, 10, 20, 50]
METRICS = ["Recall", "NDCG", "Hit", "MAP", "MRR", "Precision"]
SEQUENTIAL = {"BERT4Rec", "SRGNN"}
# RecBole's uni100 loop encodes each user 101 times (SRGNN: ~40 s on all of ml-100k);
# its heaviest 91 users keep the sampled comparison to a few seconds per model.
SAMPLED_USERS = "[250,inf)"


def _config(model: str, mode: str, tmp_path, **extra) -> Config:
    small = {"embedding_size": 16, "hidden_size": 16, "inner_size": 16, "n_layers": 1, "n_heads": 1}
    if model in SEQUENTIAL:
        split = {"eval_args": {"split": {"LS": "valid_and_test"}, "order": "TO", "group_by": "user", "mode": mode},
                 "train_neg_sample_args": None, "loss_type": "CE"}
    else:
        split = {"eval_args": {"split": {"RS": [0.8, 0.1, 0.1]}, "order": "RO", "group_by": "user", "mode": mode}}
    if mode != "full":
        split["user_inter_num_interval"] = SAMPLED_USERS
    return Config(model=model, dataset="ml-100k", config_dict={
        "topk": TOPK, "metrics": METRICS, "metric_decimal_place": 12, "device": "cpu", "use_gpu": False,
        "show_progress": False, "state": "ERROR", "checkpoint_dir": str(tmp_path / "saved"), "seed": 2020,
        **small, **split, **extra,
    })


def _trainers(config: Config, train_one_epoch: bool = False):
    init_seed(config["seed"], True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = create_dataset(config)
        train, valid, _ = data_preparation(config, dataset)
    model = get_model(config["model"])(config, train.dataset).to(config["device"])
    trainer_cls = get_trainer(config["MODEL_TYPE"], config["model"])
    recbole_trainer = trainer_cls(config, model)
    if train_one_epoch:  # scores of a trained model (Pop: its item counts)
        recbole_trainer._train_epoch(train, 0)
    return recbole_trainer, with_fast_eval(trainer_cls)(config, model), valid


def _forbid_recbole_loop(trainer) -> None:
    def boom(*_args, **_kwargs):
        raise AssertionError("RecBole's per-batch loop ran instead of the fast path")

    trainer._full_sort_batch_eval = trainer._neg_sample_batch_eval = boom


def _evaluate(trainer, data, seed: int = 7):
    init_seed(seed, True)  # uni100 draws its negatives inside the dataloader
    return trainer.evaluate(data, load_best_model=False)


@pytest.mark.parametrize("mode", ["full", "uni100"])
@pytest.mark.parametrize("model", ["BPR", "LightGCN", "BERT4Rec", "SRGNN"])
def test_metrics_equal_recbole(model, mode, tmp_path):
    recbole_trainer, fast_trainer, valid = _trainers(_config(model, mode, tmp_path))
    _forbid_recbole_loop(fast_trainer)
    expected = _evaluate(recbole_trainer, valid)
    got = _evaluate(fast_trainer, valid)
    assert list(got) == list(expected) == [f"{m.lower()}@{k}" for m in METRICS for k in TOPK]
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1e-6), key
    assert expected["hit@50"] > 0  # the comparison ranked real hits, not an empty set


def test_repeated_evaluation_reuses_index_and_agrees(tmp_path):
    _, fast_trainer, valid = _trainers(_config("BPR", "full", tmp_path))
    assert _evaluate(fast_trainer, valid) == _evaluate(fast_trainer, valid)


def test_small_blocks_give_the_same_metrics(tmp_path):
    config = _config("LightGCN", "full", tmp_path)
    recbole_trainer, _, valid = _trainers(config)
    # ~10 users per block (8 bytes per score cell): exercises the CSR block boundaries.
    config["eval_block_bytes"] = 10 * valid._dataset.item_num * 8
    fast_trainer = with_fast_eval(type(recbole_trainer))(config, recbole_trainer.model)
    _forbid_recbole_loop(fast_trainer)
    expected, got = _evaluate(recbole_trainer, valid), _evaluate(fast_trainer, valid)
    assert max(abs(got[k] - expected[k]) for k in expected) <= 1e-6


def test_switch_off_falls_back_to_recbole(tmp_path):
    _, fast_trainer, valid = _trainers(_config("BPR", "full", tmp_path, fast_eval=False))
    _forbid_recbole_loop(fast_trainer)
    with pytest.raises(AssertionError, match="per-batch loop"):
        _evaluate(fast_trainer, valid)


def test_value_metrics_fall_back_to_recbole(tmp_path):
    config = _config("BPR", "full", tmp_path, metrics=["Recall", "GAUC"])
    _, fast_trainer, valid = _trainers(config)
    _forbid_recbole_loop(fast_trainer)
    with pytest.raises(AssertionError, match="per-batch loop"):
        _evaluate(fast_trainer, valid)


def test_trainer_with_its_own_evaluation_keeps_it():
    class Custom(Trainer):
        def _full_sort_batch_eval(self, batched_data):
            return super()._full_sort_batch_eval(batched_data)

    class OptedIn(Custom):
        fast_eval_compatible = True

    assert with_fast_eval(Custom)._fast_eval_allowed is False
    assert with_fast_eval(OptedIn)._fast_eval_allowed is True
    assert with_fast_eval(Trainer)._fast_eval_allowed is True
    assert issubclass(with_fast_eval(Custom), Custom)
    assert with_fast_eval(with_fast_eval(Trainer)) is with_fast_eval(Trainer)


def test_merged_sampled_batches_shift_user_slots():
    from recbole.data.interaction import Interaction

    def batch(n_pos: list[int], first_item: int):
        """RecBole's sampled layout with times=2: each user's rows, then their copies."""
        row_idx = torch.cat([torch.full((2 * n,), u) for u, n in enumerate(n_pos)])
        items = torch.arange(first_item, first_item + len(row_idx))
        positive_u = torch.cat([torch.full((n,), u) for u, n in enumerate(n_pos)])
        return Interaction({"item_id": items}), row_idx, positive_u, items[:len(positive_u)]

    batches = [batch([1, 2], 0), batch([1], 10), batch([3], 20)]
    merged = list(merged_sampled_batches(iter(batches), max_users=3))
    assert len(merged) == 2  # 2 + 1 users fit in 3; the third batch starts a new merge
    interaction, row_idx, positive_u, positive_i = merged[0]
    assert row_idx.tolist() == [0, 0, 1, 1, 1, 1, 2, 2]
    assert positive_u.tolist() == [0, 1, 1, 2]
    assert interaction["item_id"].tolist() == list(range(6)) + [10, 11]
    assert positive_i.tolist() == [0, 1, 2, 10]
    assert merged[1][1].tolist() == [0] * 6


def test_load_best_model_restores_the_checkpoint(tmp_path):
    recbole_trainer, fast_trainer, valid = _trainers(_config("BPR", "full", tmp_path))
    expected = _evaluate(recbole_trainer, valid)
    fast_trainer._save_checkpoint(0, verbose=False)
    with torch.no_grad():
        for param in fast_trainer.model.parameters():
            param.normal_()
    init_seed(7, True)
    got = fast_trainer.evaluate(valid, load_best_model=True)
    assert max(abs(got[k] - expected[k]) for k in expected) <= 1e-6


def _benchmark_config(model: str, dataset: str, data_path, tmp_path, **extra) -> Config:
    """RecBole benchmark files (``train`` / ``valid`` / ``test``, no split of RecBole's), full sort."""
    return Config(model=model, dataset=dataset, config_dict={
        "data_path": str(data_path), "benchmark_filename": ["train", "valid", "test"],
        "load_col": {"inter": ["user_id", "item_id"]},
        "eval_args": {"mode": "full", "order": "RO", "group_by": "user", "split": None},
        "topk": TOPK, "metrics": METRICS, "metric_decimal_place": 12, "device": "cpu", "use_gpu": False,
        "show_progress": False, "state": "ERROR", "checkpoint_dir": str(tmp_path / "saved"),
        "embedding_size": 16, "n_layers": 1, **extra,
    })


def _assert_equal_on(config: Config) -> dict:
    recbole_trainer, fast_trainer, valid = _trainers(config, train_one_epoch=True)
    _forbid_recbole_loop(fast_trainer)
    expected = _evaluate(recbole_trainer, valid)
    got = _evaluate(fast_trainer, valid)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1e-6), key
    assert expected["hit@50"] > 0
    return {"users": len(valid.uid_list), "items": valid._dataset.item_num, "model": fast_trainer.model}


@pytest.mark.parametrize("model", ["LightGCN", "Pop"])
def test_generated_benchmark_in_many_blocks_with_ties_equals_recbole(model, tmp_path):
    """The Gowalla comparison below, at CI size: benchmark files, thousands of users over
    many evaluation blocks, and (Pop: items of equal count) tied scores at the top-k cut."""
    from recbole_ctx.bench.eval import write_generated
    from recbole_ctx.evaluator.fullsort import block_rows

    name = write_generated(tmp_path / "data", n_users=2000, n_items=800, n_inter=40_000)
    block_bytes = 40 * 801 * 8  # ~40 users per block
    run = _assert_equal_on(_benchmark_config(model, name, tmp_path / "data", tmp_path, eval_block_bytes=block_bytes,
                                             eval_batch_size=256 * 801))
    assert run["users"] / block_rows(run["items"], block_bytes) >= 20  # many blocks, many boundaries
    if model == "Pop":
        counts = run["model"].item_cnt.flatten()
        assert counts.unique().numel() < counts.numel() / 4  # most items share their score with others


@pytest.mark.skipif(not os.environ.get("RECBOLE_CTX_SLOW_TESTS"),
                    reason="opt-in benchmark: Gowalla LightGCN takes ~2 min on 2 cores; set RECBOLE_CTX_SLOW_TESTS=1")
def test_lightgcn_gowalla_equals_recbole(shared_data, tmp_path):
    write_gowalla(shared_data / "gowalla", tmp_path / "data")
    # 256 users per RecBole batch instead of 1: same definitions, a quarter of the time.
    run = _assert_equal_on(_benchmark_config("LightGCN", "gowalla", tmp_path / "data", tmp_path,
                                             eval_batch_size=256 * 40_982))
    assert run["users"] == 29_858
