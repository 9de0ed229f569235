"""RecBole's DDP set-up on CPU: the ``gloo`` backend instead of a hard-coded ``nccl``."""
from __future__ import annotations

import os
from typing import Any

import torch


def uses_cuda(final_config: dict[str, Any]) -> bool:
    """Whether the run goes on CUDA: a GPU is visible and the config does not ask for CPU
    (empty ``gpu_id``, ``use_gpu: False`` or ``device: cpu``)."""
    if not final_config["gpu_id"] or final_config.get("use_gpu") is False:
        return False
    if str(final_config.get("device", "")).startswith("cpu"):
        return False
    return torch.cuda.is_available()


def ddp_backend(final_config: dict[str, Any]) -> str:
    """``nccl`` on CUDA (RecBole's choice), ``gloo`` on CPU, where nccl cannot run."""
    return "nccl" if uses_cuda(final_config) else "gloo"


def init_device(self) -> None:
    """Replaces ``Config._init_device`` (recbole/config/configurator.py:477-520).

    Upstream always initialises the process group with ``backend="nccl"``, asserts
    one GPU id per process and moves each rank to ``cuda:<rank>``, so DDP could not
    run on CPU.  On CUDA this does the same; on CPU (no CUDA, empty ``gpu_id``,
    ``use_gpu: False`` or ``device: cpu``) it uses ``gloo`` and keeps every rank on the CPU.
    The single-process branch also honours ``use_gpu: False`` / ``device: cpu``.
    ``use_gpu`` is set to whether the run is on CUDA, so the logged config says so.
    """
    cfg = self.final_config_dict
    gpu_id = cfg["gpu_id"]
    cfg["gpu_id"] = ",".join(map(str, gpu_id)) if isinstance(gpu_id, tuple) else str(gpu_id)
    os.environ["CUDA_VISIBLE_DEVICES"] = cfg["gpu_id"]  # before torch.cuda is first queried
    on_cuda = uses_cuda(cfg)
    # RecBole's default use_gpu: True was logged on every CPU run; say what the run uses.
    cfg["use_gpu"] = on_cuda
    if "local_rank" not in cfg:
        cfg["single_spec"] = True
        cfg["local_rank"] = 0
        cfg["device"] = torch.device("cuda" if on_cuda else "cpu")
        return
    rank = cfg["local_rank"]
    if on_cuda:
        assert len(cfg["gpu_id"].split(",")) >= cfg["nproc"]
    torch.distributed.init_process_group(
        backend=ddp_backend(cfg),
        rank=rank + cfg["offset"],
        world_size=cfg["world_size"],
        init_method=f"tcp://{cfg['ip']}:{cfg['port']}",
    )
    cfg["single_spec"] = False
    if on_cuda:
        cfg["device"] = torch.device("cuda", rank)
        torch.cuda.set_device(rank)
    else:
        cfg["device"] = torch.device("cpu")
    if rank != 0:
        cfg["state"] = "error"
        cfg["show_progress"] = False
        cfg["verbose"] = False


def abstract_trainer_init(self, config: Any, model: Any) -> None:
    """Replaces ``AbstractTrainer.__init__`` (recbole/trainer/trainer.py:57-64).

    Upstream wraps the model in ``DistributedDataParallel(device_ids=[local_rank])``
    and converts BatchNorm to SyncBatchNorm; both are CUDA-only.  On CPU the model is
    wrapped with ``device_ids=None`` (what DDP requires there) and keeps plain BatchNorm.
    """
    self.config = config
    self.model = model
    if config["single_spec"]:
        return
    from torch.nn.parallel import DistributedDataParallel

    if torch.device(config["device"]).type == "cuda":
        self.model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
        self.distributed_model = DistributedDataParallel(self.model, device_ids=[config["local_rank"]])
    else:
        self.distributed_model = DistributedDataParallel(self.model)


def apply() -> None:
    from recbole.config import configurator
    from recbole.trainer import trainer

    configurator.Config._init_device = init_device
    trainer.AbstractTrainer.__init__ = abstract_trainer_init
