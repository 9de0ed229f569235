"""The epoch timer: training seconds per epoch and the validation learning curve."""
import pytest

from recbole_ctx.quick_start import run_recbole


def test_valid_history_is_a_curve_against_cumulative_training_seconds(tmp_path):
    cfg = {"epochs": 3, "embedding_size": 8, "train_batch_size": 4096, "show_progress": False,
           "checkpoint_dir": str(tmp_path), "state": "ERROR", "stopping_step": 10}
    result = run_recbole("BPR", "ml-100k", config_dict=cfg)
    seconds, history = result["train_epoch_seconds"], result["valid_history"]
    assert len(seconds) == 3 and all(s > 0 for s in seconds)
    assert [point["epoch"] for point in history] == [1, 2, 3]
    assert [point["train_s"] for point in history] == pytest.approx(
        [sum(seconds[:1]), sum(seconds[:2]), sum(seconds)])
    best = max(history, key=lambda point: point["recall@10"])
    assert best["recall@10"] == pytest.approx(result["best_valid_result"]["recall@10"])
    assert set(result["best_valid_result"]) <= set(history[0])
