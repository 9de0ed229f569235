"""A dataset without data: the closest names, and for known benchmarks which files go where."""
from pathlib import Path

import pytest

from recbole_ctx.quick_start import build_config
from recbole_ctx.quick_start.dataset_sources import LIGHTGCN_DATA, missing_dataset_message
from recbole_ctx.quick_start.quick_start import DatasetNotFoundError


def test_misspelt_dataset_gets_the_closest_name():
    message = missing_dataset_message("ml100k", Path("dataset/ml100k"), ["gowalla", "ml-100k"])
    assert "Did you mean 'ml-100k'?" in message and "recbole-ctx convert" in message


def test_lightgcn_benchmark_says_which_files_go_where(tmp_path):
    (tmp_path / "amazon-book").mkdir()  # an empty folder: still no data
    with pytest.raises(DatasetNotFoundError) as err:
        build_config("BPR", "amazon-book", config_dict={"data_path": str(tmp_path)})
    message = str(err.value)
    assert f"train.txt and test.txt ({LIGHTGCN_DATA}, Data/amazon-book) into {tmp_path / 'amazon-book'}/" in message
    assert "Did you mean" not in message  # not itself
