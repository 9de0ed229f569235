"""The two-tower user side: the paper's h_v, or a read-out of the user's one-hop items."""
from __future__ import annotations

import math

import pytest
import torch

from support.subgraph import tiny_setup, train_losses, user_batch

USERS = [1, 2, 3, 4]
SPECTRAL = {"tower_user": "history", "tower_init": "spectral"}


def _inf(n: int) -> torch.Tensor:
    return torch.full((n,), float("inf"), dtype=torch.float64)


def test_paper_defaults_add_no_module(tmp_path):
    # No extra parameter: models built with the defaults draw the same initial weights as before.
    _, net, *_ = tiny_setup(tmp_path, "ContextGNN")
    assert net.tower_user is None
    assert not any("tower_user" in k for k in net.state_dict())


@pytest.mark.parametrize("model", ["ContextGNN", "ShallowItem"])
def test_history_user_is_the_weighted_mean_of_one_hop_item_vectors_plus_projection(tmp_path, model):
    _, net, train, *_ = tiny_setup(tmp_path, model, **SPECTRAL)
    net.eval()
    sub = train.builder.sample(torch.tensor(USERS), _inf(len(USERS)))
    with torch.no_grad():
        net.tower_user.proj.weight.normal_()
        h_user = net.encode(sub)["user"][: len(USERS)]
        u = net.tower_user(sub, h_user, net.item_tower)
        scale = net.tower_user.log_scale.exp()
        for s in range(len(USERS)):
            one_hop = (sub.batch["item"] == s) & (sub.hop["item"] == 1)
            items = sub.node["item"][one_hop]
            assert items.numel() > 0
            mean = (net.item_tower(items) * net.tower_user.item_weight[items, None]).mean(0)
            expected = (mean + net.tower_user.proj(h_user[s] / math.sqrt(h_user.size(1)))) * scale
            torch.testing.assert_close(u[s], expected)


def test_spectral_tower_ranks_like_the_low_pass_filter_before_training(tmp_path):
    # fanouts cover every item of a tiny user: the read-out sees the whole history.
    _, net, train, *_ = tiny_setup(tmp_path, "ShallowItem", fanouts=[16, 4], **SPECTRAL)
    net.eval()
    dataset = train._dataset
    user = dataset.inter_feat[dataset.uid_field].long()
    item = dataset.inter_feat[dataset.iid_field].long()
    matrix = torch.zeros(dataset.user_num, net.n_items, dtype=torch.float64)
    matrix[user, item] = 1.0
    du, di = matrix.sum(1).clamp(min=1), matrix.sum(0).clamp(min=1)
    _, _, vt = torch.linalg.svd(matrix / torch.sqrt(du[:, None] * di[None, :]))
    v = vt[: net.channels].T
    low_pass = (matrix @ (v / di.sqrt()[:, None])) @ (v.T * di.sqrt()[None, :])
    with torch.no_grad():
        sub = train.builder.sample(torch.tensor(USERS), _inf(len(USERS)))
        scores = net.class_logits(sub, net.encode(sub), torch.arange(net.n_items)).double()
    # Equal up to a positive per-user factor (the mean and the scale).
    for s, u in enumerate(USERS):
        ratio = scores[s, 1:] / low_pass[u, 1:]
        finite = low_pass[u, 1:].abs() > 1e-6
        assert (ratio[finite] > 0).all()
        torch.testing.assert_close(ratio[finite], ratio[finite].mean().expand(int(finite.sum())), rtol=1e-3, atol=0)


def test_spectral_tower_refuses_temporal_data_and_feature_towers(tmp_path):
    with pytest.raises(ValueError, match="temporal"):
        tiny_setup(tmp_path / "a", "ContextGNN", val_timestamp=1_000_000.0, **SPECTRAL)
    with pytest.raises(ValueError, match="item_tower: shallow"):
        tiny_setup(tmp_path / "b", "ContextGNN", item_tower="mlp", **SPECTRAL)
    with pytest.raises(ValueError, match="tower_user"):
        tiny_setup(tmp_path / "c", "ContextGNN", tower_user="items")
    with pytest.raises(ValueError, match="tower_freeze"):
        tiny_setup(tmp_path / "d", "ContextGNN", tower_freeze=True)  # a random table is not worth keeping


def test_history_tower_trains_on_cpu(tmp_path):
    _, net, train, *_ = tiny_setup(tmp_path, "ShallowItem", **SPECTRAL)
    losses = train_losses(net, user_batch(train, USERS))
    assert all(math.isfinite(x) for x in losses)
    assert losses[-1] < losses[0]
    assert net.tower_user.proj.weight.abs().sum() > 0  # the GNN's share starts to learn
