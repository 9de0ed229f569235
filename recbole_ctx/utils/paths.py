"""Where the default configs shipped with the package are.

A wheel installs ``configs/`` as ``recbole_ctx/configs``; a source checkout (editable
install) keeps it at the repository's top level, beside ``recbole_ctx/``.
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_INSTALLED = _PACKAGE_DIR / "configs"
CONFIG_DIR = _INSTALLED if _INSTALLED.is_dir() else _PACKAGE_DIR.parent / "configs"


def config_paths(*names: str) -> tuple[str, ...]:
    """Absolute paths of shipped config files, each name relative to ``CONFIG_DIR``: what a
    model class lists in ``config_files`` (its defaults, lowest priority first)."""
    return tuple(str(CONFIG_DIR / name) for name in names)
