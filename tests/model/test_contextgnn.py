"""ContextGNN: equation (2) routing, fusion variants, leakage, freshness, save/reload, training."""
from __future__ import annotations

import torch
from recbole.data.interaction import Interaction

from recbole_ctx.sampler.temporal_graph import TemporalGraph
from recbole_ctx.model.contextgnn import ContextGNN
from recbole_ctx.sampler.temporal_sampler import TemporalNeighborSampler
from support.subgraph import tiny_setup, train_losses, user_batch, user_rows

USERS = [1, 2, 3, 4]  # RecBole internal ids; 0 is padding


def _inf(n: int) -> torch.Tensor:
    return torch.full((n,), float("inf"), dtype=torch.float64)


def inside_items(sub, seed: int) -> set[int]:
    return set(sub.node["item"][sub.batch["item"] == seed].tolist())


def test_equation_2_routes_inside_to_pair_plus_mlp_and_outside_to_tower(tmp_path):
    _, net, train, *_ = tiny_setup(tmp_path, "ContextGNN")
    net.eval()
    with torch.no_grad():
        sub = train.builder.sample(torch.tensor(USERS), _inf(len(USERS)))
        h = net.encode(sub)
        scores = net.class_logits(sub, h, torch.arange(net.n_items))
        table = net.item_tower.table.weight
        for b in range(len(USERS)):
            h_v, inside = h["user"][b], inside_items(sub, b)
            assert 0 < len(inside) < net.n_items
            fusion = net.fusion_mlp(h_v).item()
            for w in range(net.n_items):
                if w in inside:
                    nodes = (sub.batch["item"] == b) & (sub.node["item"] == w)
                    expected = (h["item"][nodes] @ h_v).max().item() + fusion
                else:
                    expected = (table[w] @ h_v).item()
                assert abs(scores[b, w].item() - expected) < 1e-4, (b, w, w in inside)


def test_kumo_fusion_outside_uses_projected_user_and_offset(tmp_path):
    _, net, train, *_ = tiny_setup(tmp_path, "ContextGNN", fusion="kumo")
    net.eval()
    with torch.no_grad():
        sub = train.builder.sample(torch.tensor(USERS), _inf(len(USERS)))
        h = net.encode(sub)
        scores = net.class_logits(sub, h, torch.arange(net.n_items))
        h_v = h["user"][0]
        outside = sorted(set(range(net.n_items)) - inside_items(sub, 0))[0]
        expected = net.tower_user_proj(h_v) @ net.item_tower.table.weight[outside] + net.tower_user_offset(h_v)
        assert torch.allclose(scores[0, outside], expected.squeeze(), atol=1e-5)


def test_tower_topk_keeps_k_tower_items_at_inference_only(tmp_path):
    _, net, train, *_ = tiny_setup(tmp_path, "ContextGNN", tower_topk=3)
    net.eval()
    with torch.no_grad():
        sub = train.builder.sample(torch.tensor(USERS), _inf(len(USERS)))
        scores = net.class_logits(sub, net.encode(sub), torch.arange(net.n_items))
        for b in range(len(USERS)):
            finite = set(torch.isfinite(scores[b]).nonzero().squeeze(1).tolist())
            inside = inside_items(sub, b)
            assert inside <= finite and len(finite - inside) <= 3
    net.train()
    sub = train.builder.sample(torch.tensor(USERS), _inf(len(USERS)))
    assert torch.isfinite(net.class_logits(sub, net.encode(sub), torch.arange(net.n_items))).all()


def test_mlp_item_tower_scores_items_from_features(tmp_path):
    _, net, train, *_ = tiny_setup(tmp_path, "ContextGNN", item_tower="mlp")
    # genre = item token % 3; two items with the same features get the same tower vector.
    genre = net.backbone.encoders["item"].table_genre
    same = (genre == genre[1]).nonzero().squeeze(1)
    vectors = net.item_tower(same[:2])
    torch.testing.assert_close(vectors[0], vectors[1])
    scores = net.full_sort_predict(train.builder.rows(Interaction({'user_id': torch.tensor(USERS)})))
    assert scores.shape == (len(USERS), net.n_items) and torch.isfinite(scores).all()


def test_hidden_targets_equal_a_graph_without_those_edges(tmp_path):
    """No leakage: hiding the target pairs is the same as never having those edges."""
    _, net, train, *_ = tiny_setup(tmp_path, "ContextGNN", fanouts=[-1, -1])
    net.eval()
    batch = user_batch(train, USERS, hide_targets=True)
    seeds, sub = batch.seeds, batch.subgraph
    with torch.no_grad():
        h = net.encode(sub)
        target_user = seeds.user[seeds.target_example()]
        for b, u in enumerate(USERS):
            targets = set(seeds.target_item[target_user == u].tolist())
            assert not (targets & inside_items(sub, b))
        hidden = net.class_logits(sub, h, torch.arange(net.n_items))

        et = ("user", "interacts", "item")
        graph = train.builder.sampler.graph
        src = torch.repeat_interleave(torch.arange(graph.num_nodes["user"]), graph.rowptr[et].diff())
        key = src * net.n_items + graph.col[et]
        keep = ~torch.isin(key, target_user * net.n_items + seeds.target_item)
        without = TemporalGraph.from_edges(
            graph.num_nodes, {et: (src[keep], graph.col[et][keep], graph.time[et][keep])})
        sub2 = TemporalNeighborSampler(without, [-1, -1], strategy="last", bidirectional=True).sample(
            seeds.user, seeds.seed_time)
        torch.testing.assert_close(net.class_logits(sub2, net.encode(sub2), torch.arange(net.n_items)), hidden)


