"""NBFNet: pair-wise scores inside the subgraph, -inf outside; seed indicator; training."""
from __future__ import annotations

import torch
from recbole.data.interaction import Interaction

from recbole_ctx.model.nbfnet import add_seed_indicator
from support.subgraph import tiny_setup, train_losses, user_batch

USERS = [1, 2, 3, 4]


def test_scores_are_pair_dot_products_inside_and_minus_inf_outside(tmp_path):
    _, net, train, *_ = tiny_setup(tmp_path, "NBFNet")
    net.eval()
    with torch.no_grad():
        scores = net.full_sort_predict(train.builder.rows(Interaction({'user_id': torch.tensor(USERS)})))
        sub = train.builder.sample(torch.tensor(USERS), torch.full((4,), float("inf"), dtype=torch.float64))
        h = net.encode(sub)
    for b in range(len(USERS)):
        mine = sub.batch["item"] == b
        inside = set(sub.node["item"][mine].tolist())
        finite = set(torch.isfinite(scores[b]).nonzero().squeeze(1).tolist())
        assert finite == inside and inside
        for w in inside:
            nodes = mine & (sub.node["item"] == w)
            expected = (h["item"][nodes] @ h["user"][b]).max()
            torch.testing.assert_close(scores[b, w], expected)


def test_indicator_is_added_to_seeds_only(tmp_path):
    _, net, train, *_ = tiny_setup(tmp_path, "NBFNet")
    sub = train.builder.sample(torch.tensor(USERS), torch.full((4,), float("inf"), dtype=torch.float64))
    x = net.backbone.encode_inputs(sub)
    marked = add_seed_indicator(x, sub, net.indicator)
    torch.testing.assert_close(marked["user"][:4] - x["user"][:4], net.indicator.expand(4, -1))
    torch.testing.assert_close(marked["user"][4:], x["user"][4:])
    torch.testing.assert_close(marked["item"], x["item"])


def test_predict_matches_full_sort(tmp_path):
    _, net, train, *_ = tiny_setup(tmp_path, "NBFNet")
    net.eval()
    with torch.no_grad():
        full = net.full_sort_predict(train.builder.rows(Interaction({'user_id': torch.tensor([2, 3])})))
        rows = Interaction({"user_id": torch.tensor([3, 2, 3]), "item_id": torch.tensor([5, 7, 1])})
        torch.testing.assert_close(net.predict(train.builder.rows(rows)), full[[1, 0, 1], [5, 7, 1]])


def test_training_steps_reduce_the_loss_on_cpu(tmp_path):
    # Targets left visible (temporal-style batch) so that positives exist inside the subgraphs.
    _, net, train, *_ = tiny_setup(tmp_path, "NBFNet")
    batch = user_batch(train, USERS, hide_targets=False)
    losses = train_losses(net, batch)
    assert losses[-1] < 0.7 * losses[0]

