"""``enable_amp: True`` on CPU: RecBole's Trainer runs the subgraph models under bf16 autocast."""
from __future__ import annotations

import pytest
import torch
from recbole.trainer import Trainer
from recbole.utils import init_seed

from support.subgraph import tiny_setup


def _two_epochs(tmp_path, model, amp, monkeypatch):
    overrides = {"num_layers": 3, "fanouts": [4, 4, 4]} if model == "NBFNet" else {}
    init_seed(0, True)  # the same random split in both runs
    config, net, train, *_ = tiny_setup(tmp_path / str(amp), model, enable_amp=amp, sample_strategy="last",
                                        **overrides)
    autocast = []
    forward = net.backbone.forward

    def recording(*args, **kwargs):
        autocast.append(torch.get_autocast_dtype("cpu") if torch.is_autocast_enabled("cpu") else None)
        return forward(*args, **kwargs)

    monkeypatch.setattr(net.backbone, "forward", recording)
    trainer = Trainer(config, net)
    losses = [trainer._train_epoch(train, epoch) for epoch in range(2)]
    return losses, set(autocast), net


@pytest.mark.parametrize("model", ["ContextGNN", "NBFNet", "ShallowItem"])
def test_bf16_autocast_steps_match_float32_steps(tmp_path, model, monkeypatch):
    """Same initial weights and batches: bf16 losses within 5% of float32's, weights stay float32."""
    amp_losses, amp_dtypes, net = _two_epochs(tmp_path, model, True, monkeypatch)
    fp32_losses, fp32_dtypes, _ = _two_epochs(tmp_path, model, False, monkeypatch)
    assert amp_dtypes == {torch.bfloat16} and fp32_dtypes == {None}
    assert all(torch.isfinite(torch.tensor(amp_losses)))
    assert amp_losses == pytest.approx(fp32_losses, rel=0.05)
    assert all(p.dtype == torch.float32 for p in net.parameters())
