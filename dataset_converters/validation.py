"""The validation split every converter with a choice offers, with one honest default.

``holdout`` (default): a seeded share of the training data is the validation file, so
early stopping and model selection never see the test set.  ``test``: the validation
file is the test file, as the LightGCN and SR-GNN papers' own code does (it reports
the best test score seen during training); asked for explicitly, then said in the log
and recorded in the dataset yaml (``valid_is_test: true`` beside the provenance).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from .errors import ConversionError

ValidMode = Literal["holdout", "test"]
VALID_MODES: tuple[str, ...] = ("holdout", "test")
DEFAULT_VALID_RATIO = 0.1

logger = logging.getLogger(__name__)


def check_validation(src: Path, valid: str, valid_ratio: float) -> None:
    """Refuse an unknown mode or a hold-out share outside (0, 1), naming the source."""
    if valid not in VALID_MODES:
        raise ConversionError(src, f"valid must be one of {', '.join(VALID_MODES)}, got {valid!r}")
    if valid == "holdout" and not 0.0 < valid_ratio < 1.0:
        raise ConversionError(src, f"valid_ratio must be in (0, 1), got {valid_ratio}")


def validation_keys(valid: str, valid_ratio: float, seed: int) -> dict:
    """The provenance keys a converter writes into ``<name>.yaml`` (RecBole ignores them)."""
    if valid == "test":
        return {"valid": "test", "valid_is_test": True}
    return {"valid": "holdout", "valid_ratio": valid_ratio, "seed": seed}


def announce(name: str, valid: str) -> None:
    """Say in the log when the validation file is the test file."""
    if valid == "test":
        logger.warning("%s: the validation file is the test file (--valid test): early stopping and the "
                       "best-validation epoch see the test set, as the papers' own code does", name)
