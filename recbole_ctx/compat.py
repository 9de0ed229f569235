"""RecBole 1.2.1 on today's stack (work in progress; see issue 2)."""
import numpy as np


def _compatibility_settings(self) -> None:
    """Replaces ``Config.compatibility_settings`` (recbole/config/configurator.py:625)."""
    for alias, target in {"bool": np.bool_, "int": np.int_, "float": np.float64,
                          "complex": np.complex128, "object": np.object_, "str": np.str_,
                          "long": np.int_, "unicode": np.str_}.items():
        setattr(np, alias, target)


def apply() -> None:
    from recbole.config import configurator

    configurator.Config.compatibility_settings = _compatibility_settings
