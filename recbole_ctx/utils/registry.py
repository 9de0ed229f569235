"""Name -> class registry for plugin models and trainers.

RecBole's ``recbole.utils.get_model`` is imported by name into several modules
(``Config``, ``quick_start``, ...), so replacing it would need monkeypatching in
many places.  Instead each plugin model is made importable at the module path
that ``get_model`` probes (``recbole.model.<type>_recommender.<lowercase name>``)
through a meta-path finder that aliases the plugin's own module.  Every route --
``run_recbole``, ``recbole_ctx.get_model`` and RecBole's ``Config(model=NAME)`` --
then resolves plugin names first, without touching RecBole's files.
"""
from __future__ import annotations

import ast
import difflib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from recbole.utils import ModelType

# Keyed by ModelType member name: importing this module must not import recbole, whose
# import runs recbole-ctx's set-up (see recbole_ctx/__init__.py), which registers here.
_SUBMODULE_OF_TYPE = {
    "GENERAL": "general_recommender",
    "SEQUENTIAL": "sequential_recommender",
    "CONTEXT": "context_aware_recommender",
    "KNOWLEDGE": "knowledge_aware_recommender",
}
_BUILTIN_SUBMODULES = (
    "general_recommender",
    "context_aware_recommender",
    "sequential_recommender",
    "knowledge_aware_recommender",
)


@dataclass(frozen=True)
class PluginModel:
    """Where a plugin model lives; imported lazily so ``import recbole_ctx`` stays light."""

    name: str
    module: str
    model_type: ModelType
    trainer: str | None = None  # "module:Class" of a dedicated trainer, if any

    @property
    def recbole_module_path(self) -> str:
        return f"recbole.model.{_SUBMODULE_OF_TYPE[self.model_type.name]}.{self.name.lower()}"


_MODELS: dict[str, PluginModel] = {}


def register_model(
    name: str, module: str, model_type: ModelType, trainer: str | None = None
) -> None:
    """Register plugin model ``name`` whose class of that name lives in ``module``."""
    _MODELS[name] = PluginModel(name, module, model_type, trainer)


def _set_up() -> None:
    """Make sure recbole is imported, which (through recbole_ctx's hook) registers the plugin models."""
    import recbole  # noqa: F401


def plugin_models() -> dict[str, PluginModel]:
    _set_up()
    return dict(_MODELS)


def reads_subgraphs(model_name: str) -> bool:
    """Whether plugin or RecBole model ``model_name`` reads batches with sampled subgraphs."""
    return model_name in plugin_models() and bool(getattr(get_model(model_name), "reads_subgraphs", False))


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(self.target)

    def exec_module(self, module: ModuleType) -> None:
        """The aliased module is already executed by ``create_module``."""


class PluginModelFinder(importlib.abc.MetaPathFinder):
    """Answers ``recbole.model.<type>_recommender.<name>`` for registered plugin models."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith("recbole.model."):
            return None
        for entry in _MODELS.values():
            if entry.recbole_module_path == fullname:
                return importlib.machinery.ModuleSpec(fullname, _AliasLoader(entry.module))
        return None


def install_finder() -> None:
    if not any(isinstance(f, PluginModelFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, PluginModelFinder())


def builtin_models_by_submodule() -> dict[str, list[str]]:
    """Class names of RecBole's built-in models per ``recbole.model`` sub-package, read from
    its ``__init__`` files (``from ...bpr import BPR``): nothing is imported."""
    import importlib.util

    root = Path(importlib.util.find_spec("recbole.model").submodule_search_locations[0])
    found = {}
    for sub in _BUILTIN_SUBMODULES:
        tree = ast.parse((root / sub / "__init__.py").read_text(encoding="utf-8"))
        found[sub] = sorted({alias.name for node in tree.body if isinstance(node, ast.ImportFrom)
                             for alias in node.names})
    return found


def builtin_model_names() -> list[str]:
    """Class names of RecBole's built-in models (see :func:`builtin_models_by_submodule`)."""
    return sorted({name for names in builtin_models_by_submodule().values() for name in names})


def available_models() -> list[str]:
    _set_up()
    return sorted(_MODELS) + builtin_model_names()


def canonical_model_name(name: str) -> str:
    """The registered spelling of model ``name``, matched case-insensitively (``lightgcn`` -> ``LightGCN``).

    Raises ``ValueError`` naming the closest names and the plugin models.
    """
    _set_up()
    names = list(_MODELS) + builtin_model_names()
    if name in names:
        return name
    by_lower = {n.lower(): n for n in names}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.6)
    hint = f" Did you mean {' or '.join(repr(by_lower[c]) for c in close)}?" if close else ""
    # The closest names and the plugin's own, not all ~90: `recbole-ctx models` lists every one.
    raise ValueError(
        f"Unknown model {name!r}.{hint} Plugin models: {', '.join(sorted(_MODELS)) or '-'}; "
        f"`recbole-ctx models` lists all {len(names)} (names match in any case)."
    )


def get_model(name: str) -> type:
    """Resolve a model class by name, in any case: plugin models first, then RecBole's built-ins.

    Raises ``ValueError`` with the closest names when ``name`` is
    unknown (RecBole's own lookup would instead fail on a missing optional ``lightgbm``).
    """
    if name.lower() in {"xgboost", "lightgbm"}:  # RecBole's optional external-library models
        canonical = {"xgboost": "XGBoost", "lightgbm": "LightGBM"}[name.lower()]
        return getattr(importlib.import_module(f"recbole.model.exlib_recommender.{name.lower()}"), canonical)
    name = canonical_model_name(name)
    if name in _MODELS:
        return getattr(importlib.import_module(_MODELS[name].module), name)
    for sub in _BUILTIN_SUBMODULES:
        module_path = f"recbole.model.{sub}.{name.lower()}"
        if importlib.util.find_spec(module_path) is not None:
            module = importlib.import_module(module_path)
            if hasattr(module, name):
                return getattr(module, name)
    raise ValueError(f"model {name!r} is listed by RecBole but its module recbole.model.*.{name.lower()} was not found")


def get_trainer(model_type: ModelType, name: str) -> type:
    """Resolve the trainer: a plugin model's own trainer first, then RecBole's rules."""
    _set_up()
    entry = _MODELS.get(name)
    if entry is not None and entry.trainer is not None:
        module, cls = entry.trainer.split(":")
        return getattr(importlib.import_module(module), cls)
    # recbole.utils.utils's, not recbole.utils's: recbole_ctx wraps the latter for plugin models.
    from recbole.utils.utils import get_trainer as recbole_get_trainer

    return recbole_get_trainer(model_type, name)
