"""``load_data_and_model`` for plugin and built-in checkpoints, installed as RecBole's own.

RecBole's ``recbole.quick_start.load_data_and_model`` (quick_start.py:233-267) reads
``checkpoint["config"]`` as a pickled ``Config`` and builds RecBole's loaders; here the
config is rebuilt from the plain data the plugin's checkpoints hold
(``recbole_ctx.compat.weights_only_checkpoints``), the run's protocol supplies the loaders (subgraph
and temporal ones for plugin models), and every way the file can be wrong -- missing,
empty, truncated, another model's weights, a dataset that changed size since training --
is one :class:`~recbole_ctx.compat.CheckpointError` naming the file.

:func:`install` (run by the plugin's set-up, ``recbole_ctx/__init__.py``) makes this
function ``recbole.quick_start.load_data_and_model``.  Importing this module is cheap.
"""
from __future__ import annotations

from typing import Any

from recbole_ctx.compat.checkpoint_file import CheckpointError


def load_data_and_model(model_file: str) -> tuple[Any, Any, Any, Any, Any, Any]:
    """Rebuild config, model and data of a checkpoint written by a RecBole or plugin trainer.

    Returns:
        (config, model, dataset, train_data, valid_data, test_data), as upstream.

    Raises:
        CheckpointError: ``FILE: problem`` when the file cannot be loaded or does not
            fit the model and data it describes.
    """
    from logging import getLogger

    from recbole.utils import init_logger, init_seed

    from recbole_ctx.compat.checkpoint_file import load_checkpoint, load_weights
    from recbole_ctx.compat.weights_only_checkpoints import restore_config
    from recbole_ctx.protocol import Protocol
    from recbole_ctx.utils.registry import get_model

    checkpoint = load_checkpoint(model_file, keys=("config", "state_dict"))
    if not isinstance(checkpoint["config"], dict) or not {"model", "dataset"} <= set(checkpoint["config"]):
        raise CheckpointError(model_file, "not a RecBole checkpoint (its config names no model and dataset)")
    try:
        config = restore_config(checkpoint["config"])
    except ValueError as err:  # an unknown model name
        raise CheckpointError(model_file, f"written by a model that is not available here ({err})") from None
    init_seed(config["seed"], config["reproducibility"])
    init_logger(config)
    getLogger().info(config)
    try:
        data = Protocol.resolve(config).create_data(config)
    except (OSError, ValueError) as err:  # the dataset moved, or is no longer what was trained on
        raise CheckpointError(model_file, f"cannot load its dataset {config['dataset']!r} from "
                                          f"{config['data_path']} ({type(err).__name__}: {err})") from None
    init_seed(config["seed"], config["reproducibility"])
    model = get_model(config["model"])(config, data.train._dataset).to(config["device"])
    load_weights(model_file, model, checkpoint)
    return config, model, data.dataset, data.train, data.valid, data.test


def install() -> None:
    """Make :func:`load_data_and_model` RecBole's ``recbole.quick_start.load_data_and_model``."""
    from recbole_ctx.compat import recbole_quick_start

    recbole_quick_start.replace("load_data_and_model", load_data_and_model)
