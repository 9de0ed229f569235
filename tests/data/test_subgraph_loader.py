"""The loaders that sample: static / temporal training examples, RecBole's stock Trainer, workers."""
from __future__ import annotations

import pytest
import torch
from recbole.trainer import Trainer

from recbole_ctx.data.static_targets import StaticTargets
from recbole_ctx.data.subgraph_batch import SubgraphBatch
from recbole_ctx.data.subgraph_loader import SubgraphTrainLoader
from recbole_ctx.data.temporal_dataset import TemporalExamples
from recbole_ctx.trainer.fast_eval import with_fast_eval
from support.subgraph import tiny_setup


def test_static_targets_partition_each_users_items_with_a_share_as_targets():
    user = torch.tensor([1, 1, 1, 1, 1, 2, 2, 3, 1, 2])
    item = torch.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    static = StaticTargets(user, item)
    assert static.users.tolist() == [1, 2, 3]
    seeds = static.split(0.5, torch.Generator().manual_seed(0)).seeds(torch.tensor([3, 1, 2]))
    assert seeds.hide_targets and torch.isposinf(seeds.seed_time).all()
    for k, u in enumerate(seeds.user.tolist()):
        targets = seeds.target_item[seeds.target_ptr[k]: seeds.target_ptr[k + 1]].tolist()
        known = seeds.known_item[seeds.known_ptr[k]: seeds.known_ptr[k + 1]].tolist()
        mine = item[user == u].tolist()
        assert sorted(targets + known) == sorted(mine)
        assert len(targets) == max(1, round(len(mine) * 0.5))


def test_static_loader_covers_every_user_once_per_epoch_with_a_new_split(tmp_path):
    _, _, train, *_ = tiny_setup(tmp_path, "ShallowItem")
    assert isinstance(train, SubgraphTrainLoader)
    epochs = [list(train) for _ in range(2)]
    for batches in epochs:
        assert all(isinstance(b, SubgraphBatch) for b in batches)
        users = torch.cat([b.seeds.user for b in batches])
        assert sorted(users.tolist()) == train.static.users.tolist()

    def targets_by_user(batches):
        return {int(u): sorted(b.seeds.target_item[b.seeds.target_ptr[k]: b.seeds.target_ptr[k + 1]].tolist())
                for b in batches for k, u in enumerate(b.seeds.user)}

    assert targets_by_user(epochs[0]) != targets_by_user(epochs[1])


def test_hidden_targets_never_appear_in_their_own_subgraph(tmp_path):
    _, _, train, *_ = tiny_setup(tmp_path, "ContextGNN", fanouts=[-1, -1])
    for batch in train:
        seeds, sub = batch.seeds, batch.subgraph
        target_key = seeds.target_example() * 10**6 + seeds.target_item
        et = ("user", "interacts", "item")
        src, dst = sub.edge_index[et]
        edge_key = sub.batch["user"][src] * 10**6 + sub.node["item"][dst]
        user_of_edge = sub.node["user"][src]
        seed_edges = user_of_edge == seeds.user[sub.batch["user"][src]]
        assert not torch.isin(edge_key[seed_edges], target_key).any()


@pytest.mark.parametrize("model", ["ContextGNN", "NBFNet", "ShallowItem"])
def test_recboles_stock_trainer_fits_and_evaluates(tmp_path, model):
    overrides = {"num_layers": 3, "fanouts": [4, 4, 4]} if model == "NBFNet" else {}
    config, net, train, valid, test = tiny_setup(tmp_path, model, epochs=2, **overrides)
    trainer = Trainer(config, net)
    initial = [p.detach().clone() for p in net.parameters()]
    trainer.fit(train, valid, saved=False)
    losses = list(trainer.train_loss_dict.values())
    assert len(losses) == 2 and all(torch.isfinite(torch.tensor(losses)))
    assert any(not torch.equal(p, q) for p, q in zip(net.parameters(), initial))  # fit trained the model
    result = trainer.evaluate(test, load_best_model=False)
    # Reference: the plugin's own evaluation of the same weights (subgraphs from its builder).
    expected = with_fast_eval(Trainer)(config, net).evaluate(test, load_best_model=False)
    assert set(result) == {"recall@5", "ndcg@5"} and result == expected and result["recall@5"] > 0


