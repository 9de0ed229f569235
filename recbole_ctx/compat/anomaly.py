"""recbole/model/sequential_recommender/sine.py:25 switches on autograd anomaly mode at import."""
from __future__ import annotations

import torch


def apply() -> None:
    """Undo ``torch.autograd.set_detect_anomaly(True)`` run at import time by sine.py.

    Importing any sequential model imports that package, which switched on
    anomaly detection for the whole process: every backward pass of every model
    then re-checked for NaNs and kept forward traces (several times slower) --
    a debugging switch, not a result-changing one.  Imported here once so the
    switch is flipped back before any model trains.
    """
    import recbole.model.sequential_recommender  # noqa: F401  (runs sine.py's switch)

    torch.autograd.set_detect_anomaly(False)
