"""Train and evaluate one model on one dataset, RecBole-style, for built-in and plugin models.

Mirrors ``recbole.quick_start.run`` / ``run_recbole`` with three differences:
plugin models and trainers are resolved first (``recbole_ctx.get_model``), the
project's default config files are loaded before the user's, and evaluation
uses the fast on-device full-sort path unless ``fast_eval: False``.  It never
imports ``recbole.quick_start`` (which imports ray).
"""
from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping
from logging import getLogger
from pathlib import Path
from typing import Any

from recbole.config import Config
from recbole.data.transform import construct_transform
from recbole.utils import get_environment, get_flops, init_logger, init_seed, set_color

from recbole_ctx.quick_start.dataset_sources import missing_dataset_message
from recbole_ctx.utils.paths import CONFIG_DIR
from recbole_ctx.utils.registry import canonical_model_name, get_model, plugin_models

BUNDLED_DATASETS = ("ml-100k",)


class DatasetNotFoundError(FileNotFoundError):
    """The dataset folder does not exist (RecBole would try to download it)."""


def default_config_files(model: str, dataset: str, data_path: str | None = None) -> list[str]:
    """Config files loaded before the user's, lowest priority first.

    ``configs/overall.yaml``, the files the model class lists in ``config_files``
    (``configs/shared/*.yaml`` blocks, then ``configs/model/<Model>.yaml``),
    ``configs/dataset/<dataset>.yaml`` and the ``<dataset>.yaml`` a converter wrote
    beside the atomic files.
    """
    model_files = [Path(f) for f in getattr(get_model(model), "config_files", ())]  # RecBole's models list none
    candidates = [CONFIG_DIR / "overall.yaml", *model_files, CONFIG_DIR / "dataset" / f"{dataset}.yaml"]
    if data_path is not None:
        candidates.append(Path(data_path) / f"{dataset}.yaml")
    return [str(p) for p in candidates if p.is_file()]


