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
    best = max(history, key=lambda point: point["ndcg@10"])  # valid_metric: NDCG@10
    assert best["ndcg@10"] == pytest.approx(result["best_valid_result"]["ndcg@10"])
    assert set(result["best_valid_result"]) <= set(history[0])


@pytest.fixture
def one_second_epochs(monkeypatch):
    """A fake clock for RecBole's fit: every training epoch takes exactly one second."""
    import recbole.trainer.trainer as recbole_trainer

    now = [0.0]
    train_epoch = recbole_trainer.Trainer._train_epoch

    def timed_epoch(self, *args, **kwargs):
        loss = train_epoch(self, *args, **kwargs)
        now[0] += 1.0
        return loss

    monkeypatch.setattr(recbole_trainer, "time", lambda: now[0])
    monkeypatch.setattr(recbole_trainer.Trainer, "_train_epoch", timed_epoch)


@pytest.mark.parametrize(("budget", "epochs"), [(2.5, 3), (3.0, 3), (0.5, 1)])
def test_train_budget_stops_at_the_first_epoch_boundary_past_it_and_tests_the_best_epoch(
        budget, epochs, one_second_epochs, tmp_path):
    cfg = {"epochs": 50, "embedding_size": 8, "train_batch_size": 4096, "show_progress": False,
           "checkpoint_dir": str(tmp_path), "state": "ERROR", "stopping_step": 50}
    result = run_recbole("BPR", "ml-100k", config_dict={**cfg, "train_budget_s": budget})
    # No epoch starts once the budget is reached: 2.5 s and 3.0 s both allow a third epoch
    # (2 s spent before it), never a fourth; any budget runs one epoch.
    assert result["train_epoch_seconds"] == [1.0] * epochs
    assert [point["epoch"] for point in result["valid_history"]] == list(range(1, epochs + 1))
    # valid_metric is NDCG@10 (configs/overall.yaml): the checkpoint tested is its best pass.
    best = max(point["ndcg@10"] for point in result["valid_history"])
    assert result["best_valid_result"]["ndcg@10"] == pytest.approx(best)
    assert result["test_result"]  # the best-validation checkpoint was tested


def test_budget_runs_one_epoch_at_least_and_only_stops_fit(tmp_path):
    from recbole.trainer import Trainer

    from recbole_ctx.trainer.timing import with_epoch_timer
    from support.subgraph import tiny_setup

    config, net, train, valid, _ = tiny_setup(tmp_path, "ShallowItem", epochs=5, train_budget_s=0.0)
    trainer = with_epoch_timer(Trainer)(config, net)
    trainer.fit(train, valid, saved=False)
    assert len(trainer.train_epoch_seconds) == 1 and len(trainer.valid_history) == 1
    # The budget is spent now, but outside fit (e.g. a pretraining loop) it never stops an epoch.
    trainer._train_epoch(train, 1)
