"""Deprecation notices RecBole 1.2.1 triggers that say nothing about the user's run."""
from __future__ import annotations

import warnings

# trainer.py:235 builds torch.cuda.amp.GradScaler, deprecated since torch 2.4 but
# equivalent; one warning per epoch is noise, not news.  (pytest resets filters per
# test: pyproject.toml's filterwarnings repeats this one for the test runs.)
GRADSCALER_MESSAGE = r"`torch.cuda.amp.GradScaler"


def apply() -> None:
    warnings.filterwarnings("ignore", message=GRADSCALER_MESSAGE, category=FutureWarning)