def test_evaluation_after_a_step_uses_the_updated_item_table(tmp_path):
    """The reference caches item embeddings at the first evaluation; nothing is cached here."""
    _, net, train, *_ = tiny_setup(tmp_path, "ContextGNN")
    users = user_rows(train, USERS)
    net.eval()
    with torch.no_grad():
        before = net.full_sort_predict(users)
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    net.calculate_loss(user_batch(train, USERS)).backward()
    opt.step()
    net.eval()
    with torch.no_grad():
        after = net.full_sort_predict(users)
        sub = train.builder.sample(torch.tensor(USERS), _inf(len(USERS)))
        h_v = net.encode(sub)["user"][: len(USERS)]
        tower = h_v @ net.item_tower.table.weight.T
    assert not torch.allclose(before, after)
    for b in range(len(USERS)):
        outside = sorted(set(range(net.n_items)) - inside_items(sub, b))
        torch.testing.assert_close(after[b, outside], tower[b, outside])


def test_save_and_reload_give_the_same_scores(tmp_path):
    config, net, train, *_ = tiny_setup(tmp_path, "ContextGNN")
    torch.save(net.state_dict(), tmp_path / "model.pth")
    torch.manual_seed(123)  # a different initialisation, overwritten by the load
    fresh = ContextGNN(config, train._dataset)
    fresh.load_state_dict(torch.load(tmp_path / "model.pth", weights_only=True))
    users = user_rows(train, USERS)
    net.eval(), fresh.eval()
    with torch.no_grad():
        torch.testing.assert_close(fresh.full_sort_predict(users), net.full_sort_predict(users))


def test_training_steps_reduce_the_loss_on_cpu(tmp_path):
    _, net, train, *_ = tiny_setup(tmp_path, "ContextGNN")
    batch = user_batch(train, USERS, hide_targets=False)
    losses = train_losses(net, batch)
    assert losses[-1] < 0.7 * losses[0]


RESIDUAL = {"fusion": "residual", "tower_user": "history", "tower_init": "spectral"}


def test_residual_fusion_adds_the_pair_head_to_the_tower_inside_only(tmp_path):
    _, net, train, *_ = tiny_setup(tmp_path, "ContextGNN", **RESIDUAL)
    net.eval()
    classes = torch.arange(net.n_items)
    with torch.no_grad():
        sub = train.builder.sample(torch.tensor(USERS), _inf(len(USERS)))
        h = net.encode(sub)
        pair, tower = net.branch_logits(sub, h, classes)
        fused = net.class_logits(sub, h, classes)
        h_v = h["user"][: len(USERS)]
        torch.testing.assert_close(tower, net.tower_user(sub, h_v, net.item_tower) @ net.item_tower.table.weight.T)
        for b in range(len(USERS)):
            inside = sorted(inside_items(sub, b))
            outside = sorted(set(range(net.n_items)) - set(inside))
            torch.testing.assert_close(fused[b, outside], tower[b, outside])
            for item in inside:
                nodes = ((sub.batch["item"] == b) & (sub.node["item"] == item)).nonzero().squeeze(1)
                raw = (h["item"][nodes] @ h_v[b]).max() + net.fusion_mlp(h_v[b]).squeeze()
                torch.testing.assert_close(pair[b, item], raw)
                torch.testing.assert_close(fused[b, item], tower[b, item] + raw)


def test_frozen_spectral_tower_keeps_its_table_while_the_rest_trains(tmp_path):
    _, net, train, *_ = tiny_setup(tmp_path, "ContextGNN", num_classes=64, tower_freeze=True, **RESIDUAL)
    table = net.item_tower.table.weight.detach().clone()
    losses = train_losses(net, user_batch(train, USERS))
    assert all(torch.isfinite(torch.tensor(losses))) and losses[-1] < losses[0]
    assert torch.equal(net.item_tower.table.weight, table)
    assert net.tower_user.proj.weight.abs().sum() > 0


def test_tower_loss_weight_adds_the_towers_own_softmax(tmp_path):
    _, net, train, *_ = tiny_setup(tmp_path, "ContextGNN", num_classes=64, tower_loss_weight=0.0, **RESIDUAL)
    batch = user_batch(train, USERS)
    net.eval()  # same subgraphs and class set for each call: num_classes covers every item
    with torch.no_grad():
        fused_only = net.calculate_loss(batch)
        net.tower_loss_weight = 0.5
        both = net.calculate_loss(batch)
        sub, seeds = batch.subgraph, batch.seeds
        assert seeds.known_item is None  # nothing to mask
        _, tower = net.branch_logits(sub, net.encode(sub), torch.arange(net.n_items))
        tower_loss = -torch.log_softmax(tower, -1)[seeds.target_example(), seeds.target_item].mean()
    torch.testing.assert_close(both, fused_only + 0.5 * tower_loss)
