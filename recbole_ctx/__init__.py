"""recbole-ctx: a RecBole plugin with ContextGNN, NBFNet, ShallowItem, a fast SR-GNN,
a temporal k-hop sampler and dataset converters.

Importing the package is cheap (no torch, no RecBole): the RecBole 1.2.1 compatibility
layer (``recbole_ctx.compat``) and the plugin model registration run right after
``recbole`` itself is imported -- at once if it already is, otherwise through an
import hook -- so ``import recbole_ctx; from recbole.config import Config`` sees both,
and the command lines answer ``--help`` without loading torch.  The public functions
(``get_model``, ...) are loaded on first use.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType

__all__ = ["get_model", "get_trainer", "register_model", "available_models", "install_finder"]
__version__ = "0.1.0"


def _on_recbole_imported() -> None:
    """Apply the compat layer and register the plugin models (idempotent)."""
    from recbole_ctx import compat

    compat.apply()
    from recbole_ctx import model  # noqa: F401  (registers the plugin models)
    from recbole_ctx.data import recbole_dataloaders
    from recbole_ctx.quick_start import loading
    from recbole_ctx.utils.registry import install_finder

    install_finder()
    recbole_dataloaders.install()  # RecBole's data_preparation: loaders that sample for subgraph models
    from recbole_ctx.quick_start import recbole_api

    recbole_api.install()  # RecBole's get_trainer / create_dataset / data_preparation: the plugin's protocol
    loading.install()  # RecBole's load_data_and_model: plugin checkpoints and loaders


class _ThenSetUp(importlib.abc.Loader):
    """Wraps recbole's own loader: executes the package, then sets recbole-ctx up on it."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        _on_recbole_imported()

    def __getattr__(self, name: str):
        return getattr(self._loader, name)  # resource readers, get_code, ... stay recbole's


class _RecBoleImportHook(importlib.abc.MetaPathFinder):
    """Finds ``recbole`` through the other finders and hands back its spec with a wrapped loader."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "recbole":
            return None
        sys.meta_path.remove(self)  # once is enough; also keeps the search below from finding us
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None:
            for finder in sys.meta_path:
                spec = finder.find_spec(fullname, path, target) if hasattr(finder, "find_spec") else None
                if spec is not None:
                    break
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _ThenSetUp(spec.loader)
        return spec


if "recbole" in sys.modules:
    _on_recbole_imported()
elif not any(isinstance(f, _RecBoleImportHook) for f in sys.meta_path):
    sys.meta_path.insert(0, _RecBoleImportHook())


def __getattr__(name: str):
    if name in __all__:
        import recbole  # noqa: F401  (sets recbole-ctx up: compat layer, plugin models)

        return getattr(importlib.import_module("recbole_ctx.utils.registry"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
