"""Make ``run_recbole --dataset=<name>`` work on a folder holding LightGCN files.

Users of Gowalla / Amazon-Book / Yelp2018 usually have the published ``train.txt`` and
``test.txt``; :func:`prepare_dataset` converts them in place the first time the dataset
is used, so no separate ``recbole-ctx convert`` step is needed.
"""
from __future__ import annotations

import logging
from pathlib import Path

from . import lightgcn

logger = logging.getLogger(__name__)

_SPLITS = ("train", "valid", "test")


def prepare_dataset(name: str, data_path: str | Path) -> None:
    """Convert ``<data_path>`` (the folder ``dataset/<name>``) if it only has LightGCN files.

    Does nothing when the folder is missing, has no ``train.txt``/``test.txt``, or already
    holds a complete conversion (``<name>.yaml`` plus the three ``.inter`` split files).
    Otherwise writes them with the default (seeded hold-out) validation split.
    """
    folder = Path(data_path)
    if not ((folder / "train.txt").is_file() and (folder / "test.txt").is_file()):
        return
    done = [folder / f"{name}.yaml"] + [folder / f"{name}.{s}.inter" for s in _SPLITS]
    if all(p.is_file() for p in done):
        return
    logger.info("%s: found LightGCN train.txt/test.txt and no atomic files, converting them", folder)
    lightgcn.convert_in_place(folder, name)
