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
from typing import Any


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
        histories = dataset.inter_feat[field]
        lengths = histories.map(len)
        too_long = lengths > max_len
        if not too_long.any():
            continue
        histories = histories.copy()
        histories[too_long] = histories[too_long].map(lambda seq: seq[-max_len:])
        dataset.inter_feat[field] = histories
        dataset.field2seqlen[field] = max_len
        n_cut, n = int(too_long.sum()), len(histories)
        dataset.logger.info(
            f"{field}: {n_cut} of {n} sequences ({n_cut / n:.2%}) are longer than MAX_ITEM_LIST_LENGTH={max_len} "
            f"(longest {int(lengths.max())}); they keep their last {max_len} items"
        )


def apply() -> None:
    from recbole.data.dataset.sequential_dataset import SequentialDataset

    benchmark_presets = SequentialDataset._benchmark_presets

    @functools.wraps(benchmark_presets)
    def keeping_recent(self: Any) -> None:
        keep_recent(self)
        benchmark_presets(self)

    SequentialDataset._benchmark_presets = keeping_recent
