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


def test_configs_model_holds_plugin_models_only():
    # Built-ins take RecBole's own defaults (CE-loss sequential models: compat.ce_negatives),
    # so a file here would silently differ between RecBole's Config and recbole-ctx runs.
    from recbole_ctx.utils.registry import plugin_models

    assert {p.stem for p in (CONFIG_DIR / "model").glob("*.yaml")} <= set(plugin_models())
