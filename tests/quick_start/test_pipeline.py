"""Protocol-dependent trainer construction (``recbole_ctx.quick_start.pipeline``)."""
from __future__ import annotations

import pytest
from recbole.config import Config

import recbole_ctx  # noqa: F401  (RecBole compatibility, model registry)
from recbole_ctx.quick_start.pipeline import build_trainer


def test_subgraph_negatives_are_refused_under_the_temporal_protocol():
    config = Config(model="BPR", dataset="ml-100k",
                    config_dict={"val_timestamp": 1.0, "eval_neg_sampler": "subgraph"})
    with pytest.raises(ValueError, match="temporal protocol ranks every item"):
        build_trainer(config, model=None, data=None)
