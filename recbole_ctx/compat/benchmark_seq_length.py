"""``MAX_ITEM_LIST_LENGTH`` on pre-split sequential benchmark files.

With ``benchmark_filename`` set, ``SequentialDataset`` (sequential_dataset.py:37)
takes the ``item_id_list`` written in the files as is and skips its augmentation,
the one place that cuts histories to ``MAX_ITEM_LIST_LENGTH``.  A file holding
longer lists than the setting (Diginetica's reach 69 items) then feeds sequences
wider than the models' position tables (SASRec, BERT4Rec, ... size them with
``MAX_ITEM_LIST_LENGTH``): ``IndexError: index out of range in self`` deep inside
``torch.embedding``.  RecBole's ``seq_len`` setting does not help: it keeps a
sequence's first items, the oldest.

The fix wraps ``SequentialDataset._benchmark_presets`` (sequential_dataset.py:153)
so that, before it measures the lists, every ``<field><LIST_SUFFIX>`` sequence
longer than ``MAX_ITEM_LIST_LENGTH`` keeps its last (most recent) items, as the
augmentation does, and says how many were cut.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np


def _list_fields(dataset: Any) -> list[str]:
    """Names of the history fields (``<field><LIST_SUFFIX>``) of ``dataset.inter_feat``."""
    suffix = dataset.config["LIST_SUFFIX"]
    columns = set(dataset.inter_feat.columns)
    return [f + suffix for f in columns if f + suffix in columns]


def keep_recent(dataset: Any) -> None:
    """Cut each history list of ``dataset.inter_feat`` (a DataFrame) to its last
    ``MAX_ITEM_LIST_LENGTH`` entries and lower ``field2seqlen`` to match."""
    max_len = dataset.config["MAX_ITEM_LIST_LENGTH"]
    for field in _list_fields(dataset):
        lengths = dataset.inter_feat[field].map(len).to_numpy()
        too_long = int((lengths > max_len).sum())
        if too_long == 0:
            continue
        dataset.inter_feat[field] = [
            np.asarray(seq)[-max_len:] if n > max_len else seq
            for seq, n in zip(dataset.inter_feat[field], lengths)
        ]
        dataset.field2seqlen[field] = max_len
        dataset.logger.info(
            f"{field}: {too_long} of {len(lengths)} sequences ({too_long / len(lengths):.2%}) are longer than "
            f"MAX_ITEM_LIST_LENGTH={max_len} (longest {int(lengths.max())}); they keep their last {max_len} items"
        )


def _keeping_recent(method: Callable) -> Callable:
    if getattr(method, "__keeps_recent__", False):
        return method

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        keep_recent(self)
        return method(self, *args, **kwargs)

    wrapper.__keeps_recent__ = True
    return wrapper


def apply() -> None:
    from recbole.data.dataset.sequential_dataset import SequentialDataset

    SequentialDataset._benchmark_presets = _keeping_recent(SequentialDataset._benchmark_presets)
