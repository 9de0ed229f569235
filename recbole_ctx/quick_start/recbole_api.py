"""RecBole's own entry points run plugin models and options as the plugin's ``run_recbole`` does.

After ``import recbole_ctx``, code written against RecBole's API --
``recbole.quick_start.run_recbole`` / ``run_recboles`` / ``objective_function``, or a
user's own ``Config`` + ``create_dataset`` + ``data_preparation`` + ``get_trainer`` --
gets the plugin's protocol (:class:`recbole_ctx.protocol.Protocol`):

* ``recbole.utils.get_trainer(model_type, model)`` returns RecBole's class, routed
  (:func:`routed`): constructed for a plugin model, or for a built-in on a temporal task
  or with a plugin trainer option set (:data:`TRAINER_KEYS`), it builds the protocol's
  trainer (the plugin's own trainer class, ``lr_dc`` / ``lr_decay`` schedules,
  ``train_budget_s``, ``fast_eval``, temporal evaluation); otherwise RecBole's trainer.
* ``recbole.data.create_dataset`` / ``data_preparation`` build a temporal task's
  ``TemporalDataset`` and its (user, T) loaders when the config has ``val_timestamp``.
* A RecBole trainer built any other way (``recbole.trainer.Trainer(config, model)``)
  cannot apply the plugin's trainer options: its ``fit`` warns naming each one that is
  set, and refuses a temporal task, whose evaluation RecBole's loop cannot run.

RecBole's ``quick_start`` binds these names when it is imported, so :func:`install`
runs when ``recbole`` is first imported, before that (``recbole_ctx/__init__.py``).
"""
from __future__ import annotations

import functools
import sys
import warnings
from typing import Any, Callable

from recbole_ctx.data.temporal_task import is_temporal

# Plugin options that only the protocol's trainer applies (beyond val_timestamp).
TRAINER_KEYS = ("lr_decay", "lr_dc", "lr_dc_step", "train_budget_s", "fast_eval")


USE_PROTOCOL_TRAINER = ("build the trainer with recbole.utils.get_trainer(config['MODEL_TYPE'], config['model'])"
                        "(config, model) after `import recbole_ctx`, or run recbole_ctx.quick_start.run_recbole")


class PluginOptionIgnoredWarning(UserWarning):
    """A plugin option is set but the trainer in use cannot apply it."""


def set_keys(config: Any, keys: tuple[str, ...] = TRAINER_KEYS) -> list[str]:
    """The keys of ``keys`` that ``config`` sets to something other than None / False."""
    return [key for key in keys if key in config and config[key] not in (None, False)]


def uses_protocol(config: Any) -> bool:
    """A built-in's run needs the protocol's trainer: a temporal task or a plugin trainer option."""
    return is_temporal(config) or bool(set_keys(config))


@functools.cache
def routed(trainer_cls: type, plugin_model: bool) -> type:
    """``trainer_cls``, except that constructing it builds the protocol's trainer instead when
    the run needs one (always for plugin models; see :func:`uses_protocol` for built-ins).

    A subclass, so ``issubclass`` checks on what ``get_trainer`` returns still hold; the
    protocol's trainer is itself a subclass of the model's trainer class.
    """

    def __new__(cls, config: Any, model: Any) -> Any:
        if plugin_model or uses_protocol(config):
            from recbole_ctx.protocol import Protocol

            return Protocol.resolve(config).trainer(config, model)  # not a cls: __init__ is skipped
        return super(routed_cls, cls).__new__(cls)

    routed_cls = type(trainer_cls.__name__, (trainer_cls,),
                      {"__new__": __new__, "__module__": __name__, "__qualname__": trainer_cls.__qualname__})
    return routed_cls


def _wrap_get_trainer(original: Callable[..., type]) -> Callable[..., type]:
    def get_trainer(model_type: Any, model_name: str) -> type:
        """RecBole's ``get_trainer``, :func:`routed` to the protocol's trainer where the run needs it."""
        from recbole_ctx.utils.registry import plugin_models

        return routed(original(model_type, model_name), model_name in plugin_models())

    get_trainer._recbole_ctx = True
    return get_trainer


def _wrap_create_dataset(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def create_dataset(config: Any) -> Any:
        """RecBole's ``create_dataset``; a temporal task's ``TemporalDataset`` when ``val_timestamp`` is set."""
        if not is_temporal(config):
            return original(config)
        from recbole_ctx.protocol import Protocol

        return Protocol.resolve(config).temporal_dataset(config)

    return create_dataset


def _wrap_data_preparation(original: Callable[..., Any]) -> Callable[..., Any]:
    def data_preparation(config: Any, dataset: Any) -> Any:
        """RecBole's ``data_preparation``; the (user, T) loaders for a ``TemporalDataset``."""
        from recbole_ctx.data import TemporalDataset

        if not isinstance(dataset, TemporalDataset):
            if is_temporal(config):
                raise ValueError(f"val_timestamp is set (a temporal task) but the dataset is a "
                                 f"{type(dataset).__name__}: build it with recbole.data.create_dataset "
                                 "after `import recbole_ctx`")
            return original(config, dataset)
        from recbole_ctx.protocol import Protocol

        return Protocol.resolve(config).temporal_loaders(config, dataset)

    return data_preparation


def _check_fit(original_fit: Callable[..., Any]) -> Callable[..., Any]:
    def fit(self, *args: Any, **kwargs: Any) -> Any:
        if getattr(self, "protocol", None) is None:  # not built by Protocol.trainer
            if is_temporal(self.config):
                raise ValueError(f"val_timestamp is set (a temporal task), which {type(self).__name__} cannot "
                                 f"evaluate: {USE_PROTOCOL_TRAINER}")
            for key in set_keys(self.config):
                warnings.warn(f"{key} = {self.config[key]!r} is ignored by {type(self).__name__}: "
                              f"{USE_PROTOCOL_TRAINER}", PluginOptionIgnoredWarning, stacklevel=2)
        return original_fit(self, *args, **kwargs)

    fit._recbole_ctx = True
    return fit


def install() -> None:
    """Wrap RecBole's entry points (idempotent)."""
    import recbole.data
    import recbole.utils
    from recbole.trainer import Trainer

    if getattr(recbole.utils.get_trainer, "_recbole_ctx", False):
        return
    # recbole.utils.utils.get_trainer stays RecBole's: the plugin's registry resolves classes with it.
    replacements = {"get_trainer": _wrap_get_trainer(recbole.utils.get_trainer),
                    "create_dataset": _wrap_create_dataset(recbole.data.create_dataset),
                    "data_preparation": _wrap_data_preparation(recbole.data.data_preparation)}
    recbole.utils.get_trainer = replacements["get_trainer"]
    recbole.data.create_dataset = replacements["create_dataset"]
    recbole.data.data_preparation = replacements["data_preparation"]
    quick_start = sys.modules.get("recbole.quick_start.quick_start")
    if quick_start is not None:  # imported before the plugin: rebind its names too
        for name, function in replacements.items():
            setattr(quick_start, name, function)
    Trainer.fit = _check_fit(Trainer.fit)
