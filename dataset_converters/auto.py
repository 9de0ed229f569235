"""Make ``run_recbole --dataset=<name>`` work on a folder holding LightGCN files.

Users of Gowalla / Amazon-Book / Yelp2018 usually have the published ``train.txt`` and
``test.txt``; :func:`prepare_dataset` converts them in place the first time the dataset
is used, so no separate ``recbole-ctx convert`` step is needed.
"""
from __future__ import annotations

import logging
from pathlib import Path

from . import lightgcn
from .errors import ConversionError

logger = logging.getLogger(__name__)

_SPLITS = ("train", "valid", "test")
_LIGHTGCN_FILES = ("train.txt", "test.txt")


def prepare_dataset(name: str, data_path: str | Path) -> None:
    """Convert ``<data_path>`` (the folder ``dataset/<name>``) if it only has LightGCN files.

    Does nothing when the folder is missing, has neither ``train.txt`` nor ``test.txt``,
    or already holds a complete conversion (``<name>.yaml`` plus the three ``.inter``
    split files).  Otherwise writes them with the default (seeded hold-out) validation
    split.  Raises :class:`ConversionError` when only one of the two files is there or
    they do not convert.
    """
    folder = Path(data_path)
    done = [folder / f"{name}.yaml"] + [folder / f"{name}.{s}.inter" for s in _SPLITS]
    present = [f for f in _LIGHTGCN_FILES if (folder / f).is_file()]
    if not present or all(p.is_file() for p in done):
        return
    if len(present) < len(_LIGHTGCN_FILES):
        missing = next(f for f in _LIGHTGCN_FILES if f not in present)
        raise ConversionError(folder / missing, f"file not found; {present[0]} is there, and LightGCN-format data needs both "
                                                f"{' and '.join(_LIGHTGCN_FILES)}")
    logger.info("%s: found LightGCN train.txt/test.txt and no atomic files, converting them", folder)
    lightgcn.convert_in_place(folder, name)
