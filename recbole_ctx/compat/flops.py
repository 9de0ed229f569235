"""RecBole's FLOPs count skips models that read batches RecBole cannot build.

``recbole.quick_start.run_recbole`` (quick_start.py:141) profiles every model with
``get_flops`` (utils.py:261-347): one ``model.predict`` call on a plain
``Interaction`` of the dataset's first row.  A model whose batches carry more than an
``Interaction`` (a plugin's sampled subgraphs) cannot be called that way, and the
whole run ended in a ``TypeError`` before training.  Such a model says so with the
class attribute ``reads_subgraphs = True`` (duck-typed here: compat knows RecBole, not
the plugin); its FLOPs are reported as not counted (``nan``) and the run goes on.
Every other model is profiled by RecBole's own function, unchanged.
"""
from __future__ import annotations

import sys
from typing import Any

_original_get_flops = None


def get_flops(model: Any, dataset: Any, device: Any, logger: Any, transform: Any, verbose: bool = False) -> float:
    """Wraps ``recbole.utils.get_flops``: ``nan`` for models with ``reads_subgraphs``."""
    if getattr(type(model), "reads_subgraphs", False):
        logger.info(f"FLOPs not counted for {type(model).__name__}: it reads sampled subgraph batches, "
                    "which RecBole's one-Interaction profile cannot build")
        return float("nan")
    return _original_get_flops(model, dataset, device, logger, transform, verbose)


def apply() -> None:
    global _original_get_flops
    import recbole.utils as utils

    if _original_get_flops is None:
        _original_get_flops = utils.get_flops
    utils.get_flops = get_flops
    # recbole.quick_start binds the name at import; rebind it if it is already loaded.
    quick_start = sys.modules.get("recbole.quick_start.quick_start")
    if quick_start is not None:
        quick_start.get_flops = get_flops
