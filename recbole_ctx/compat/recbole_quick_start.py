"""``recbole.quick_start`` importable without a working ray, and a place to replace its functions.

recbole/quick_start/quick_start.py:20 runs ``from ray import tune`` at import time,
only for the ``tune.report(**test_result)`` call at the end of
``objective_function``.  ray 2.6.3 (RecBole's pin) fails to import on setuptools
>= 81 (``pkg_resources``) and numpy 2 (``np.bool8``), so ``run_recbole``,
``load_data_and_model``, ... could not be imported at all.  A finder gives that one
module a stand-in ``ray`` whose ``tune`` imports the real ``ray.tune`` on first use:
``report`` is a no-op when ray cannot be imported (no ray trial can be running
then, as ray's own ``report`` outside a trial is), and anything else says that
ray tuning needs a working ray.  Nothing else sees the stand-in: ``import ray``
elsewhere is untouched.

:func:`replace` binds a name of ``recbole.quick_start`` to another function, now and
whenever the module is (re)imported; the plugin installs its checkpoint-aware
``load_data_and_model`` through it (``recbole_ctx.quick_start.loading``), so this
layer knows nothing of the plugin.
"""
from __future__ import annotations

import builtins
import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any

QUICK_START_MODULE = "recbole.quick_start.quick_start"


class RayUnavailableError(ImportError):
    """Hyper-parameter search with ray was asked for, but ray cannot be imported."""


class _LazyTune:
    """``ray.tune`` imported on first attribute access."""

    def __init__(self) -> None:
        self._module: ModuleType | None = None
        self._error: BaseException | None = None

    def _load(self) -> ModuleType | None:
        if self._module is None and self._error is None:
            try:
                self._module = importlib.import_module("ray.tune")
            except Exception as err:  # ray 2.6.3 raises ModuleNotFoundError / AttributeError
                self._error = err
        return self._module

    def report(self, *args: Any, **kwargs: Any) -> Any:
        tune = self._load()
        return None if tune is None else tune.report(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        tune = self._load()
        if tune is None:
            raise RayUnavailableError(
                f"ray.tune.{name}: hyper-parameter search with ray needs ray, but `import ray` "
                f"failed ({type(self._error).__name__}: {self._error}). RecBole 1.2.1 pins "
                "ray 2.6.3, which needs setuptools<81 and numpy<2; install a ray that imports "
                "in this environment, or use RecBole's hyperopt HyperTuning instead."
            ) from self._error
        return getattr(tune, name)


def _stand_in_ray(tune: _LazyTune) -> ModuleType:
    ray = ModuleType("ray", "recbole-ctx stand-in: ray.tune is imported on first use")
    ray.tune = tune
    return ray


class _RayFreeLoader(importlib.abc.Loader):
    """Runs ``recbole.quick_start.quick_start`` with ``ray`` bound to the stand-in."""

    def __init__(self, loader: importlib.abc.Loader):
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        ray = _stand_in_ray(_LazyTune())

        def scoped_import(name, globals=None, locals=None, fromlist=(), level=0):
            if level == 0 and name == "ray":
                return ray
            return builtins.__import__(name, globals, locals, fromlist, level)

        # exec() resolves import statements through the module's own __builtins__.
        module.__dict__["__builtins__"] = {**vars(builtins), "__import__": scoped_import}
        self.loader.exec_module(module)
        _bind(module)  # before recbole/quick_start/__init__.py imports the names from it


class RayFreeQuickStartFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname != QUICK_START_MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _RayFreeLoader(spec.loader)
        return spec


_replacements: dict[str, Any] = {}


def _bind(module: ModuleType) -> None:
    for name, value in _replacements.items():
        setattr(module, name, value)


def replace(name: str, value: Any) -> None:
    """Bind ``recbole.quick_start.<name>`` (and the same name in its ``quick_start``
    module) to ``value``, in the modules already imported and in any imported later."""
    _replacements[name] = value
    for module_name in (QUICK_START_MODULE, "recbole.quick_start"):
        if module_name in sys.modules:
            _bind(sys.modules[module_name])


def apply() -> None:
    if not any(isinstance(f, RayFreeQuickStartFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, RayFreeQuickStartFinder())
