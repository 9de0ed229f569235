"""RecBole's own ``Config(model=<plugin model>)`` reads ``configs/model/<Name>.yaml``."""
import pytest
import yaml

import recbole_ctx  # noqa: F401
from recbole.config import Config
from recbole_ctx.utils.paths import CONFIG_DIR

QUIET = {"show_progress": False, "state": "ERROR"}


def _yaml(name):
    return yaml.safe_load((CONFIG_DIR / "model" / f"{name}.yaml").read_text())


def test_plugin_model_defaults_are_loaded():
    config = Config(model="ContextGNN", dataset="ml-100k", config_dict=QUIET)
    defaults = _yaml("ContextGNN")
    assert config["fanouts"] == defaults["fanouts"]
    assert config["num_classes"] == defaults["num_classes"]


def test_config_dict_and_files_still_win(tmp_path):
    user_file = tmp_path / "user.yaml"
    user_file.write_text("num_classes: 77\n")
    config = Config(model="ContextGNN", dataset="ml-100k", config_file_list=[str(user_file)],
                    config_dict={**QUIET, "fanouts": [3, 2]})
    assert config["fanouts"] == [3, 2] and config["num_classes"] == 77


def test_builtin_models_keep_recboles_defaults():
    # configs/model/BERT4Rec.yaml (train_neg_sample_args: ~) is a recbole-ctx run default,
    # not part of RecBole's own Config, which keeps refusing its CE + negatives default.
    assert _yaml("BERT4Rec")["train_neg_sample_args"] is None
    with pytest.raises(ValueError, match="should be None when the loss_type is CE"):
        Config(model="BERT4Rec", dataset="ml-100k", config_dict=QUIET)
