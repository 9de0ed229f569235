"""``enable_amp: True`` on CPU: RecBole's Trainer runs the subgraph models under bf16 autocast."""
from __future__ import annotations

import pytest
import torch
from recbole.trainer import Trainer

from support.subgraph import tiny_setup


@pytest.mark.parametrize("model", ["ContextGNN", "NBFNet", "ShallowItem"])
def test_bf16_autocast_trains_a_few_steps_with_finite_falling_loss(tmp_path, model, monkeypatch):
    overrides = {"num_layers": 3, "fanouts": [4, 4, 4]} if model == "NBFNet" else {}
    config, net, train, valid, _ = tiny_setup(tmp_path, model, enable_amp=True, epochs=4, learning_rate=0.05,
                                              **overrides)
    autocast_dtypes = []
    forward = net.backbone.forward

    def recording(*args, **kwargs):
        autocast_dtypes.append(torch.get_autocast_dtype("cpu") if torch.is_autocast_enabled("cpu") else None)
        return forward(*args, **kwargs)

    monkeypatch.setattr(net.backbone, "forward", recording)
    trainer = Trainer(config, net)
    losses = [trainer._train_epoch(train, epoch) for epoch in range(4)]
    assert autocast_dtypes and set(autocast_dtypes) == {torch.bfloat16}
    assert all(torch.isfinite(torch.tensor(losses))) and losses[-1] < losses[0]
    assert all(p.dtype == torch.float32 for p in net.parameters())
