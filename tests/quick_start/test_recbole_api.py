"""RecBole's own entry points (``recbole.quick_start``, ``Config`` + ``create_dataset`` +
``data_preparation`` + ``get_trainer``) on the plugin models and options after ``import recbole_ctx``."""
import socket
from pathlib import Path

import pytest
import torch

import recbole_ctx
from recbole.config import Config
from recbole_ctx.quick_start.recbole_api import PluginOptionIgnoredWarning
from support.temporal import tiny_dataset

QUIET = {"show_progress": False, "state": "ERROR", "checkpoint_dir": "saved"}
# ml-100k, one short epoch: 4 training batches for the subgraph models, ~25 for SRGNNFast.
SMALL = {
    "ContextGNN": {"embedding_size": 8, "fanouts": [4, 2], "num_classes": 256, "train_batch_size": 256,
                   "max_steps_per_epoch": 2},
    "NBFNet": {"embedding_size": 8, "fanouts": [4, 2, 2], "train_batch_size": 256, "max_steps_per_epoch": 2},
    "ShallowItem": {"embedding_size": 8, "fanouts": [4, 2], "num_classes": 256, "train_batch_size": 256,
                    "max_steps_per_epoch": 2},
    "SRGNNFast": {"embedding_size": 8, "train_batch_size": 4096, "MAX_ITEM_LIST_LENGTH": 10},
}
PLUGIN_MODELS = sorted(SMALL)


def _config_dict(model: str, **extra) -> dict:
    return {**QUIET, "epochs": 1, "eval_batch_size": 4096, **SMALL[model], **extra}


@pytest.mark.parametrize("model", PLUGIN_MODELS)
def test_recboles_run_recbole_trains_and_evaluates_every_plugin_model(model):
    from recbole.quick_start import load_data_and_model, run_recbole

    result = run_recbole(model=model, dataset="ml-100k", config_dict=_config_dict(model))
    assert result["test_result"] and all(v == v for v in result["test_result"].values())
    [path] = Path("saved").glob(f"{model}-*.pth")
    config, loaded, *_ = load_data_and_model(str(path))
    assert type(loaded) is recbole_ctx.get_model(model) and config["embedding_size"] == 8


@pytest.mark.parametrize("model", PLUGIN_MODELS)
def test_recboles_get_trainer_builds_the_plugins_trainer(model):
    from recbole.data import create_dataset, data_preparation
    from recbole.utils import get_trainer

    config = Config(model=model, dataset="ml-100k", config_dict=_config_dict(model))
    train, *_ = data_preparation(config, create_dataset(config))
    trainer = get_trainer(config["MODEL_TYPE"], model)(config, recbole_ctx.get_model(model)(config, train._dataset))
    assert trainer.protocol.subgraphs == (model != "SRGNNFast")
    assert isinstance(trainer, recbole_ctx.get_trainer(config["MODEL_TYPE"], model))  # SRGNNFast: SessionTrainer
    assert hasattr(trainer, "train_epoch_seconds")  # timing and train_budget_s


def test_objective_function_on_a_plugin_model():
    from recbole.quick_start import objective_function

    out = objective_function(config_dict={**_config_dict("ShallowItem"), "model": "ShallowItem",
                                          "dataset": "ml-100k"})
    assert "recall@10" in out["test_result"]


def test_run_recboles_on_a_plugin_model_under_gloo():
    from recbole.quick_start import run_recboles

    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        port = sock.getsockname()[1]
    ddp = {"world_size": 1, "nproc": 1, "offset": 0, "ip": "localhost", "port": port}
    run_recboles(0, "ShallowItem", "ml-100k", None, {"config_dict": {**_config_dict("ShallowItem"), **ddp}})
    assert not torch.distributed.is_initialized()
    assert list(Path("saved").glob("ShallowItem-*.pth"))


