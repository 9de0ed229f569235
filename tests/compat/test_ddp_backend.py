"""RecBole's DDP on CPU: ``gloo``, not the hard-coded ``nccl``."""
import socket

import pytest
import torch

import recbole_ctx  # noqa: F401
from recbole.config import Config
from recbole_ctx.compat.ddp_backend import ddp_backend

QUIET = {"show_progress": False, "state": "ERROR"}


@pytest.mark.parametrize(("cuda", "overrides", "backend"), [
    (False, {}, "gloo"),
    (True, {}, "nccl"),
    (True, {"use_gpu": False}, "gloo"),
    (True, {"device": "cpu"}, "gloo"),
    (True, {"gpu_id": ""}, "gloo"),
])
def test_backend_follows_the_device(monkeypatch, cuda, overrides, backend):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    assert ddp_backend({"gpu_id": "0", "use_gpu": True, **overrides}) == backend


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


def test_config_starts_a_gloo_group_on_cpu():
    ddp = {"local_rank": 0, "world_size": 1, "nproc": 1, "offset": 0, "ip": "localhost", "port": _free_port()}
    config = Config(model="BPR", dataset="ml-100k", config_dict={**QUIET, **ddp, "use_gpu": False})
    try:
        assert torch.distributed.get_backend() == "gloo"
        assert config["device"] == torch.device("cpu") and config["single_spec"] is False
    finally:
        torch.distributed.destroy_process_group()


def test_single_process_config_honours_use_gpu_false(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    config = Config(model="BPR", dataset="ml-100k", config_dict={**QUIET, "use_gpu": False})
    assert config["device"] == torch.device("cpu") and config["single_spec"] is True


@pytest.mark.parametrize(("cuda", "overrides", "use_gpu"), [(False, {}, False), (True, {"device": "cpu"}, False)])
def test_use_gpu_says_what_the_run_uses(monkeypatch, cuda, overrides, use_gpu):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    config = Config(model="BPR", dataset="ml-100k", config_dict={**QUIET, **overrides})
    assert config["use_gpu"] is use_gpu and config["device"] == torch.device("cpu")
