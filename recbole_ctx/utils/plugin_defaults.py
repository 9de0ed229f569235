"""The defaults of the plugin's own config keys, from ``configs/overall.yaml`` (their one home).

``run_recbole`` loads that file before the user's, so its keys are always set.  A ``Config``
built through RecBole's API (``recbole.quick_start.run_recbole``, or a user's own
``Config(model=..., dataset=...)``) reads RecBole's property files instead; there
:func:`fill_plugin_defaults` adds the keys of the file that the config lacks, so code reading
them never carries a default of its own.  Keys RecBole itself sets (``metrics``, ``topk``,
``valid_metric``) are never absent, so such a run keeps RecBole's values for them.
"""
from __future__ import annotations

import functools
from typing import Any

import yaml

from recbole_ctx.utils.paths import CONFIG_DIR


@functools.cache
def _overall() -> dict[str, Any]:
    return yaml.safe_load((CONFIG_DIR / "overall.yaml").read_text(encoding="utf-8")) or {}


def fill_plugin_defaults(config: Any) -> None:
    """Set, in place, every key of ``configs/overall.yaml`` that ``config`` (a RecBole
    ``Config``) lacks to its default there."""
    for key, value in _overall().items():
        if key not in config:
            config[key] = value
