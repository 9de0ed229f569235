"""Every RecBole 1.2.1 model (general, sequential, context-aware, knowledge-based) is
built, trained for one batch, saved, reloaded by RecBole's trainer (``weights_only``)
and evaluated once on a tiny dataset under the compat layer: a breakage anywhere in RecBole on today's stack shows as a failing parameter.
Models whose optional packages are not installed are skipped, naming the package."""
import importlib

import pytest

import recbole_ctx  # noqa: F401
from fixtures.tiny_recbole import write_tiny_dataset
from recbole.config import Config
from recbole.data import create_dataset, data_preparation
from recbole.utils import get_trainer, init_seed
from recbole_ctx.utils.registry import _BUILTIN_SUBMODULES

# One batch per epoch on the tiny data (a few hundred interactions), one epoch.
BASE = {"epochs": 1, "train_batch_size": 4096, "eval_batch_size": 4096, "show_progress": False,
        "state": "ERROR", "stopping_step": 1}
# Small widths and short sequences: the sweep checks that the code runs, not quality.
SMALL = {"embedding_size": 8, "hidden_size": 8, "inner_size": 16, "n_layers": 1, "n_heads": 1,
         "MAX_ITEM_LIST_LENGTH": 8}
# Optional packages some built-ins import only once they run; any other missing module fails.
OPTIONAL_PACKAGES = {"faiss", "dgl", "torch_scatter"}
# Their shapes are tied to the defaults (conv kernels, fixed layer sizes, top-k over the width).
OWN_WIDTHS = {"ConvNCF", "DSSM", "FEARec", "GRU4RecCPR", "SASRecCPR"}
CONTEXT = {"threshold": {"rating": 4}}  # labels for the context-aware (CTR) models
# GRU4RecKG and KSR read pretrained entity vectors (.ent) over the KG; RecBole's
# sequential_embedding_model.yaml sets no leave-one-out split, which sequential data needs.
KG_SEQ = {"load_col": {"inter": ["user_id", "item_id", "rating", "timestamp"], "ent": ["ent_id", "ent_emb"],
                       "rel": ["rel_id", "rel_emb"], "kg": ["head_id", "relation_id", "tail_id"],
                       "link": ["item_id", "entity_id"]},
          "additional_feat_suffix": ["ent", "rel"], "alias_of_entity_id": ["ent_id"],
          "alias_of_relation_id": ["rel_id"], "preload_weight": {"ent_id": "ent_emb", "rel_id": "rel_emb"},
          "eval_args": {"split": {"LS": "valid_and_test"}, "order": "TO", "mode": "full"}}
# What a model needs beyond its own yaml to run one short epoch.
EXTRA = {
    "S3Rec": {"pretrain_epochs": 1, "save_step": 1},
    "RaCT": {"pretrain_epochs": 1, "save_step": 1},  # pretraining stages save every save_step epochs
    "DGCF": {"train_batch_size": 128},  # dgcf.py:50 samples max(users, items) / batches ids of each
    "GRU4RecCPR": {"reranker_CAN_NUM": 20},  # candidates per reranker partition, < items
    "SASRecCPR": {"reranker_CAN_NUM": 20},
    "GRU4RecKG": KG_SEQ,
    "KSR": {**KG_SEQ, "kg_embedding_size": 8},  # the width of the .ent/.rel vectors
}


# Failing on the tiny data for reasons not yet traced to the stack or to RecBole itself;
# strict, so a fix shows up as a failure to remove the mark.
KNOWN_FAILURES = {
    "dssm": "user tower gets 3 of its 4 feature embeddings (mat1 320x30 vs 40x256)",
    "ksr": "float32 item vectors meet the float64 preloaded .ent/.rel weights",
}


def _model_modules() -> list:
    import pkgutil

    import recbole.model as recbole_model

    root = recbole_model.__path__[0]
    return [pytest.param(sub, info.name, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[info.name])]
                         if info.name in KNOWN_FAILURES else [])
            for sub in _BUILTIN_SUBMODULES for info in pkgutil.iter_modules([f"{root}/{sub}"])]


def _model_class(sub: str, module_name: str) -> type:
    try:
        module = importlib.import_module(f"recbole.model.{sub}.{module_name}")
    except ImportError as err:  # only optional third-party packages may be missing
        if err.name not in OPTIONAL_PACKAGES:
            raise
        pytest.skip(f"needs the optional package {err.name!r}")
    [cls] = [v for k, v in vars(module).items() if k.lower() == module_name and isinstance(v, type)]
    return cls


def _config_dict(cls: type, tiny: dict) -> dict:
    from recbole.utils import ModelType

    extra = {} if cls.__name__ in OWN_WIDTHS else dict(SMALL)
    if cls.type == ModelType.CONTEXT:
        extra.update(CONTEXT)
    return {**tiny, **BASE, **extra, **EXTRA.get(cls.__name__, {})}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    # checkpoints in a folder of the test's own (RaCT and others load them back by name)
    return {**write_tiny_dataset(tmp_path_factory.mktemp("data")),
            "checkpoint_dir": str(tmp_path_factory.mktemp("saved"))}


@pytest.mark.parametrize(("sub", "module_name"), _model_modules(), ids=lambda v: v)
def test_model_trains_one_batch_and_evaluates(sub, module_name, tiny):
    cls = _model_class(sub, module_name)
    config = Config(model=cls.__name__, dataset=tiny["dataset"], config_dict=_config_dict(cls, tiny))
    init_seed(config["seed"], config["reproducibility"])
    train, valid, test = data_preparation(config, create_dataset(config))
    try:
        model = cls(config, train._dataset).to(config["device"])
        trainer = get_trainer(config["MODEL_TYPE"], config["model"])(config, model)
        trainer.fit(train, valid, saved=True)
        # RecBole's own weights-only reload of the checkpoint it just wrote (other_parameter too)
        result = trainer.evaluate(test, load_best_model=True)
    except ModuleNotFoundError as err:  # an optional package imported on first use (faiss, dgl)
        if err.name not in OPTIONAL_PACKAGES:
            raise
        pytest.skip(f"needs the optional package {err.name!r}")
    assert result and all(v == v for v in result.values()), result  # no NaN metric
