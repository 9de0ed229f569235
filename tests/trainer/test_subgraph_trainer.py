"""SubgraphTrainer: static examples, RecBole fit + full-sort evaluation, temporal loaders."""
from __future__ import annotations

import sys
from pathlib import Path

import torch

from recbole_ctx.trainer.subgraph_trainer import StaticSeedBatches, SubgraphTrainer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "model"))
from subgraph_fixtures import tiny_setup, user_batch  # noqa: E402


def test_static_examples_cover_each_user_once_with_a_share_of_its_items():
    user = torch.tensor([1, 1, 1, 1, 1, 2, 2, 3, 1, 2])
    item = torch.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    batches = StaticSeedBatches(user, item).epoch(2, 0.5, torch.Generator().manual_seed(0))
    seen = torch.cat([b.user for b in batches])
    assert sorted(seen.tolist()) == [1, 2, 3]
    for b in batches:
        assert b.hide_targets and torch.isposinf(b.seed_time).all()
        for k, u in enumerate(b.user.tolist()):
            targets = b.target_item[b.target_ptr[k]: b.target_ptr[k + 1]].tolist()
            mine = item[user == u].tolist()
            assert set(targets) <= set(mine) and len(set(targets)) == len(targets)
            assert len(targets) == max(1, round(len(mine) * 0.5))


def test_static_examples_change_between_epochs_and_repeat_per_seed():
    user, item = torch.arange(50) % 5, torch.arange(50)
    data = StaticSeedBatches(user, item)

    def targets(seed):
        return [b.target_item.tolist() for b in data.epoch(8, 0.3, torch.Generator().manual_seed(seed))]

    assert targets(1) == targets(1) and targets(1) != targets(2)


def test_fit_and_evaluate_through_recbole(tmp_path):
    config, net, train, valid, test = tiny_setup(tmp_path, "ContextGNN", epochs=3)
    trainer = SubgraphTrainer(config, net)
    trainer.fit(train, valid, saved=False)
    losses = list(trainer.train_loss_dict.values())
    assert len(losses) == 3 and all(torch.isfinite(torch.tensor(losses)))
    result = trainer.evaluate(test, load_best_model=False)
    assert set(result) == {"recall@5", "ndcg@5"} and 0.0 <= result["recall@5"] <= 1.0


def test_a_loader_with_its_own_seed_batches_is_used_as_is(tmp_path):
    config, net, *_ = tiny_setup(tmp_path, "ShallowItem")
    batch = user_batch(net, [1, 2], hide_targets=False)

    class TemporalLoader:
        def seed_batches(self, epoch_idx):
            return [batch, batch]

    trainer = SubgraphTrainer(config, net)
    total = trainer._train_epoch(TemporalLoader(), 0)
    assert total > 0.0
