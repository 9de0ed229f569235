"""Per-epoch learning rates through RecBole's own ``fit`` (no ``_train_epoch`` override)."""
from __future__ import annotations

import pytest
from recbole.trainer import Trainer

from recbole_ctx.trainer.lr_schedule import epoch_learning_rate, with_lr_schedule
from support.subgraph import tiny_setup


def test_exponential_and_step_decay():
    assert [epoch_learning_rate(1.0, e, lr_decay=0.5) for e in range(3)] == [1.0, 0.5, 0.25]
    assert epoch_learning_rate(1.0, 2, lr_dc=0.1, lr_dc_step=3) == pytest.approx(0.1)


def test_each_epoch_trains_at_its_own_rate(tmp_path):
    config, net, train, valid, _ = tiny_setup(tmp_path, "ShallowItem", epochs=3, learning_rate=0.04,
                                              lr_decay=0.5)
    trainer = with_lr_schedule(Trainer)(config, net)
    seen, loss = [], net.calculate_loss

    def recording(batch):
        seen.append(trainer.optimizer.param_groups[0]["lr"])
        return loss(batch)

    net.calculate_loss = recording
    trainer.fit(train, valid, saved=False)
    assert sorted(set(seen), reverse=True) == pytest.approx([0.04, 0.02, 0.01])
