"""Plugin models resolve through every route: our get_model, RecBole's get_model and Config."""
import sys
import textwrap

import pytest
from recbole.config import Config
from recbole.utils import ModelType
from recbole.utils import get_model as recbole_get_model

import recbole_ctx
from recbole_ctx.utils.registry import canonical_model_name, get_trainer, register_model

PLUGIN_SOURCE = textwrap.dedent('''
    from recbole.model.general_recommender import BPR
    from recbole.trainer import Trainer

    class TinyPlugin(BPR):
        """BPR under another name: enough to exercise the registry."""

    class TinyPluginTrainer(Trainer):
        pass
''')


@pytest.fixture
def tiny_plugin(tmp_path, monkeypatch):
    (tmp_path / "tiny_plugin_mod.py").write_text(PLUGIN_SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    register_model("TinyPlugin", "tiny_plugin_mod", ModelType.GENERAL,
                   trainer="tiny_plugin_mod:TinyPluginTrainer")
    yield
    from recbole_ctx.utils import registry

    registry._MODELS.pop("TinyPlugin")
    sys.modules.pop("tiny_plugin_mod", None)
    sys.modules.pop("recbole.model.general_recommender.tinyplugin", None)


def test_plugin_resolves_through_recbole_get_model_and_config(tiny_plugin):
    import tiny_plugin_mod

    assert recbole_ctx.get_model("TinyPlugin") is tiny_plugin_mod.TinyPlugin
    assert recbole_get_model("TinyPlugin") is tiny_plugin_mod.TinyPlugin
    config = Config(model="TinyPlugin", dataset="ml-100k", config_dict={"state": "ERROR"})
    assert config["MODEL_TYPE"] == ModelType.GENERAL
    assert get_trainer(ModelType.GENERAL, "TinyPlugin") is tiny_plugin_mod.TinyPluginTrainer


def test_builtin_models_and_trainers_still_resolve():
    from recbole.model.general_recommender import LightGCN
    from recbole.trainer import Trainer

    assert recbole_ctx.get_model("LightGCN") is LightGCN
    assert get_trainer(ModelType.GENERAL, "LightGCN") is Trainer


def test_unknown_model_error_is_short_and_points_to_the_list():
    with pytest.raises(ValueError) as err:
        recbole_ctx.get_model("NoSuchModel")
    message = str(err.value)
    assert "NoSuchModel" in message and "ContextGNN" in message and "`recbole-ctx models`" in message
    assert "Did you mean" not in message  # nothing is close
    assert "BERT4Rec" not in message and len(message) < 250  # not every name on one line


@pytest.mark.parametrize("typed, canonical", [("lightgcn", "LightGCN"), ("LIGHTGCN", "LightGCN"),
                                              ("contextgnn", "ContextGNN"), ("bert4rec", "BERT4Rec"), ("BPR", "BPR")])
def test_model_names_match_in_any_case(typed, canonical):
    assert canonical_model_name(typed) == canonical
    assert recbole_ctx.get_model(typed).__name__ == canonical


def test_misspelt_model_gets_a_suggestion():
    with pytest.raises(ValueError, match=r"Unknown model 'LightGNC'\. Did you mean 'LightGCN'"):
        canonical_model_name("LightGNC")
    with pytest.raises(ValueError, match=r"Did you mean 'ContextGNN'"):
        recbole_ctx.get_model("ContexGNN")