def test_lr_decay_and_train_budget_apply_through_recboles_api():
    from recbole.quick_start import run_recbole

    cfg = _config_dict("ShallowItem", epochs=3, lr_decay=0.5, learning_rate=0.01, train_budget_s=0.0)
    result = run_recbole(model="ShallowItem", dataset="ml-100k", config_dict=cfg)
    assert result["best_valid_result"]  # the budget (0 s) stops after the first epoch
    from recbole.data import create_dataset, data_preparation
    from recbole.utils import get_trainer

    config = Config(model="ShallowItem", dataset="ml-100k", config_dict=cfg)
    train, valid, _ = data_preparation(config, create_dataset(config))
    trainer = get_trainer(config["MODEL_TYPE"], "ShallowItem")(config, recbole_ctx.get_model("ShallowItem")(
        config, train._dataset))
    trainer.fit(train, valid, saved=False)
    assert len(trainer.train_epoch_seconds) == 1  # train_budget_s: 0 stops after one epoch
    assert trainer.optimizer.param_groups[0]["lr"] == pytest.approx(0.01 * 0.5)  # lr_decay for epoch 1


def test_a_plain_recbole_trainer_warns_about_the_plugin_options_it_ignores():
    from recbole.data import create_dataset, data_preparation
    from recbole.trainer import Trainer

    config = Config(model="ShallowItem", dataset="ml-100k", config_dict=_config_dict("ShallowItem", lr_decay=0.5))
    train, valid, _ = data_preparation(config, create_dataset(config))
    trainer = Trainer(config, recbole_ctx.get_model("ShallowItem")(config, train._dataset))
    with pytest.warns(PluginOptionIgnoredWarning, match="lr_decay = 0.5 is ignored by Trainer"):
        trainer.fit(train, valid, saved=False)


def test_temporal_task_through_recboles_api(tmp_path):
    from recbole.data import create_dataset, data_preparation
    from recbole.trainer import Trainer
    from recbole.utils import get_trainer

    from recbole_ctx.data import TemporalDataset

    cfg = {**tiny_dataset(tmp_path), **SMALL["ShallowItem"], "num_classes": 4, "epochs": 1, "valid_metric": "NDCG@5",
           "show_progress": False}
    config = Config(model="ShallowItem", dataset="tiny-temporal", config_dict=cfg)
    dataset = create_dataset(config)
    assert isinstance(dataset, TemporalDataset)
    train, valid, test = data_preparation(config, dataset)
    model = recbole_ctx.get_model("ShallowItem")(config, train._dataset)
    trainer = get_trainer(config["MODEL_TYPE"], "ShallowItem")(config, model)
    trainer.fit(train, valid, saved=False)
    assert "map@3" in trainer.evaluate(test, load_best_model=False)  # the task's eval_k, RelBench's protocol
    with pytest.raises(ValueError, match="val_timestamp is set"):
        Trainer(config, model).fit(train, valid, saved=False)


def test_a_builtin_through_recboles_api_gets_the_temporal_protocol_and_plugin_options(tmp_path):
    from recbole.data import create_dataset, data_preparation
    from recbole.trainer import Trainer
    from recbole.utils import get_trainer

    cfg = {**tiny_dataset(tmp_path), "embedding_size": 8, "epochs": 2, "valid_metric": "NDCG@5",
           "show_progress": False, "lr_decay": 0.5}
    config = Config(model="BPR", dataset="tiny-temporal", config_dict=cfg)
    train, valid, test = data_preparation(config, create_dataset(config))
    trainer_cls = get_trainer(config["MODEL_TYPE"], "BPR")
    assert issubclass(trainer_cls, Trainer)
    trainer = trainer_cls(config, recbole_ctx.get_model("BPR")(config, train._dataset))
    trainer.fit(train, valid, saved=False)
    assert trainer.protocol.name == "temporal" and "map@3" in trainer.evaluate(test, load_best_model=False)
    assert trainer.optimizer.param_groups[0]["lr"] == pytest.approx(config["learning_rate"] * 0.5 ** 2)
    plain = Config(model="BPR", dataset="ml-100k", config_dict=QUIET)
    assert type(get_trainer(plain["MODEL_TYPE"], "BPR")(plain, recbole_ctx.get_model("BPR")(
        plain, data_preparation(plain, create_dataset(plain))[0]._dataset))).__mro__[1] is Trainer  # RecBole's own
