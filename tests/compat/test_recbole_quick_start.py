"""``recbole.quick_start`` importable and working under the compat layer (no working ray)."""
import socket
import subprocess
import sys
import textwrap

import pytest
import torch

import recbole_ctx  # noqa: F401
from recbole.config import Config
from recbole_ctx.compat.recbole_quick_start import RayUnavailableError

QUIET = {"show_progress": False, "state": "ERROR", "checkpoint_dir": "saved"}
TINY_BPR = {**QUIET, "epochs": 1, "embedding_size": 8, "train_batch_size": 4096}


def test_quick_start_imports_in_a_fresh_process_and_leaves_ray_alone():
    script = textwrap.dedent("""
        import sys
        import recbole_ctx
        from recbole.quick_start import (run, run_recbole, run_recboles, load_data_and_model,
                                         objective_function)
        from recbole_ctx.quick_start.loading import load_data_and_model as ours
        assert load_data_and_model is ours
        assert "ray" not in sys.modules  # ray is imported on first use only
        try:
            import ray
        except Exception as err:
            print("ray itself still fails:", type(err).__name__)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_ray_tuning_asked_for_without_ray_says_so():
    import recbole.quick_start.quick_start as qs

    try:
        import ray.tune  # noqa: F401
    except Exception:
        pass
    else:
        pytest.skip("ray imports in this environment: the real ray.tune is used")
    assert qs.tune.report(recall=1.0) is None  # outside a ray trial, as ray's own report
    with pytest.raises(RayUnavailableError, match="hyper-parameter search with ray needs ray"):
        qs.tune.run


def test_run_recbole_then_load_data_and_model_restores_config_and_weights():
    from recbole.quick_start import load_data_and_model, run_recbole

    result = run_recbole(model="BPR", dataset="ml-100k", config_dict=TINY_BPR)
    assert set(result) >= {"best_valid_result", "test_result"}
    [path] = list(__import__("pathlib").Path("saved").glob("BPR-*.pth"))
    config, model, dataset, train, valid, test = load_data_and_model(str(path))
    assert isinstance(config, Config)
    assert config["MODEL_TYPE"] == recbole_ctx.get_model("BPR").type
    assert config["device"] == torch.device("cpu") and config["embedding_size"] == 8
    saved = torch.load(path, weights_only=True)["state_dict"]
    assert torch.equal(model.user_embedding.weight, saved["user_embedding.weight"])
    assert len(test) > 0 and dataset.user_num == train._dataset.user_num


def test_load_data_and_model_on_a_plugin_checkpoint():
    from recbole.quick_start import load_data_and_model
    from recbole_ctx.quick_start import run_recbole

    cfg = {**QUIET, "epochs": 1, "embedding_size": 8, "fanouts": [4, 2], "num_classes": 256,
           "train_batch_size": 256, "eval_batch_size": 4096}
    result = run_recbole("ShallowItem", "ml-100k", config_dict=cfg)
    config, model, *_ = load_data_and_model(result["saved_model_file"])
    assert type(model) is recbole_ctx.get_model("ShallowItem")
    assert config["fanouts"] == [4, 2]
    saved = torch.load(result["saved_model_file"], weights_only=True)["state_dict"]
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, saved[name]), name


def test_objective_function_runs_outside_ray():
    from recbole.quick_start import objective_function

    out = objective_function(config_dict={**TINY_BPR, "model": "BPR", "dataset": "ml-100k"})
    assert out["model"] == "BPR" and "recall@10" in out["test_result"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


def test_run_recboles_trains_one_cpu_rank_under_gloo():
    from recbole.quick_start import run_recboles

    ddp = {"world_size": 1, "nproc": 1, "offset": 0, "ip": "localhost", "port": _free_port()}
    run_recboles(0, "BPR", "ml-100k", None, {"config_dict": {**TINY_BPR, **ddp}})
    assert not torch.distributed.is_initialized()  # RecBole's run destroyed its group
    assert list(__import__("pathlib").Path("saved").glob("BPR-*.pth"))
