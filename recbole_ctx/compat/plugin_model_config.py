"""RecBole's ``Config(model=<model class>)`` also loads the config files the class lists.

A model class may list its default config files (absolute paths, lowest priority first) in
the class attribute ``config_files``; RecBole itself reads a model's defaults from
``recbole/properties/model/<model>.yaml`` only, so a model living outside RecBole got none.
"""
from __future__ import annotations

import os

_original_load_internal = None
_original_update_internal = None


def _recbole_overall_yaml() -> str:
    import recbole.config.configurator as configurator

    return os.path.realpath(os.path.join(os.path.dirname(configurator.__file__), "../properties/overall.yaml"))


def load_internal_config_dict(self, model, model_class, dataset) -> None:
    """Wraps ``Config._load_internal_config_dict`` (configurator.py:238-318).

    The class's ``config_files`` are read at the place of RecBole's own model yaml in the
    order (after ``overall.yaml``, before the sample/dataset property files and before
    every user file and ``config_dict``), via ``update_internal_config_dict``.
    """
    self._model_config_files = tuple(getattr(model_class, "config_files", ()))
    try:
        _original_load_internal(self, model, model_class, dataset)
    finally:
        del self._model_config_files


def update_internal_config_dict(self, file):
    """Wraps ``Config._update_internal_config_dict``: right after RecBole's
    ``overall.yaml``, the model class's ``config_files`` (where RecBole's own model yaml goes)."""
    loaded = _original_update_internal(self, file)
    if os.path.realpath(file) == _recbole_overall_yaml():
        for model_file in getattr(self, "_model_config_files", ()):
            _original_update_internal(self, model_file)
    return loaded


def apply() -> None:
    global _original_load_internal, _original_update_internal
    from recbole.config.configurator import Config

    if _original_load_internal is None:
        _original_load_internal = Config._load_internal_config_dict
        _original_update_internal = Config._update_internal_config_dict
    Config._load_internal_config_dict = load_internal_config_dict
    Config._update_internal_config_dict = update_internal_config_dict
