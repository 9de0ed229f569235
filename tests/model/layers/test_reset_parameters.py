"""Every layer's ``reset_parameters()`` re-draws every parameter it owns, with the
distribution the constructor gives it."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from recbole_ctx.model.backbone import HeteroSubgraphGNN
from recbole_ctx.model.layers.item_tower import ItemTower
from recbole_ctx.model.layers.node_encoder import FeatureColumn, NodeFeatureEncoder
from recbole_ctx.model.layers.session_gnn import SessionGatedGNN
from recbole_ctx.model.layers.session_readout import SessionReadout
from recbole_ctx.model.layers.time_encoding import RelativeTimeEncoder

D = 8
SPOILT = 0.123  # no initialiser here can give exactly this value
COLUMNS = [FeatureColumn("genre", "token", torch.arange(5) % 3, 3),
           FeatureColumn("tags", "token_seq", torch.tensor([[1, 2], [0, 0], [2, 0], [1, 0], [2, 1]]), 3),
           FeatureColumn("year", "float", torch.rand(5))]


def _layers() -> dict[str, nn.Module]:
    torch.manual_seed(0)
    encoder = NodeFeatureEncoder(D, COLUMNS)
    return {
        "node_encoder": encoder,
        "time_encoder": RelativeTimeEncoder(D),
        "item_tower_shallow": ItemTower("shallow", 5, D),
        "item_tower_mlp": ItemTower("mlp", 5, D, encoder),
        "session_gnn": SessionGatedGNN(D),
        "session_readout": SessionReadout(D, "hybrid"),
        "backbone": HeteroSubgraphGNN(["user", "item"], [("user", "to", "item"), ("item", "rev_to", "user")], D, 2,
                                      {"item": COLUMNS}),
    }


@pytest.mark.parametrize("name", list(_layers()))
def test_reset_parameters_redraws_every_parameter(name):
    layer = _layers()[name]
    with torch.no_grad():
        for p in layer.parameters():
            p.fill_(SPOILT)
    layer.reset_parameters()
    owned = {n for n, _ in layer.named_parameters()}
    if name == "item_tower_mlp":  # the feature encoder belongs to the backbone, which resets it
        owned = {n for n in owned if not n.startswith("features.")}
    for n, p in layer.named_parameters():
        if n in owned:
            assert not (p == SPOILT).any(), f"{name}.{n} was not reset"


def test_reset_draws_the_constructors_distributions():
    torch.manual_seed(0)
    tower = ItemTower("shallow", 4000, 16)
    encoder = NodeFeatureEncoder(4000, [])
    for _ in range(2):
        assert abs(tower.table.weight.std().item() - 0.1) < 0.005
        assert abs(encoder.type_vector.std().item() - 0.1) < 0.005
        tower.reset_parameters()
        encoder.reset_parameters()
    gnn = SessionGatedGNN(D)
    gnn.reset_parameters()
    assert all(p.abs().max() <= D ** -0.5 for p in gnn.parameters())