def test_worker_processes_give_the_batches_of_the_main_process(tmp_path):
    config, _, train, *_ = tiny_setup(tmp_path, "ShallowItem", sample_strategy="last")
    config["worker"] = 2
    in_workers = SubgraphTrainLoader(config, train._dataset, train.builder)
    config["worker"] = 0
    main = list(train)
    assert len(main) == len(in_workers) > 1
    for a, b in zip(main, in_workers):
        assert torch.equal(a.seeds.user, b.seeds.user) and torch.equal(a.seeds.target_item, b.seeds.target_item)
        for t in a.subgraph.node:
            assert torch.equal(a.subgraph.node[t], b.subgraph.node[t])


def test_temporal_examples_become_seeds_with_their_targets(tmp_path):
    config, net, train, *_ = tiny_setup(tmp_path, "ShallowItem")
    examples = TemporalExamples(user=torch.tensor([1, 2, 3]),
                                seed_time=torch.tensor([1.0e6, 1.1e6, 1.2e6], dtype=torch.float64),
                                target_ptr=torch.tensor([0, 2, 3, 6]),
                                target_item=torch.tensor([4, 5, 6, 7, 8, 9]))
    config["train_batch_size"] = 2
    loader = SubgraphTrainLoader(config, train._dataset, train.builder, examples, shuffle=False)
    batches = list(loader)
    assert [b.seeds.user.tolist() for b in batches] == [[1, 2], [3]]
    assert batches[0].seeds.target_ptr.tolist() == [0, 2, 3]
    assert batches[0].seeds.target_item.tolist() == [4, 5, 6]
    assert batches[1].seeds.seed_time.tolist() == [1.2e6] and not batches[1].seeds.hide_targets
    assert bool((batches[1].subgraph.edge_time[("user", "interacts", "item")] <= 1.2e6).all())
    assert torch.isfinite(net.calculate_loss(batches[0])) and len(loader) == 2


def test_max_steps_per_epoch_caps_each_epoch_with_a_fresh_subset(tmp_path):
    _, _, train, *_ = tiny_setup(tmp_path, "ShallowItem", max_steps_per_epoch=1, train_batch_size=3)
    epochs = [list(train) for _ in range(3)]
    assert len(train) == 1 and all(len(batches) == 1 for batches in epochs)
    users = [tuple(batches[0].seeds.user.tolist()) for batches in epochs]
    assert len(set(users)) > 1


@pytest.mark.parametrize("mode", ["full", "uni5"])
def test_recboles_own_evaluation_loop_equals_the_fast_path(tmp_path, mode):
    """``fast_eval: False``: RecBole's loop scores the loaders' SubgraphBatch rows, same metrics."""
    from recbole.utils import init_seed

    from recbole_ctx.trainer.fast_eval import with_fast_eval

    eval_args = {"split": {"RS": [0.5, 0.1, 0.4]}, "order": "RO", "group_by": "user", "mode": mode}
    results = []
    for fast in (True, False):
        init_seed(0, True)  # the same split and negatives both times
        config, net, _, _, test = tiny_setup(tmp_path / str(fast), "ContextGNN", eval_args=eval_args,
                                             fast_eval=fast, sample_strategy="last", metric_decimal_place=8)
        net.eval()
        results.append(with_fast_eval(Trainer)(config, net).evaluate(test, load_best_model=False))
    assert results[0] == pytest.approx(results[1], abs=1e-6)


def test_repeated_pairs_are_one_item_so_a_target_is_never_also_known():
    user = torch.tensor([1, 1, 1, 1, 2, 2])
    item = torch.tensor([5, 5, 5, 6, 7, 7])
    seeds = StaticTargets(user, item).split(0.5, torch.Generator().manual_seed(0)).seeds(torch.tensor([1, 2]))
    for k in range(2):
        targets = set(seeds.target_item[seeds.target_ptr[k]: seeds.target_ptr[k + 1]].tolist())
        known = seeds.known_item[seeds.known_ptr[k]: seeds.known_ptr[k + 1]].tolist()
        assert targets and not targets & set(known) and len(known) == len(set(known))
    assert sorted(seeds.target_item.tolist() + seeds.known_item.tolist()) == [5, 6, 7]
