"""Quick start: ``run_recbole`` for plugin and built-in models.

The functions load on first use, so the command line in ``quick_start.cli`` answers
``--help`` without importing torch or RecBole.
"""
from __future__ import annotations

from typing import Any

__all__ = ["build_config", "run", "run_recbole"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from recbole_ctx.quick_start import quick_start

        return getattr(quick_start, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
