"""Temporal datasets in the converters' atomic format, written by the tests themselves."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from support.data import DATA_DIR
from support.temporal import tiny_dataset, write_temporal_dataset

REL_ML100K = DATA_DIR / "rel-ml100k"

def rel_ml100k_dataset(root: Path, task) -> dict:
    """rel-ml100k / user-movie-rate (relbench's own tables) in the converters' format."""
    ratings = task.dataset.get_db().table_dict["ratings"].df
    inter = pd.DataFrame({"user_id": ratings["user_id"], "item_id": ratings["movie_id"],
                          "timestamp": ratings["rating_time"].astype("int64") / 1e9})
    labels = {}
    for split, rb_split in (("train", "train"), ("valid", "val"), ("test", "test")):
        table = task.get_table(rb_split, mask_input_cols=False).df.explode("movie_id")
        labels[split] = pd.DataFrame({"user_id": table["user_id"],
                                      "timestamp": table["timestamp"].astype("int64") / 1e9,
                                      "item_id": table["movie_id"]})
    protocol = {"val_timestamp": "1998-02-22", "test_timestamp": "1998-03-22", "timedelta": "14 days",
                "eval_k": 10}
    return write_temporal_dataset(root, "rel-ml100k-user-movie-rate", inter, labels, protocol)


@pytest.fixture
def tiny_config(tmp_path):
    return tiny_dataset(tmp_path)


@pytest.fixture(scope="session")
def rel_ml100k(tmp_path_factory):
    import relbench

    if not REL_ML100K.is_dir():
        pytest.skip(f"real data missing: {REL_ML100K}")
    task = relbench.load_dataset(str(REL_ML100K)).load_task("user-movie-rate")
    return rel_ml100k_dataset(tmp_path_factory.mktemp("relml"), task), task
