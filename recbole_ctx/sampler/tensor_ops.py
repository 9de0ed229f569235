"""Indexing and sorting primitives of the sampler, chosen for their speed on CPU.

All take and return 1-D tensors; they run unchanged on CUDA.
"""
from __future__ import annotations

import torch
from torch import Tensor

# torch's CPU sort (and unique) of integer keys is a radix sort above 32768 elements in
# builds with OpenMP and a comparison sort below, ~10x slower per key there.  From about
# 5k int32 / 7k int64 keys on, padding up to that size is the cheaper sort.
_CPU_RADIX_SORT = torch.backends.openmp.is_available()
_RADIX_SORT_MIN = 32769
_PAD_TO_RADIX_FROM = {torch.int32: 5000, torch.int64: 7000}


def take(values: Tensor, index: Tensor) -> Tensor:
    """``values[index]`` for 1-D tensors; ``index_select`` is several times faster on CPU."""
    return values.index_select(0, index)


def radix_padded(keys: Tensor) -> Tensor:
    """1-D integer ``keys``, padded with their dtype's maximum to the size at which torch's
    CPU sort turns into a radix sort when that is the cheaper sort; else ``keys`` itself."""
    n = keys.numel()
    pad_from = _PAD_TO_RADIX_FROM.get(keys.dtype, _RADIX_SORT_MIN)
    if keys.device.type != "cpu" or not _CPU_RADIX_SORT or not pad_from <= n < _RADIX_SORT_MIN:
        return keys
    return torch.cat([keys, keys.new_full((_RADIX_SORT_MIN - n,), torch.iinfo(keys.dtype).max)])


def stable_argsort(keys: Tensor) -> Tensor:
    """int64 [n]: the stable ascending order of 1-D integer ``keys``."""
    # Padding sorts after every key (stable on ties), so the first n entries are the keys'.
    return torch.sort(radix_padded(keys), stable=True).indices[: keys.numel()]
