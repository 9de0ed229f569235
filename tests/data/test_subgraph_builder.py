"""SubgraphBuilder: fanouts per hop, sampling device choice."""
from __future__ import annotations

import pytest

from recbole_ctx.data.subgraph_builder import SubgraphBuilder, hop_fanouts
from support.subgraph import tiny_setup


def test_one_number_halves_per_hop_and_a_list_is_per_layer():
    assert hop_fanouts(128, 4) == [128, 64, 32, 16]
    assert hop_fanouts(3, 3) == [3, 1, 1] and hop_fanouts(-1, 2) == [-1, -1]
    assert hop_fanouts([16, 8], 2) == [16, 8]
    with pytest.raises(ValueError, match="one entry per layer"):
        hop_fanouts([16, 8], 3)


def test_a_halving_fanout_reaches_the_sampler(tmp_path):
    _, _, train, *_ = tiny_setup(tmp_path, "ShallowItem", fanouts=8, num_layers=3)
    assert train.builder.sampler.fanouts == [8, 4, 2]


def test_sampling_on_the_model_device_refuses_worker_processes(tmp_path):
    config, _, train, *_ = tiny_setup(tmp_path, "ShallowItem")
    config["sample_device"], config["worker"] = "model", 2
    with pytest.raises(ValueError, match="worker: 0"):
        SubgraphBuilder.from_config(config, train._dataset)
    config["sample_device"] = "gpu"
    with pytest.raises(ValueError, match="sample_device must be one of"):
        SubgraphBuilder.from_config(config, train._dataset)
