"""``recbole.utils.utils.ensure_dir`` (utils.py:44) races between DDP ranks.

It checks ``os.path.exists`` and then calls ``os.makedirs``: two ranks that start
together (``run_recbole --nproc=2``) both see a missing ``log/<Model>`` or checkpoint
folder, and the second ``makedirs`` raises ``FileExistsError``, killing that rank.
"""
from __future__ import annotations

import importlib
import os

# Every module that binds the name at import (``from recbole.utils import ensure_dir``).
_BINDERS = ("recbole.utils.utils", "recbole.utils", "recbole.utils.logger", "recbole.data.utils",
            "recbole.data.dataset.dataset", "recbole.trainer.trainer")


def ensure_dir(dir_path: str) -> None:
    """Create ``dir_path`` (and its parents) unless it exists; safe when another process
    creates it at the same moment."""
    os.makedirs(dir_path, exist_ok=True)


def apply() -> None:
    for name in _BINDERS:
        module = importlib.import_module(name)
        if hasattr(module, "ensure_dir"):
            module.ensure_dir = ensure_dir
