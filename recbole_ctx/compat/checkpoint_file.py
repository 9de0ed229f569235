"""Checkpoint files on disk: a unique name per run, an atomic write, a checked read.

RecBole 1.2.1 names a run's checkpoint ``<Model>-<local time to the second>.pth``
(trainer.py:132), so two runs started in the same second in one folder wrote the same
file, and the save went through a temporary name shared by both.  Here the stamp
carries microseconds and the process id, the temporary file is private to the process
(a hidden name beside the target) and the final ``os.replace`` is atomic: a reader sees
the old file or the new one, never half of one, and a process killed between the write
and the rename leaves the earlier file as it was.

Reading goes through :func:`load_checkpoint`, which turns every way a file can be wrong
(missing, empty, truncated, not a checkpoint, unsafe pickles) into one
:class:`CheckpointError` whose message is ``FILE: problem``; :func:`check_weights` does
the same for weights that do not fit the model they are loaded into.
"""
from __future__ import annotations

import datetime
import os
import secrets
import zipfile
from pathlib import Path
from typing import Any

import torch

_ZIP_MAGIC = b"PK\x03\x04"  # torch.save's default (zip) format
_PICKLE_MAGIC = 0x80  # torch.save's legacy format starts with a pickle protocol opcode


class CheckpointError(ValueError):
    """A checkpoint file that cannot be used; the message is ``FILE: problem``."""

    def __init__(self, path: str | os.PathLike, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


class UnsafeCheckpointError(CheckpointError, RuntimeError):
    """A checkpoint holds pickled objects beyond tensors and plain data."""


_last_time: datetime.datetime | None = None


def unique_local_time() -> str:
    """RecBole's ``get_local_time`` stamp (``Dec-06-2026_08-04-03``) made unique per run:
    microseconds and the process id are appended (``Dec-06-2026_08-04-03.482913-pid4242``).

    Processes alive at the same time never share a pid, and within one process a second
    stamp asked for in the same microsecond is moved on by one.
    """
    global _last_time
    now = datetime.datetime.now()
    if _last_time is not None and now <= _last_time:
        now = _last_time + datetime.timedelta(microseconds=1)
    _last_time = now
    return f"{now:%b-%d-%Y_%H-%M-%S}.{now:%f}-pid{os.getpid()}"


def save_atomically(state: Any, path: str | os.PathLike) -> None:
    """``torch.save`` to a temporary file private to this process, then ``os.replace``.

    The temporary file sits beside ``path`` (same file system, so the rename is atomic)
    under a hidden name, ``.<name>.<pid>-<random>.tmp``; it is removed if the save fails.
    """
    target = Path(path)
    # pid + random: private to this process; "x" creates it or fails, never shares one.  (Not
    # mkstemp, whose 0600 mode the checkpoint would keep: the umask's mode, as torch.save gave.)
    tmp_name = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    tmp = open(tmp_name, "xb")  # before the try: a name that exists is not ours to remove
    try:
        with tmp:
            torch.save(state, tmp)
            tmp.flush()
            os.fsync(tmp.fileno())  # the bytes are on disk before the name points at them
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


def load_checkpoint(path: str | os.PathLike, map_location: Any = "cpu",
                    keys: tuple[str, ...] = ("state_dict",)) -> dict[str, Any]:
    """Load a recbole-ctx/RecBole checkpoint with ``weights_only=True``.

    Args:
        keys: entries the checkpoint must have (a trainer checkpoint has ``state_dict``;
            ``load_data_and_model`` also needs ``config``).

    Raises:
        CheckpointError: ``FILE: problem`` -- no such file, empty, truncated or damaged,
            not a torch checkpoint, or missing one of ``keys``.
        UnsafeCheckpointError: the file contains arbitrary pickled objects (a tampered
            file, or one written by unpatched RecBole).
    """
    file = Path(path)
    if not file.exists():
        raise CheckpointError(path, "no such file")
    if not file.is_file():
        raise CheckpointError(path, "not a file")
    size = file.stat().st_size
    if size == 0:
        raise CheckpointError(path, "empty file (0 bytes), not a checkpoint")
    with open(file, "rb") as f:
        head = f.read(4)
    if head == _ZIP_MAGIC and not zipfile.is_zipfile(file):
        raise CheckpointError(path, f"truncated or damaged: the archive's directory is missing ({size} bytes; "
                                    "was the copy or the save cut short?)")
    if head != _ZIP_MAGIC and head[0] != _PICKLE_MAGIC:
        raise CheckpointError(path, "not a torch checkpoint (neither torch's zip format nor a pickle)")
    try:
        checkpoint = torch.load(file, map_location=map_location, weights_only=True)
    except Exception as err:  # torch raises UnpicklingError, RuntimeError, EOFError, OSError, ...
        if "Unsupported global" in str(err):  # a class the weights-only unpickler refuses
            raise UnsafeCheckpointError(
                path, "refused to load, it contains pickled objects other than tensors and plain data "
                      "(tampered, or written by unpatched RecBole). Only load checkpoints you trust.") from None
        raise CheckpointError(path, f"truncated or damaged, torch cannot read it ({_first_line(err)})") from None
    if not isinstance(checkpoint, dict):
        raise CheckpointError(path, f"not a RecBole checkpoint (holds a {type(checkpoint).__name__}, not a dict)")
    missing = [k for k in keys if k not in checkpoint]
    if missing:
        raise CheckpointError(path, f"not a RecBole checkpoint (no {', '.join(map(repr, missing))} entry; "
                                    f"it has {sorted(checkpoint)[:8]})")
    return checkpoint


def _shape(t: Any) -> str:
    return "x".join(map(str, t.shape)) if hasattr(t, "shape") else type(t).__name__


def check_weights(path: str | os.PathLike, model: torch.nn.Module, checkpoint: dict[str, Any]) -> None:
    """Raise :class:`CheckpointError` unless ``checkpoint["state_dict"]`` fits ``model``.

    Names the model the file was written by when it is another one, and the first
    tensor whose shape differs otherwise (a dataset with another number of users or
    items changes the embedding tables).
    """
    config = checkpoint.get("config")
    written_by = config.get("model") if isinstance(config, dict) else None
    here = type(model).__name__
    if written_by and written_by != here:
        raise CheckpointError(path, f"weights of another model: written by {written_by}, loaded into {here}")
    saved = checkpoint["state_dict"]
    if not isinstance(saved, dict):
        raise CheckpointError(path, f"not a RecBole checkpoint (its state_dict is a {type(saved).__name__})")
    own = model.state_dict()
    missing, unexpected = sorted(set(own) - set(saved)), sorted(set(saved) - set(own))
    if missing or unexpected:
        raise CheckpointError(path, f"weights of another model than {here}: "
                                    f"missing {missing[:3]}, unexpected {unexpected[:3]}")
    for name, tensor in own.items():
        if _shape(saved[name]) != _shape(tensor):
            raise CheckpointError(
                path, f"written for a dataset of another size (or other settings): {name} is {_shape(saved[name])} "
                      f"in the file, {_shape(tensor)} in the {here} built for the data loaded now")


def load_weights(path: str | os.PathLike, model: torch.nn.Module, checkpoint: dict[str, Any]) -> None:
    """:func:`check_weights`, then load the state dict and RecBole's ``other_parameter``."""
    check_weights(path, model, checkpoint)
    model.load_state_dict(checkpoint["state_dict"])
    model.load_other_parameter(checkpoint.get("other_parameter"))
