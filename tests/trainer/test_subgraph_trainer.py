"""SubgraphTrainer: static examples, RecBole fit + full-sort evaluation, temporal loaders."""
from __future__ import annotations

from types import SimpleNamespace

import torch

from recbole_ctx.data.temporal_dataset import TemporalExamples
from recbole_ctx.trainer.subgraph_trainer import StaticSeedBatches, SubgraphTrainer, temporal_seed_batches
from support.subgraph import tiny_setup


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
            known = b.known_item[b.known_ptr[k]: b.known_ptr[k + 1]].tolist()
            assert sorted(targets + known) == sorted(mine)  # a partition of the user's items
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


def test_temporal_label_batches_become_seed_batches(tmp_path):
    """The temporal loader's padded Interaction rows map to (user, T, targets CSR)."""
    config, net, *_ = tiny_setup(tmp_path, "ShallowItem")
    examples = TemporalExamples(user=torch.tensor([1, 2, 3]),
                                seed_time=torch.tensor([1.0e6, 1.1e6, 1.2e6], dtype=torch.float64),
                                target_ptr=torch.tensor([0, 2, 3, 6]),
                                target_item=torch.tensor([4, 5, 6, 7, 8, 9]))

    class Loader(list):
        _dataset = SimpleNamespace(uid_field="user_id")

    loader = Loader([examples.interaction(torch.tensor([0, 1]), "user_id"),
                     examples.interaction(torch.tensor([2]), "user_id")])
    batches = list(temporal_seed_batches(loader))
    assert [b.user.tolist() for b in batches] == [[1, 2], [3]]
    assert batches[0].target_ptr.tolist() == [0, 2, 3] and batches[0].target_item.tolist() == [4, 5, 6]
    assert batches[1].seed_time.tolist() == [1.2e6] and not batches[1].hide_targets
    assert torch.isfinite(net.calculate_loss(batches[0]))
