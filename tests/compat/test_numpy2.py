import numpy as np

import recbole_ctx  # noqa: F401
from recbole.config import Config

QUIET = {"show_progress": False, "state": "ERROR"}


def test_config_builds_on_numpy2_and_aliases_keep_numpy1_meaning():
    config = Config(model="BPR", dataset="ml-100k", config_dict=QUIET)
    assert config["model"] == "BPR"
    assert np.float is np.float64 and np.long is np.int_ and np.bool is np.bool_
