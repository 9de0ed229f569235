"""The plugin's own config keys read with their defaults from ``configs/overall.yaml`` (their
one home).

``run_recbole`` loads that file before the user's, so there its keys are always set.  A
``Config`` built through RecBole's API (``recbole.quick_start.run_recbole``, or a user's own
``Config(model=..., dataset=...)``) reads RecBole's property files instead and lacks them;
:func:`plugin_option` then answers the file's default.  The config itself is never changed:
a key a run did not set stays unset (RecBole's trainer warns only of options a user set).
"""
from __future__ import annotations

import functools
from typing import Any

import yaml

from recbole_ctx.utils.paths import CONFIG_DIR


@functools.cache
def _overall() -> dict[str, Any]:
    return yaml.safe_load((CONFIG_DIR / "overall.yaml").read_text(encoding="utf-8")) or {}


def plugin_option(config: Any, key: str) -> Any:
    """``config[key]`` when the config (a RecBole ``Config`` or a dict) has the key, else its
    default in ``configs/overall.yaml``; KeyError for a key that file does not define."""
    return config[key] if key in config else _overall()[key]