def _available_datasets(base: Path) -> list[str]:
    # Hidden folders are converters' staging areas (or leftovers of killed runs), never datasets.
    found = [p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")] if base.is_dir() else []
    return sorted(set(found) | set(BUNDLED_DATASETS))


def build_config(
    model: str,
    dataset: str,
    config_file_list: list[str] | None = None,
    config_dict: dict[str, Any] | None = None,
) -> Config:
    """RecBole ``Config`` with the project defaults, after checking model and dataset exist.

    Raises:
        ValueError: unknown model (the message names the closest ones).
        DatasetNotFoundError: no atomic files for the dataset (the message names the closest
            datasets found and where the data comes from).
    """
    model = canonical_model_name(model)  # a clear error for unknown names, before RecBole's misleading one
    get_model(model)
    user_files = list(config_file_list or [])
    # The probe only finds data_path; without local_rank it starts no DDP process group
    # (RecBole's Config starts one per instance, and a process may hold only one).
    probe_dict = {k: v for k, v in (config_dict or {}).items() if k != "local_rank"}
    probe = Config(model=model, dataset=dataset, config_file_list=default_config_files(model, dataset) + user_files,
                   config_dict=probe_dict)
    data_path = Path(probe["data_path"])
    if dataset not in BUNDLED_DATASETS:
        _prepare_raw_dataset(dataset, data_path)
        if not data_path.is_dir() or not any(data_path.glob("*.inter")):
            raise DatasetNotFoundError(
                missing_dataset_message(dataset, data_path, _available_datasets(data_path.parent)))
    files = default_config_files(model, dataset, str(data_path)) + user_files
    return Config(model=model, dataset=dataset, config_file_list=files, config_dict=config_dict)


def _prepare_raw_dataset(dataset: str, data_path: Path) -> None:
    """Convert raw files a user dropped into ``dataset/<name>/`` (e.g. LightGCN train/test.txt)."""
    try:
        from dataset_converters.auto import prepare_dataset
        from dataset_converters.errors import ConversionError
    except ImportError:
        return
    try:
        prepare_dataset(dataset, str(data_path))
    except ConversionError as err:
        raise DatasetNotFoundError(f"dataset {dataset!r}: {err}") from None


def run_recbole(
    model: str,
    dataset: str,
    config_file_list: list[str] | None = None,
    config_dict: dict[str, Any] | None = None,
    saved: bool = True,
    queue: Any = None,
) -> dict[str, Any]:
    """Train ``model`` on ``dataset``, evaluate on valid and test; returns RecBole's result dict."""
    from recbole_ctx.protocol import Protocol

    config = build_config(model, dataset, config_file_list, config_dict)
    protocol = Protocol.resolve(config)
    init_seed(config["seed"], config["reproducibility"])
    init_logger(config)
    logger = getLogger()
    logger.info(sys.argv)
    logger.info(config)

    data = protocol.create_data(config)
    init_seed(config["seed"] + config["local_rank"], config["reproducibility"])
    model_obj = get_model(config["model"])(config, data.train._dataset).to(config["device"])
    logger.info(model_obj)
    if config["model"] not in plugin_models():
        # RecBole's run profiles FLOPs with one forward pass, which draws from the RNG
        # (dropout); doing the same keeps built-in runs bit-identical to RecBole's.
        flops = get_flops(model_obj, data.dataset, config["device"], logger, construct_transform(config))
        logger.info(set_color("FLOPs", "blue") + f": {flops}")

    trainer = protocol.trainer(config, model_obj)
    best_valid_score, best_valid_result = trainer.fit(
        data.train, data.valid, saved=saved, show_progress=config["show_progress"]
    )
    test_result = trainer.evaluate(data.test, load_best_model=saved, show_progress=config["show_progress"])

    logger.info("The running environment of this training is as follows:\n" + get_environment(config).draw())
    logger.info(set_color("best valid ", "yellow") + f": {best_valid_result}")
    logger.info(set_color("test result", "yellow") + f": {test_result}")
    result = {
        "best_valid_score": best_valid_score,
        "valid_score_bigger": config["valid_metric_bigger"],
        "best_valid_result": best_valid_result,
        "test_result": test_result,
        "saved_model_file": getattr(trainer, "saved_model_file", None) if saved else None,
        "train_epoch_seconds": list(trainer.train_epoch_seconds),
        "valid_history": list(trainer.valid_history),
    }
    if not config["single_spec"]:
        import torch.distributed as dist

        dist.destroy_process_group()
    if config["local_rank"] == 0 and queue is not None:
        queue.put(result)
    return result


def _run_rank(rank: int, *args: Any) -> None:
    kwargs = args[-1]
    if not isinstance(kwargs, MutableMapping):
        raise ValueError(f"the last argument must be a dict of keyword arguments, got {type(kwargs)}")
    kwargs["config_dict"] = dict(kwargs.get("config_dict") or {}, local_rank=rank)
    run_recbole(*args[:3], **kwargs)


def run(
    model: str,
    dataset: str,
    config_file_list: list[str] | None = None,
    config_dict: dict[str, Any] | None = None,
    saved: bool = True,
    nproc: int = 1,
    world_size: int = -1,
    ip: str = "localhost",
    port: str = "5678",
    group_offset: int = 0,
) -> dict[str, Any] | None:
    """Single process, or RecBole's multi-GPU DDP when ``nproc > 1`` / ``world_size > 0``."""
    if nproc == 1 and world_size <= 0:
        return run_recbole(model, dataset, config_file_list, config_dict, saved)
    import torch.multiprocessing as mp

    queue = mp.get_context("spawn").SimpleQueue()
    config_dict = dict(config_dict or {})
    config_dict.update(
        {"world_size": nproc if world_size == -1 else world_size, "ip": ip, "port": port,
         "nproc": nproc, "offset": group_offset}
    )
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    mp.spawn(_run_rank, args=(model, dataset, config_file_list, {"config_dict": config_dict, "queue": queue}),
             nprocs=nproc, join=True)
    return None if queue.empty() else queue.get()
