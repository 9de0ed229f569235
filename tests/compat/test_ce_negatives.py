"""A CE-loss sequential model gets no training negatives unless the user sets them."""
import pytest

import recbole_ctx  # noqa: F401
from recbole.config import Config

QUIET = {"show_progress": False, "state": "ERROR"}


@pytest.mark.parametrize("model", ["Caser", "LightSANs", "BERT4Rec"])
def test_recboles_default_no_longer_refused(model):
    config = Config(model=model, dataset="ml-100k", config_dict=QUIET)
    assert config["loss_type"] == "CE" and config["train_neg_sample_args"]["distribution"] == "none"


def test_negatives_set_by_the_user_still_meet_recboles_check():
    negatives = {"distribution": "uniform", "sample_num": 1}
    with pytest.raises(ValueError, match="should be None when the loss_type is CE"):
        Config(model="Caser", dataset="ml-100k", config_dict={**QUIET, "train_neg_sample_args": negatives})


def test_bpr_loss_keeps_its_negatives():
    config = Config(model="GRU4Rec", dataset="ml-100k", config_dict={**QUIET, "loss_type": "BPR"})
    assert config["train_neg_sample_args"]["distribution"] == "uniform"
