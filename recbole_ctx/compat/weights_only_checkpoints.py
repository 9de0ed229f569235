"""Checkpoints that torch >= 2.6 can load with ``weights_only=True``.

RecBole 1.2.1 pickles its ``Config`` object into every file it writes (the
trainer's best/resume checkpoint, S3Rec-style pretraining, the decision-tree
trainer) and NeuMF dumps a whole module; torch >= 2.6 loads with
``weights_only=True`` and refuses all of them.  Here every writer stores state
dicts and the config as plain data, so RecBole's own ``torch.load`` calls (the
trainer's evaluate / resume, s3rec.py:120, convncf.py:82, nais.py:127,
ract.py:75/84, neumf.py:84, kd_dagfm.py:56, load_data_and_model) read them
unchanged, and ``restore_config`` turns the plain data back into a ``Config``.
Files are written and read through :mod:`recbole_ctx.compat.checkpoint_file`
(unique names, atomic writes, checked reads).
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import torch

from recbole_ctx.compat.checkpoint_file import load_checkpoint, load_weights, save_atomically, unique_local_time


def plain_config(config: Any) -> dict[str, Any]:
    """The config as plain data (str/int/float/bool/None, lists and dicts of them).

    Enums and devices become their string form (``"ModelType.GENERAL"``, ``"cpu"``)
    so the checkpoint can be read with ``torch.load(..., weights_only=True)``;
    ``restore_config`` reverses that.
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


# The enum types RecBole's Config holds (MODEL_TYPE, MODEL_INPUT_TYPE, eval_type).
_ENUM_VALUE = re.compile(r"(ModelType|InputType|EvaluatorType)\.([A-Z_]+)")


def restore_config(plain: dict[str, Any]) -> Any:
    """A ``recbole.config.Config`` holding ``plain`` (the output of ``plain_config``).

    Enum strings become RecBole's enums again and ``device`` a ``torch.device``
    (CPU when the checkpoint's CUDA device is not available here).  The restored
    config describes one process: a checkpoint of a DDP run loads outside its
    process group.
    """
    from recbole.config import Config
    from recbole.utils import enum_type

    values = {}
    for key, value in plain.items():
        match = _ENUM_VALUE.fullmatch(value) if isinstance(value, str) else None
        values[key] = getattr(enum_type, match[1])[match[2]] if match else value
    device = torch.device(values.get("device") or "cpu")
    if device.type == "cuda" and not torch.cuda.is_available():
        device = torch.device("cpu")
    values.update(device=device, single_spec=True, local_rank=0)

    config = Config.__new__(Config)
    config._init_parameters_category()
    config.yaml_loader = config._build_yaml_loader()
    config.model, config.dataset = values["model"], values["dataset"]
    from recbole_ctx.utils.registry import get_model

    config.model_class = get_model(config.model)
    config.final_config_dict = values
    return config


# Tag of a value ``plain_other_parameter`` re-encoded (numpy / scipy.sparse have no
# weights-only form); ``load_other_parameter`` decodes it.
_TAG = "__recbole_ctx_value__"


def plain_other_parameter(model: Any) -> dict[str, Any]:
    """``model.other_parameter()`` in a form ``weights_only=True`` loads.

    RecBole keeps caches there (LightGCN's restored embeddings: tensors), but also
    numpy arrays (EASE, ItemKNN, RippleNet), scipy sparse matrices (EASE, SLIMElastic)
    and submodules (GRU4RecF, SASRecF, FDSA, DIN, DIEN).  Submodules are left out:
    their weights are in the state dict already.  Arrays and sparse matrices become
    tagged tensors.
    """
    import scipy.sparse as sp

    submodules = {id(m) for m in model.modules()}

    def encode(value: Any) -> Any:
        if isinstance(value, torch.nn.Module):
            return None if id(value) in submodules else value  # an unregistered module stays refused
        if sp.issparse(value):
            csr = sp.csr_matrix(value)
            return {_TAG: "csr", "data": torch.from_numpy(csr.data), "indices": torch.from_numpy(csr.indices),
                    "indptr": torch.from_numpy(csr.indptr), "shape": list(csr.shape), "format": value.format}
        if isinstance(value, np.ndarray) and value.dtype != object:
            return {_TAG: "ndarray", "tensor": torch.from_numpy(np.ascontiguousarray(value))}
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(encode(v) for v in value)
        return value

    return {key: encode(value) for key, value in model.other_parameter().items()}


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and value.get(_TAG) == "ndarray":
        return value["tensor"].numpy()
    if isinstance(value, dict) and value.get(_TAG) == "csr":
        import scipy.sparse as sp

        csr = sp.csr_matrix((value["data"].numpy(), value["indices"].numpy(), value["indptr"].numpy()),
                            shape=tuple(value["shape"]))
        return csr.asformat(value["format"])
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_decode(v) for v in value)
    return value


