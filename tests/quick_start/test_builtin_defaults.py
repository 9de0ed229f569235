"""Every general and sequential built-in of RecBole 1.2.1 builds and trains one batch through
the command line's config path (``build_config``: project defaults, no per-model yaml) with
RecBole's defaults: a CE-loss model gets no training negatives (``compat.ce_negatives``).
Models whose optional packages are not installed are skipped, naming the package."""
import importlib
import math
import pkgutil

import pytest

import recbole_ctx  # noqa: F401
from fixtures.tiny_recbole import write_tiny_dataset
from recbole_ctx.protocol import Protocol
from recbole_ctx.quick_start import build_config

# One batch on the tiny data; small widths and short sequences (the check is that it runs).
RUN = {"epochs": 1, "train_batch_size": 4096, "show_progress": False, "state": "ERROR"}
SMALL = {"embedding_size": 8, "hidden_size": 8, "inner_size": 16, "n_layers": 1, "n_heads": 1,
         "MAX_ITEM_LIST_LENGTH": 8}
# Data these models read beyond .inter, which no default can supply.
NEEDS_DATA = {
    "gru4reckg": "pretrained entity vectors (.ent) and a KG-to-item link file named in its config",
    "ksr": "pretrained entity and relation vectors (.ent, .rel) named in its config",
}
# Optional packages some built-ins import only once training starts.
OPTIONAL_PACKAGES = {"faiss", "dgl", "torch_scatter"}
# Their shapes are tied to the default widths (fixed layer sizes).
OWN_WIDTHS = {"gru4reccpr", "sasreccpr", "fearec"}
# Reranker candidates per partition must be fewer than the tiny data's 30 items.
TINY_DATA = {"gru4reccpr": {"reranker_CAN_NUM": 20}, "sasreccpr": {"reranker_CAN_NUM": 20},
             "dgcf": {"train_batch_size": 128}}  # dgcf.py:50 samples max(users, items) / batches ids of each


def _modules(package: str) -> list[str]:
    path = importlib.import_module(f"recbole.model.{package}").__path__
    return [info.name for info in pkgutil.iter_modules(path)]


def _model_name(module_name: str, package: str = "sequential_recommender") -> str:
    try:
        module = importlib.import_module(f"recbole.model.{package}.{module_name}")
    except ImportError as err:
        if err.name not in OPTIONAL_PACKAGES:
            raise
        pytest.skip(f"needs the optional package {err.name!r}")
    [name] = [k for k, v in vars(module).items() if k.lower() == module_name and isinstance(v, type)]
    return name


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return {**write_tiny_dataset(tmp_path_factory.mktemp("data")),
            "checkpoint_dir": str(tmp_path_factory.mktemp("saved"))}


@pytest.mark.parametrize("module_name", _modules("sequential_recommender"))
def test_sequential_builtin_trains_one_batch_with_defaults(module_name, tiny):
    if module_name in NEEDS_DATA:
        pytest.skip(f"reads {NEEDS_DATA[module_name]}")
    name = _model_name(module_name)
    widths = {} if module_name in OWN_WIDTHS else SMALL
    config = build_config(name, tiny["dataset"],
                          config_dict={**tiny, **RUN, **widths, **TINY_DATA.get(module_name, {})})
    assert "train_neg_sample_args" not in config.external_config_dict  # RecBole's own default applies
    _train_one_epoch(name, config)


@pytest.mark.parametrize("module_name", _modules("general_recommender"))
def test_general_builtin_trains_one_batch_with_defaults(module_name, tiny):
    name = _model_name(module_name, "general_recommender")
    config = build_config(name, tiny["dataset"], config_dict={**tiny, **RUN, **TINY_DATA.get(module_name, {})})
    # fit, as run_recbole does: some general trainers work outside _train_epoch (NCL's e-step).
    _train_one_epoch(name, config, fit=True)


def _train_one_epoch(name: str, config, fit: bool = False) -> None:
    protocol = Protocol.resolve(config)
    data = protocol.create_data(config)
    model = recbole_ctx.get_model(name)(config, data.train._dataset).to(config["device"])
    trainer = protocol.trainer(config, model)
    if fit:
        try:
            trainer.fit(data.train, data.valid, saved=False, show_progress=False)
        except ModuleNotFoundError as err:  # imported only when training starts (NCL: faiss)
            if err.name not in OPTIONAL_PACKAGES:
                raise
            pytest.skip(f"needs the optional package {err.name!r}")
        result = trainer.evaluate(data.test, load_best_model=False, show_progress=False)
        assert result and all(math.isfinite(float(v)) for v in result.values())
        return
    loss = trainer._train_epoch(data.train, 0, show_progress=False)
    total = sum(loss) if isinstance(loss, tuple) else loss
    assert math.isfinite(float(total))
