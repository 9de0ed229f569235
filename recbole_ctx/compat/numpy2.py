"""numpy 2 removed the aliases RecBole 1.2.1 still reads (``np.float_``, ``np.float``, ...)."""
from __future__ import annotations

import numpy as np

# Names RecBole 1.2.1 still reads from numpy (np.float in metrics/dataset,
# np.long in interaction, np.bool in samplers) with the types numpy 1.x gave them.
_NUMPY_ALIASES = {
    "bool": np.bool_,
    "int": np.int_,
    "float": np.float64,
    "complex": np.complex128,
    "object": np.object_,
    "str": np.str_,
    "long": np.int_,
    "unicode": np.str_,
}


def set_numpy_aliases() -> None:
    for alias, target in _NUMPY_ALIASES.items():
        setattr(np, alias, target)


def compatibility_settings(self) -> None:
    """Replaces ``Config.compatibility_settings`` (recbole/config/configurator.py:625).

    Upstream assigns ``np.float = np.float_`` etc.; ``np.float_``, ``np.complex_``
    and ``np.unicode_`` are gone in numpy 2, so every ``Config()`` crashed.
    """
    set_numpy_aliases()


def apply() -> None:
    from recbole.config import configurator

    set_numpy_aliases()
    configurator.Config.compatibility_settings = compatibility_settings
