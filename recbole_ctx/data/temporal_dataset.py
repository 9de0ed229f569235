"""RecBole ``Dataset`` of a temporal (RelBench-style) task: ``.inter`` plus label files.

Tokens of ``<name>.{train,valid,test}.label`` are remapped together with ``.inter``
(appended after it, so ``.inter`` tokens get exactly the ids a plain ``Dataset`` gives
them), and the rows are grouped into examples ``(user, T, items of (T, T + delta])``.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from recbole.data.dataset import Dataset
from recbole.data.interaction import Interaction
from recbole.utils import FeatureType
from torch import Tensor

from recbole_ctx.data.temporal_task import LABEL_SPLITS, TemporalProtocol, group_examples, label_path, read_label_file
from recbole_ctx.utils.ranges import concat_ranges

SEED_TIME_FIELD = "seed_time"
TARGET_ITEM_FIELD = "target_item_id"
TARGET_LEN_FIELD = "target_len"


@dataclass
class TemporalExamples:
    """Examples of one split, targets in CSR form.

    Attributes:
        user: int64 [N] internal user ids.
        seed_time: float64 [N] seed time T in Unix seconds.
        target_ptr: int64 [N + 1] offsets into ``target_item``.
        target_item: int64 [P] internal ids of the items of (T, T + delta], distinct per example.
    """

    user: Tensor
    seed_time: Tensor
    target_ptr: Tensor
    target_item: Tensor

    def __len__(self) -> int:
        return int(self.user.numel())

    def interaction(self, index: Tensor, uid_field: str) -> Interaction:
        """Rows ``index`` as an Interaction: ``uid_field`` int64 [B], ``seed_time``
        float64 [B], ``target_item_id`` int64 [B, L] (padded with 0 = RecBole's
        ``[PAD]`` id) and ``target_len`` int64 [B]."""
        start, stop = self.target_ptr[index], self.target_ptr[index + 1]
        length = stop - start
        row, position = concat_ranges(start, length)
        padded = torch.zeros(index.numel(), int(length.max()) if index.numel() else 0, dtype=torch.long)
        padded[row, position - start[row]] = self.target_item[position]
        return Interaction({uid_field: self.user[index], SEED_TIME_FIELD: self.seed_time[index],
                            TARGET_ITEM_FIELD: padded, TARGET_LEN_FIELD: length})


def targets_csr(interaction: Interaction) -> tuple[Tensor, Tensor]:
    """``(target_ptr int64 [B + 1], target_item int64 [P])`` of a temporal batch."""
    length = interaction[TARGET_LEN_FIELD]
    padded = interaction[TARGET_ITEM_FIELD]
    ptr = torch.zeros(length.numel() + 1, dtype=torch.long, device=length.device)
    torch.cumsum(length, 0, out=ptr[1:])
    keep = torch.arange(padded.shape[1], device=padded.device).unsqueeze(0) < length.unsqueeze(1)
    return ptr, padded[keep]


class TemporalDataset(Dataset):
    """``Dataset`` with the examples of each split in :attr:`temporal_examples`.

    Args:
        config: RecBole config whose dataset yaml has the protocol keys.
        inter_until: keep only ``.inter`` events with time <= this (Unix seconds), after
            remapping, so the item universe is unchanged.  Used to train built-in
            RecBole models on events up to the validation timestamp.
    """

    def __init__(self, config, inter_until: float | None = None):
        self.protocol = TemporalProtocol.from_config(config)
        self.inter_until = inter_until
        self.temporal_examples: dict[str, TemporalExamples] = {}
        super().__init__(config)

    def _load_data(self, token, dataset_path):
        super()._load_data(token, dataset_path)
        if self.time_field is None or self.time_field not in self.inter_feat.columns:
            raise ValueError(f"temporal dataset {token!r}: .inter has no {self.time_field!r} column loaded "
                             "(add it to load_col)")
        separator = self.config["field_separator"]
        self._label_frames = {
            split: read_label_file(label_path(dataset_path, token, split), self.uid_field,
                                   self.time_field, self.iid_field, separator)
            for split in LABEL_SPLITS}

    def _get_remap_list(self, field_list):
        remap_list = super()._get_remap_list(field_list)
        for field in field_list:
            if field in (self.uid_field, self.iid_field):
                remap_list += [(frame, field, FeatureType.TOKEN) for frame in self._label_frames.values()]
        return remap_list

    def _data_processing(self):
        super()._data_processing()
        for split, frame in self._label_frames.items():
            self.protocol.check_seed_times(split, frame[self.time_field].to_numpy(),
                                           label_path(self.dataset_path, self.dataset_name, split))
            user, time, ptr, item = group_examples(
                frame[self.uid_field].to_numpy().astype("int64"), frame[self.time_field].to_numpy(),
                frame[self.iid_field].to_numpy().astype("int64"))
            self.temporal_examples[split] = TemporalExamples(
                torch.from_numpy(user), torch.from_numpy(time), torch.from_numpy(ptr), torch.from_numpy(item))
        del self._label_frames
        if self.inter_until is not None:
            keep = self.inter_feat[self.time_field] <= self.inter_until
            self.inter_feat = self.inter_feat[keep].reset_index(drop=True)
        # RecBole converts to Interaction in build(); temporal data never goes through build().
        self._change_feat_format()

    def _dataframe_to_interaction(self, data):
        # RecBole stores float fields as float32: 64-second steps at today's Unix times,
        # too coarse to compare events with seed times.  Event times stay float64.
        interaction = super()._dataframe_to_interaction(data)
        if self.time_field in data:
            interaction.interaction[self.time_field] = torch.from_numpy(
                data[self.time_field].to_numpy(dtype="float64"))
        return interaction

    def __str__(self) -> str:
        sizes = ", ".join(f"{s}: {len(e)} examples / {int(e.target_item.numel())} targets"
                          for s, e in self.temporal_examples.items())
        return f"{super().__str__()}\nTemporal examples: {sizes}"
