"""Loading a trainer's best checkpoint the safe way (``weights_only=True``)."""
from __future__ import annotations

from typing import Any

import torch.distributed as dist

from recbole_ctx.compat import load_checkpoint, load_weights


def load_best_model(trainer: Any, model_file: str | None = None) -> None:
    """RecBole's ``load_best_model`` step of ``Trainer.evaluate``, with a weights-only load.

    Reads ``model_file`` or the trainer's ``saved_model_file`` into ``trainer.model``.
    Under DDP only rank 0 saves, under a name stamped with its own start time, so every
    rank loads rank 0's file, once rank 0 has reached this point (its ``fit`` is done).

    Raises:
        CheckpointError: ``FILE: problem`` for a file that is damaged, another model's, or
            written for a dataset of another size.
    """
    checkpoint_file = model_file or trainer.saved_model_file
    if dist.is_available() and dist.is_initialized():
        names = [checkpoint_file]
        dist.broadcast_object_list(names, src=0)
        checkpoint_file = names[0]
    checkpoint = load_checkpoint(checkpoint_file, map_location=trainer.device)
    load_weights(checkpoint_file, trainer.model, checkpoint)
    trainer.logger.info(f"Loading model structure and parameters from {checkpoint_file}")
