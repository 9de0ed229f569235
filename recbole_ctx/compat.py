"""RecBole 1.2.1 on today's stack (numpy 2, scipy >= 1.13, torch >= 2.6).

Applied once by ``import recbole_ctx``.  Every fix replaces one method or adds
one attribute, never a file in site-packages, and names the upstream line it
stands in for.  Each has a test in ``tests/test_compat.py`` that fails without it.

What is *not* patched here, and why:
- pandas 3 (copy-on-write, ``Series.agg(len)``) silently corrupts RecBole's
  ``Dataset`` in half a dozen places; the project pins ``pandas<3`` instead
  (see pyproject.toml).
- ``recbole.quick_start`` imports ray at import time (ray 2.6.3 needs
  ``pkg_resources`` and ``np.bool8``).  recbole-ctx has its own quick start
  (``recbole_ctx.quick_start``) that never imports it.
"""
from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np
import torch

# Names RecBole 1.2.1 still reads from numpy (np.float in metrics/dataset,
# np.long in interaction, np.bool in samplers) with the types numpy 1.x gave them.
_NUMPY_ALIASES = {
    "bool": np.bool_,
    "int": np.int_,
    "float": np.float64,
    "complex": np.complex128,
    "object": np.object_,
    "str": np.str_,
    "long": np.int_,
    "unicode": np.str_,
}


def _set_numpy_aliases() -> None:
    for alias, target in _NUMPY_ALIASES.items():
        setattr(np, alias, target)


def _compatibility_settings(self) -> None:
    """Replaces ``Config.compatibility_settings`` (recbole/config/configurator.py:625).

    Upstream assigns ``np.float = np.float_`` etc.; ``np.float_``, ``np.complex_``
    and ``np.unicode_`` are gone in numpy 2, so every ``Config()`` crashed.
    """
    _set_numpy_aliases()


def _dok_update(self, data: dict) -> None:
    """``dok_matrix._update`` (removed in scipy 1.13), used by LightGCN.get_norm_adj_mat
    (recbole/model/general_recommender/lightgcn.py:111) and NGCF, GCMC, SpectralCF,
    NCL, KGIN, MCCLK: a bulk, unchecked key -> value insert, as before.
    """
    self._dict.update(data)


def plain_config(config: Any) -> dict[str, Any]:
    """The config as plain data (str/int/float/bool/None, lists and dicts of them).

    Enums and devices become their string form so the checkpoint can be read with
    ``torch.load(..., weights_only=True)``.
    """

    def plain(value: Any) -> Any:
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, np.generic):
            return value.item()
        return str(value)

    return {key: plain(value) for key, value in config.final_config_dict.items()}


def _save_checkpoint(self, epoch: int, verbose: bool = True, **kwargs: Any) -> None:
    """Replaces ``Trainer._save_checkpoint`` (recbole/trainer/trainer.py:289-308).

    Upstream pickles the ``Config`` object with ``pickle_protocol=4``; torch >= 2.6
    loads with ``weights_only=True`` by default, which refuses both, so every run
    crashed when reloading its best model.  Saved here: state dicts and plain data,
    default protocol -- RecBole's own ``torch.load`` calls then load it safely.
    """
    if not self.config["single_spec"] and self.config["local_rank"] != 0:
        return
    saved_model_file = kwargs.pop("saved_model_file", self.saved_model_file)
    state = {
        "config": plain_config(self.config),
        "epoch": int(epoch),
        "cur_step": int(self.cur_step),
        "best_valid_score": float(self.best_valid_score),
        "state_dict": self.model.state_dict(),
        "other_parameter": self.model.other_parameter(),
        "optimizer": self.optimizer.state_dict(),
    }
    tmp_file = f"{saved_model_file}.tmp"
    torch.save(state, tmp_file)
    os.replace(tmp_file, saved_model_file)  # never leave half a checkpoint behind
    if verbose:
        from recbole.utils import set_color

        self.logger.info(set_color("Saving current", "blue") + f": {saved_model_file}")


def _fill_nan(self) -> None:
    """Replaces ``Dataset._fill_nan`` (recbole/data/dataset/dataset.py:632-656).

    Upstream fills with ``feat[field].fillna(..., inplace=True)``, a chained
    in-place call that pandas deprecates (FutureWarning on 2.x) and that does
    nothing under copy-on-write (pandas 3).  Same filling, assigned back.
    """
    from recbole.utils import FeatureType, set_color

    self.logger.debug(set_color("Filling nan", "green"))
    for feat_name in self.feat_name_list:
        feat = getattr(self, feat_name)
        for field in feat:
            ftype = self.field2type[field]
            if ftype == FeatureType.TOKEN:
                feat[field] = feat[field].fillna(value=0)
            elif ftype == FeatureType.FLOAT:
                feat[field] = feat[field].fillna(value=feat[field].mean())
            else:
                dtype = np.int64 if ftype == FeatureType.TOKEN_SEQ else np.float64
                feat[field] = feat[field].apply(
                    lambda x: np.array([], dtype=dtype) if isinstance(x, float) else x
                )


class UnsafeCheckpointError(RuntimeError):
    """A checkpoint holds pickled objects beyond tensors and plain data."""


def load_checkpoint(path: str, map_location: Any = "cpu") -> dict[str, Any]:
    """Load a recbole-ctx/RecBole checkpoint with ``weights_only=True``.

    Raises:
        UnsafeCheckpointError: the file contains arbitrary pickled objects (a
            tampered file, or one written by unpatched RecBole).
    """
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # torch raises UnpicklingError wrapped in various types
        if "weights_only" in str(err) or "Unsupported" in str(err):
            raise UnsafeCheckpointError(
                f"{path}: refused to load, it contains pickled objects other than "
                "tensors and plain data (tampered, or written by unpatched RecBole). "
                "Only load checkpoints you trust."
            ) from None
        raise


def _disable_global_anomaly_detection() -> None:
    """Undo ``torch.autograd.set_detect_anomaly(True)`` run at import time by
    recbole/model/sequential_recommender/sine.py:25.

    Importing any sequential model imports that package, which switched on
    anomaly detection for the whole process: every backward pass of every model
    then re-checked for NaNs and kept forward traces (several times slower) --
    a debugging switch, not a result-changing one.  Imported here once so the
    switch is flipped back before any model trains.
    """
    import recbole.model.sequential_recommender  # noqa: F401  (runs sine.py's switch)

    torch.autograd.set_detect_anomaly(False)


_applied = False


def apply() -> None:
    """Install every fix (idempotent)."""
    global _applied
    if _applied:
        return
    import scipy.sparse as sp
    from recbole.config import configurator
    from recbole.data.dataset import dataset
    from recbole.trainer import trainer

    _set_numpy_aliases()
    configurator.Config.compatibility_settings = _compatibility_settings
    if not hasattr(sp.dok_matrix, "_update"):
        sp.dok_matrix._update = _dok_update
    trainer.Trainer._save_checkpoint = _save_checkpoint
    _disable_global_anomaly_detection()
    dataset.Dataset._fill_nan = _fill_nan
    # trainer.py:235 builds torch.cuda.amp.GradScaler, deprecated since torch 2.4 but
    # equivalent; one warning per epoch is noise, not news.
    warnings.filterwarnings("ignore", message=r"`torch.cuda.amp.GradScaler", category=FutureWarning)
    # pandas 2.x deprecation notices about RecBole's chained fillna / Series.agg(len)
    # (dataset.py:501, :1217, sequential_dataset.py:165): correct on the pinned
    # pandas<3, and the reason for that pin.
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"recbole\.data\.dataset")
    _applied = True
