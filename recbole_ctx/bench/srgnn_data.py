"""``bench srgnn``'s datasets: Diginetica's SR-GNN pickles and ml-100k as sessions, written
by the session converter (:mod:`dataset_converters.sessions`: prefix augmentation, a seeded
hold-out of whole training sessions), and the RecBole config every model reads them with."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch

from dataset_converters import ragged, sessions
from dataset_converters.validation import check_validation, validation_keys

# ml-100k's users are long sessions (median 65 ratings): most inputs fill all 50 slots.
# (RecBole reads a dataset named "ml-100k" from its own copy, hence the other name.)
ML100K = "ml-100k-sessions"
# Per dataset: the input lists' length cap (MAX_ITEM_LIST_LENGTH).
MAX_LENS = {"diginetica": sessions.DIGINETICA_MAX_LEN, ML100K: 50}


def _first(examples: sessions.Examples, count: int | None, by_session: bool) -> sessions.Examples:
    """The examples of the first ``count`` sessions (``by_session``) or the first ``count``
    examples; all of them for ``None``."""
    if count is None:
        return examples
    if by_session:
        return examples.select(examples.session.isin(examples.session.unique()[:count]).to_numpy())
    return examples.select(np.arange(len(examples.target)) < count)


def _write(out_root: Path, name: str, train: sessions.Examples, test: sessions.Examples, valid_ratio: float,
           seed: int, source: str) -> str:
    """Hold ``valid_ratio`` of the training sessions out and write ``out_root/name/``; returns ``name``."""
    train, valid = train.hold_out_sessions(valid_ratio, seed)
    sessions.write_dataset(out_root / name, train, valid, test, MAX_LENS[name],
                           {"source": source, **validation_keys("holdout", valid_ratio, seed)})
    return name


def write_diginetica(source: Path, out_root: Path, train_sessions: int | None, test_examples: int | None,
                     valid_ratio: float, seed: int) -> str:
    """Write ``out_root/diginetica/diginetica.{train,valid,test}.inter`` from SR-GNN pickles.

    ``train_sessions`` / ``test_examples`` keep only the first N (None: all). Returns the
    dataset name. Training sessions are prefix-augmented as in SR-GNN's preprocessing.
    """
    check_validation(source, "holdout", valid_ratio)
    train, test = sessions.from_pickles(source, MAX_LENS["diginetica"])
    return _write(out_root, "diginetica", _first(train, train_sessions, by_session=True),
                  _first(test, test_examples, by_session=False), valid_ratio, seed, "pickle")


def write_ml100k(out_root: Path, users: int | None, valid_ratio: float, seed: int) -> str:
    """ml-100k (the copy inside the recbole wheel) as sessions: each user's ratings in time
    order (ties by file order) is one session; its last item is the test target (given the
    rest), the rest trains.  ``users`` keeps the first N users (None: all).  Returns the
    dataset name."""
    import recbole

    path = Path(recbole.__file__).parent / "dataset_example" / "ml-100k" / "ml-100k.inter"
    check_validation(path, "holdout", valid_ratio)
    inter = pd.read_csv(path, sep="\t", usecols=["user_id:token", "item_id:token", "timestamp:float"])
    inter = inter.sort_values(["user_id:token", "timestamp:float"], kind="stable")
    histories = [g.tolist() for _, g in inter.groupby("user_id:token", sort=True)["item_id:token"]][:users]
    values, offsets = ragged.from_lists([h[:-1] for h in histories])
    train = sessions.augmented(values, offsets, np.arange(len(histories)), MAX_LENS[ML100K])
    test = sessions.given_examples([h[:-1] for h in histories], [h[-1] for h in histories], path, "test-",
                                   MAX_LENS[ML100K])
    return _write(out_root, ML100K, train, test, valid_ratio, seed, "ml-100k")


def recbole_config(model: str, data_path: Path, dataset: str, device: str, overrides: dict):
    """RecBole ``Config`` for ``model`` on the pre-augmented session files."""
    from recbole.config import Config

    import recbole_ctx  # noqa: F401  (registers SRGNNFast)
    from recbole_ctx.utils.paths import CONFIG_DIR

    model_yaml = CONFIG_DIR / "model" / f"{model}.yaml"
    config_dict = {
        "data_path": str(data_path), "benchmark_filename": ["train", "valid", "test"],
        "USER_ID_FIELD": "session_id", "ITEM_ID_FIELD": "item_id",
        "load_col": {"inter": list(sessions.FIELDS)}, "alias_of_item_id": ["item_id_list"],
        "MAX_ITEM_LIST_LENGTH": MAX_LENS.get(dataset, sessions.DIGINETICA_MAX_LEN),
        "eval_args": {"split": {"RS": [0.8, 0.1, 0.1]}, "order": "TO", "mode": "full"},
        "metrics": ["Hit", "MRR"], "topk": [20], "valid_metric": "MRR@20",
        # One embedding size for every model (SRGNNFast's default; RecBole's SRGNN's own is
        # 64): the per-node products grow with its square, so unequal sizes compare work.
        "embedding_size": 100, "hidden_size": 100, "loss_type": "CE", "step": 1,
        "train_neg_sample_args": None, "train_batch_size": 100, "eval_batch_size": 2048,
        "learning_rate": 0.001, "weight_decay": 1e-5, "lr_dc": 0.1, "lr_dc_step": 3, "show_progress": False,
        "device": device, "use_gpu": device != "cpu", "state": "WARNING",
        "reproducibility": False, **overrides,
    }
    files = [str(model_yaml)] if model_yaml.exists() else []
    config = Config(model=model, dataset=dataset, config_file_list=files, config_dict=config_dict)
    # Importing RecBole's sequential models runs SINE's module-level
    # torch.autograd.set_detect_anomaly(True), which checks every backward output for
    # NaN and slows all models' training; no model here needs it.
    torch.autograd.set_detect_anomaly(False)
    return config
