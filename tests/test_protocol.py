"""The run's protocol (``recbole_ctx.protocol``), resolved once before any data loads."""
from __future__ import annotations

import pytest
from recbole.config import Config

import recbole_ctx  # noqa: F401  (RecBole compatibility, model registry)
from recbole_ctx.protocol import Protocol
from recbole_ctx.utils.registry import reads_subgraphs


def _config(model="BPR", **extra):
    return Config(model=model, dataset="ml-100k", config_dict=extra)


def test_models_declare_whether_they_read_subgraphs():
    assert reads_subgraphs("ContextGNN") and reads_subgraphs("NBFNet") and reads_subgraphs("ShallowItem")
    assert not reads_subgraphs("SRGNNFast") and not reads_subgraphs("LightGCN")


def test_static_protocol_for_datasets_without_val_timestamp():
    protocol = Protocol.resolve(_config("ShallowItem"))
    assert protocol.name == "static" and protocol.subgraphs and protocol.neg_sampler == "uniform"


@pytest.mark.parametrize("extra, match", [
    ({"val_timestamp": 1.0, "test_timestamp": 2.0, "timedelta": 1, "eval_k": 5, "eval_neg_sampler": "subgraph"},
     "temporal protocol ranks every item"),
    ({"eval_neg_sampler": "subgraph", "eval_args": {"mode": "uni99"}}, "samples none"),
    ({"val_timestamp": 1.0, "test_timestamp": 2.0, "timedelta": 1, "eval_k": 5, "temporal_train_on": "labels"},
     "needs a model that reads subgraphs"),
    ({"val_timestamp": 1.0, "test_timestamp": 2.0, "timedelta": 1, "eval_k": 5, "temporal_train_on": "x"},
     "temporal_train_on"),
])
def test_impossible_combinations_are_refused(extra, match):
    with pytest.raises(ValueError, match=match):
        Protocol.resolve(_config(**extra))


def test_memory_freed_while_loading_goes_back_after_the_loaders_are_built(monkeypatch):
    from recbole_ctx.utils import free_memory

    calls = []
    monkeypatch.setattr(free_memory, "release_free_memory", lambda: calls.append("released"))
    config = _config("ShallowItem", embedding_size=8, show_progress=False, state="ERROR")
    data = Protocol.resolve(config).create_data(config)
    assert calls == ["released"] and data.test is not None