def load_other_parameter(self, para: dict[str, Any] | None) -> None:
    """Replaces ``AbstractRecommender.load_other_parameter`` (abstract_recommender.py:72-77):
    decodes what ``plain_other_parameter`` encoded; a left-out submodule (``None``) is
    already restored by ``load_state_dict``."""
    if para is None:
        return
    for key, value in para.items():
        if value is None and isinstance(getattr(self, key, None), torch.nn.Module):
            continue
        setattr(self, key, _decode(value))


def save_checkpoint(self, epoch: int, verbose: bool = True, **kwargs: Any) -> None:
    """Replaces ``Trainer._save_checkpoint`` (recbole/trainer/trainer.py:289-308).

    Upstream pickles the ``Config`` object with ``pickle_protocol=4``, which
    ``weights_only=True`` refuses, so every run crashed when reloading its best
    model.  Saved here: the same keys, as state dicts and plain data
    (``other_parameter`` via ``plain_other_parameter``).
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
        "other_parameter": plain_other_parameter(self.model),
        "optimizer": self.optimizer.state_dict(),
    }
    save_atomically(state, saved_model_file)
    if verbose:
        from recbole.utils import set_color

        self.logger.info(set_color("Saving current", "blue") + f": {saved_model_file}")


def resume_checkpoint(self, resume_file: str) -> None:
    """Replaces ``Trainer.resume_checkpoint`` (trainer.py:313-338), whose raw ``torch.load``
    and ``load_state_dict`` ended a bad file in ``EOFError`` / ``RuntimeError`` texts naming
    no file: here each is one ``CheckpointError`` (``FILE: problem``).  Same effect otherwise."""
    resume_file = str(resume_file)
    checkpoint = load_checkpoint(resume_file, map_location=self.device,
                                 keys=("state_dict", "epoch", "cur_step", "best_valid_score", "optimizer"))
    load_weights(resume_file, self.model, checkpoint)
    self.optimizer.load_state_dict(checkpoint["optimizer"])
    self.saved_model_file = resume_file
    self.start_epoch = checkpoint["epoch"] + 1
    self.cur_step = checkpoint["cur_step"]
    self.best_valid_score = checkpoint["best_valid_score"]
    self.logger.info(f"Checkpoint loaded. Resume training from epoch {self.start_epoch}")


def save_pretrained_model(self, epoch: int, saved_model_file: str) -> None:
    """Replaces ``PretrainTrainer.save_pretrained_model`` (trainer.py:755-771).

    Upstream pickles the ``Config``; S3Rec's fine-tuning stage (s3rec.py:120) and
    any later load with ``weights_only=True`` refused the file.
    """
    state = {
        "config": plain_config(self.config),
        "epoch": int(epoch),
        "state_dict": self.model.state_dict(),
        "optimizer": self.optimizer.state_dict(),
        "other_parameter": plain_other_parameter(self.model),
    }
    save_atomically(state, saved_model_file)
    self.saved_model_file = saved_model_file


def save_decision_tree_checkpoint(self, epoch: int) -> None:
    """Replaces ``DecisionTreeTrainer._save_checkpoint`` (trainer.py:985-999): same keys,
    plain-data config (its ``state_dict`` is the path of the booster's own model file)."""
    state = {
        "config": plain_config(self.config),
        "epoch": int(epoch),
        "cur_step": int(self.cur_step),
        "best_valid_score": float(self.best_valid_score),
        "state_dict": self.temp_best_file,
        "other_parameter": None,
    }
    save_atomically(state, self.saved_model_file)


def neumf_dump_parameters(self) -> None:
    """Replaces ``NeuMF.dump_parameters`` (neumf.py:156-165), which ``torch.save``-d the
    whole module: ``load_pretrain`` (neumf.py:84) could not read that back under
    ``weights_only=True`` (nor index it as a dict before).  Writes the state dict,
    which ``load_pretrain`` accepts as is."""
    if self.mf_train and not self.mlp_train:
        save_atomically(self.state_dict(), self.mf_pretrain_path)
    elif self.mlp_train and not self.mf_train:
        save_atomically(self.state_dict(), self.mlp_pretrain_path)


def apply() -> None:
    from recbole.model.abstract_recommender import AbstractRecommender
    from recbole.model.general_recommender.neumf import NeuMF
    from recbole.trainer import trainer

    AbstractRecommender.load_other_parameter = load_other_parameter
    # trainer.py:132 (and the decision-tree trainer's :902-910) stamp file names to the
    # second: two runs started together in one folder wrote the same checkpoint.
    trainer.get_local_time = unique_local_time
    trainer.Trainer._save_checkpoint = save_checkpoint
    trainer.Trainer.resume_checkpoint = resume_checkpoint
    trainer.PretrainTrainer.save_pretrained_model = save_pretrained_model
    trainer.DecisionTreeTrainer._save_checkpoint = save_decision_tree_checkpoint
    NeuMF.dump_parameters = neumf_dump_parameters
