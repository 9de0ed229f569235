"""RecBole's ``get_flops`` skips models that read subgraph batches (``reads_subgraphs``)."""
import logging
import math

import recbole_ctx  # noqa: F401
import recbole.utils
from recbole.config import Config
from recbole.data import create_dataset, data_preparation
from recbole.data.transform import construct_transform

QUIET = {"show_progress": False, "state": "ERROR"}


def _flops(model_name: str, **cfg) -> float:
    config = Config(model=model_name, dataset="ml-100k", config_dict={**QUIET, "embedding_size": 8, **cfg})
    dataset = create_dataset(config)
    data_preparation(config, dataset)  # as in RecBole's run_recbole: the profile reads the built dataset
    model = recbole_ctx.get_model(model_name)(config, dataset)
    return recbole.utils.get_flops(model, dataset, config["device"], logging.getLogger(), construct_transform(config))


def test_a_subgraph_model_is_not_profiled():
    assert math.isnan(_flops("ShallowItem", fanouts=[2, 2], num_classes=64))


def test_other_models_keep_recboles_count():
    assert _flops("BPR") > 0
