"""RecBole 1.2.1 on today's stack (numpy 2, scipy >= 1.13, torch >= 2.6, pandas 3, no ray), and
three upstream crashes (``benchmark_seq_length``, ``ce_negatives``, ``flops``).

``apply()`` installs every fix; it is idempotent and imports what it patches
itself, so it can run whenever ``recbole`` is first imported.  Every fix replaces
or wraps one RecBole method (or adds one attribute / import hook), never a file in
site-packages, and names the upstream line it stands in for.  One module per
problem; each has tests under ``tests/compat/`` that fail without it, and the
table in ``docs/compatibility.md`` lists them all.
"""
from __future__ import annotations

from recbole_ctx.compat.checkpoint_file import CheckpointError, UnsafeCheckpointError, load_checkpoint, load_weights
from recbole_ctx.compat.weights_only_checkpoints import plain_config, restore_config

__all__ = ["apply", "load_checkpoint", "load_weights", "CheckpointError", "UnsafeCheckpointError", "plain_config",
           "restore_config"]

_applied = False


def apply() -> None:
    """Install every fix (idempotent)."""
    global _applied
    if _applied:
        return
    from recbole_ctx.compat import (
        anomaly,
        atomic_reader,
        benchmark_seq_length,
        ce_negatives,
        ddp_backend,
        ensure_dir,
        flops,
        inter_num_filter,
        token_remap,
        numpy2,
        pandas_data,
        plugin_model_config,
        recbole_quick_start,
        scipy_dok,
        warning_filters,
        weights_only_checkpoints,
    )

    numpy2.apply()  # first: recbole's own modules read np.float & co. at import
    scipy_dok.apply()
    weights_only_checkpoints.apply()
    ddp_backend.apply()
    ensure_dir.apply()
    plugin_model_config.apply()
    pandas_data.apply()
    atomic_reader.apply()  # after pandas_data: its fixed _load_feat is the fallback
    inter_num_filter.apply()
    token_remap.apply()  # after pandas_data, as atomic_reader
    benchmark_seq_length.apply()
    ce_negatives.apply()
    flops.apply()
    anomaly.apply()
    recbole_quick_start.apply()
    warning_filters.apply()
    _applied = True
