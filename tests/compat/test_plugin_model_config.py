"""RecBole's own ``Config(model=<plugin model>)`` reads the files the model class lists in
``config_files`` (shared blocks, then ``configs/model/<Name>.yaml``), later files winning."""
from pathlib import Path

import yaml

import recbole_ctx  # noqa: F401
from recbole.config import Config
from recbole_ctx.model.contextgnn import ContextGNN
from recbole_ctx.model.nbfnet import NBFNet
from recbole_ctx.utils.paths import CONFIG_DIR

QUIET = {"show_progress": False, "state": "ERROR"}


def _yaml(path):
    return yaml.safe_load(Path(path).read_text()) or {}


def test_plugin_model_defaults_are_loaded():
    config = Config(model="ContextGNN", dataset="ml-100k", config_dict=QUIET)
    backbone, two_tower, own = (_yaml(p) for p in ContextGNN.config_files)
    assert config["fanouts"] == backbone["fanouts"]
    assert config["num_classes"] == two_tower["num_classes"]
    assert config["fusion"] == own["fusion"]


def test_a_model_file_overrides_the_shared_block():
    backbone, own = (_yaml(p) for p in NBFNet.config_files)
    assert own["fanouts"] != backbone["fanouts"]  # else this test shows nothing
    config = Config(model="NBFNet", dataset="ml-100k", config_dict=QUIET)
    assert config["fanouts"] == own["fanouts"] and config["num_layers"] == own["num_layers"]
    assert config["learning_rate"] == backbone["learning_rate"]


def test_every_listed_file_is_shipped():
    from recbole_ctx.utils.registry import get_model, plugin_models

    for name in plugin_models():
        for path in getattr(get_model(name), "config_files", ()):
            assert Path(path).is_file() and Path(path).is_relative_to(CONFIG_DIR), (name, path)


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
