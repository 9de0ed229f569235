"""RecBole's ``Config(model=<plugin model>)`` loads the plugin's ``configs/model/<Name>.yaml``."""
from __future__ import annotations

import os
from pathlib import Path

_original_load_internal = None
_original_update_internal = None


def _recbole_overall_yaml() -> str:
    import recbole.config.configurator as configurator

    return os.path.realpath(os.path.join(os.path.dirname(configurator.__file__), "../properties/overall.yaml"))


def plugin_model_yaml(model: str) -> Path | None:
    """``CONFIG_DIR/model/<model>.yaml`` for a registered plugin model, if the file exists."""
    from recbole_ctx.utils.paths import CONFIG_DIR
    from recbole_ctx.utils.registry import plugin_models

    if model not in plugin_models():
        return None
    path = Path(CONFIG_DIR) / "model" / f"{model}.yaml"
    return path if path.is_file() else None


def load_internal_config_dict(self, model, model_class, dataset) -> None:
    """Wraps ``Config._load_internal_config_dict`` (configurator.py:238-318).

    Upstream reads a model's defaults from ``recbole/properties/model/<model>.yaml``
    only, so plugin models got none.  The plugin's yaml is read at that same place in
    the order (after ``overall.yaml``, before the sample/dataset property files and
    before every user file and ``config_dict``), via ``update_internal_config_dict``.
    """
    self._plugin_model_yaml = plugin_model_yaml(model)
    try:
        _original_load_internal(self, model, model_class, dataset)
    finally:
        del self._plugin_model_yaml


def update_internal_config_dict(self, file):
    """Wraps ``Config._update_internal_config_dict``: right after RecBole's
    ``overall.yaml``, the plugin model's yaml (where RecBole's own model yaml goes)."""
    loaded = _original_update_internal(self, file)
    plugin_yaml = getattr(self, "_plugin_model_yaml", None)
    if plugin_yaml is not None and os.path.realpath(file) == _recbole_overall_yaml():
        _original_update_internal(self, str(plugin_yaml))
    return loaded


def apply() -> None:
    global _original_load_internal, _original_update_internal
    from recbole.config.configurator import Config

    if _original_load_internal is None:
        _original_load_internal = Config._load_internal_config_dict
        _original_update_internal = Config._update_internal_config_dict
    Config._load_internal_config_dict = load_internal_config_dict
    Config._update_internal_config_dict = update_internal_config_dict
