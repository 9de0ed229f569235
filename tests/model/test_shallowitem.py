"""ShallowItem: two-tower scores for all items; shallow embeddings enter the user's subgraph."""
from __future__ import annotations

import torch
from recbole.data.interaction import Interaction

from support.subgraph import tiny_setup, train_losses, user_batch

USERS = [1, 2, 3, 4]


def test_scores_are_user_vector_dot_item_table_for_all_items(tmp_path):
    _, net, train, *_ = tiny_setup(tmp_path, "ShallowItem")
    net.eval()
    with torch.no_grad():
        scores = net.full_sort_predict(train.builder.rows(Interaction({'user_id': torch.tensor(USERS)})))
        sub = train.builder.sample(torch.tensor(USERS), torch.full((4,), float("inf"), dtype=torch.float64))
        h_v = net.encode(sub)["user"][:4]
    torch.testing.assert_close(scores, h_v @ net.item_tower.table.weight.T)


def test_user_vector_depends_on_embeddings_of_its_subgraph_items_only(tmp_path):
    _, net, train, *_ = tiny_setup(tmp_path, "ShallowItem")
    net.eval()
    seed = torch.tensor([USERS[0]])
    sub = train.builder.sample(seed, torch.full((1,), float("inf"), dtype=torch.float64))
    inside = set(sub.node["item"].tolist())
    outside = sorted(set(range(1, net.n_items)) - inside)[0]
    with torch.no_grad():
        base = net.encode(sub)["user"][0].clone()
        net.item_tower.table.weight[outside] += 1.0
        assert torch.equal(net.encode(sub)["user"][0], base)
        net.item_tower.table.weight[next(iter(inside))] += 1.0
        assert not torch.allclose(net.encode(sub)["user"][0], base)


def test_training_steps_reduce_the_loss_on_cpu(tmp_path):
    _, net, train, *_ = tiny_setup(tmp_path, "ShallowItem")
    batch = user_batch(train, USERS)
    losses = train_losses(net, batch)
    assert losses[-1] < 0.7 * losses[0]


def test_known_items_are_left_out_of_the_softmax(tmp_path):
    """Static protocol: the user's visible training items are neither targets nor negatives."""
    _, net, train, *_ = tiny_setup(tmp_path, "ShallowItem", num_classes=10**6)  # full softmax
    batch = user_batch(train, USERS, hide_targets=False, per_user=1)
    seeds = batch.seeds
    et = ("user", "interacts", "item")
    graph = train.builder.sampler.graph
    rowptr, col = graph.rowptr[et], graph.col[et]
    seeds.known_ptr = torch.arange(len(USERS) + 1) * 2
    seeds.known_item = torch.cat([col[rowptr[u] + 1: rowptr[u] + 3] for u in USERS])
    net.eval()  # no dropout: two passes over the same subgraphs agree
    with torch.no_grad():
        loss = net.calculate_loss(batch)
        sub = batch.subgraph
        logits = net.class_logits(sub, net.encode(sub), torch.arange(net.n_items))
        logits[seeds.known_example(), seeds.known_item] = float("-inf")
        expected = -torch.log_softmax(logits, -1)[torch.arange(len(USERS)), seeds.target_item].mean()
    torch.testing.assert_close(loss, expected)
