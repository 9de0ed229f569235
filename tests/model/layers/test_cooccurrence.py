"""The tower's exact item-item term: GF-CF's linear filter over the training graph."""
from __future__ import annotations

import math

import pytest
import torch
from recbole.trainer import Trainer

from recbole_ctx.model.layers.cooccurrence import CooccurrenceFilter
from support.subgraph import tiny_setup, train_losses, user_rows

USERS = [1, 2, 3, 4]


def _dense_log_filter(user, item, num_users, num_items, seeds, floor):
    """The filter by its definition, with dense matrices: the reference for the sparse path."""
    r = torch.zeros(num_users, num_items, dtype=torch.float64)
    r[user, item] = 1.0
    du, di = r.sum(1), r.sum(0)
    norm = r / torch.sqrt(du.clamp(min=1)[:, None] * di.clamp(min=1)[None, :])
    out = []
    for v in seeds:
        h = r[v] / di.clamp(min=1).sqrt()
        co_user = norm @ h
        co_user[v] = 0.0  # paths through the user's own row
        f = co_user @ norm
        reached = f > 0
        mean = f[reached].mean()
        out.append(torch.where(reached, torch.log(f / mean), torch.full_like(f, math.log(floor))))
    return torch.stack(out)


def _random_graph(num_users=9, num_items=14, per_user=4, seed=0):
    gen = torch.Generator().manual_seed(seed)
    user = torch.arange(num_users).repeat_interleave(per_user)
    item = torch.stack([torch.randperm(num_items, generator=gen)[:per_user] for _ in range(num_users)]).reshape(-1)
    return user, item


def test_log_scores_equal_the_dense_definition():
    user, item = _random_graph()
    item = torch.cat([item, item[:3]])  # a repeated interaction counts once
    user = torch.cat([user, user[:3]])
    filt = CooccurrenceFilter(user, item, 9, 14, floor=1e-3)
    seeds = torch.tensor([0, 3, 8])
    example, items = filt.history(seeds)
    classes = torch.tensor([0, 2, 5, 7, 13])
    got = filt.log_scores(seeds, example, items, classes)
    want = _dense_log_filter(user, item, 9, 14, seeds.tolist(), 1e-3)[:, classes]
    torch.testing.assert_close(got.double(), want, rtol=1e-5, atol=1e-5)


def test_an_item_only_the_user_has_gets_no_path_through_the_users_own_row():
    # Item 5 is user 0's alone: every path to it runs through user 0, so training would
    # score a hidden target 5 from its own edge unless the user's row is left out.
    user = torch.tensor([0, 0, 1, 1, 2])
    item = torch.tensor([1, 5, 1, 2, 2])
    filt = CooccurrenceFilter(user, item, 3, 6, floor=1e-4)
    example, items = filt.history(torch.tensor([0]))
    scores = filt.log_scores(torch.tensor([0]), example, items, torch.arange(6))
    assert scores[0, 5] == pytest.approx(math.log(1e-4))
    assert scores[0, 2] > math.log(1e-4)  # 0 -> 1 -> user 1 -> 2


def test_history_lists_every_training_item_of_each_user():
    user, item = _random_graph()
    filt = CooccurrenceFilter(user, item, 9, 14)
    example, items = filt.history(torch.tensor([4, 0]))
    for b, u in enumerate([4, 0]):
        assert sorted(items[example == b].tolist()) == sorted(item[user == u].tolist())


@pytest.mark.parametrize("model", ["ContextGNN", "ShallowItem"])
def test_training_reads_the_known_items_and_evaluation_every_training_item(tmp_path, model):
    _, net, train, *_ = tiny_setup(tmp_path, model, tower_filter="linear")
    batch = next(iter(train))
    seeds, sub = batch.seeds, batch.subgraph
    classes = torch.arange(net.n_items)
    net.train()
    with torch.no_grad():
        term = net.tower_filter.seed_term(sub, seeds, classes)
    torch.testing.assert_close(term, net.tower_filter(seeds.user, seeds.known_example(), seeds.known_item, classes))
    # The targets are hidden: the term must not be the one of the full history.
    full = net.tower_filter(seeds.user, *net.tower_filter.history(seeds.user), classes)
    assert not torch.allclose(term, full)
    with pytest.raises(ValueError, match="known items"):
        net.tower_filter.seed_term(sub, None, classes)
    net.eval()
    with torch.no_grad():
        torch.testing.assert_close(net.tower_filter.seed_term(sub, None, classes), full)


def test_contextgnn_tower_gets_the_filter_term(tmp_path):
    _, net, train, *_ = tiny_setup(tmp_path, "ContextGNN", tower_filter="linear")
    _, plain, *_ = tiny_setup(tmp_path / "plain", "ContextGNN")
    plain.load_state_dict(net.state_dict(), strict=False)
    rows = user_rows(train, USERS)
    net.eval(), plain.eval()
    classes = torch.arange(net.n_items)
    with torch.no_grad():
        sub = rows.subgraph
        h = net.encode(sub)
        pair, tower = net.branch_logits(sub, h, classes)
        _, plain_tower = plain.branch_logits(sub, h, classes)
        term = net.tower_filter.seed_term(sub, None, classes)
    torch.testing.assert_close(tower, plain_tower + term)
    assert term.abs().sum() > 0


def test_filter_gain_learns_and_a_run_evaluates(tmp_path):
    config, net, train, valid, _ = tiny_setup(tmp_path, "ContextGNN", tower_filter="linear")
    before = float(net.tower_filter.log_gain)
    losses = train_losses(net, next(iter(train)))
    assert losses[-1] < losses[0]
    assert float(net.tower_filter.log_gain) != before
    trainer = Trainer(config, net)
    trainer.fit(train, valid, saved=False, show_progress=False)
    result = trainer.evaluate(valid, load_best_model=False, show_progress=False)
    assert math.isfinite(result["recall@5"])


def test_filter_refuses_temporal_data_and_unknown_kinds(tmp_path):
    with pytest.raises(ValueError, match="temporal"):
        tiny_setup(tmp_path / "a", "ContextGNN", tower_filter="linear", val_timestamp=1_000_000.0)
    with pytest.raises(ValueError, match="tower_filter"):
        tiny_setup(tmp_path / "b", "ShallowItem", tower_filter="quadratic")
