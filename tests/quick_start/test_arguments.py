"""Command-line overrides checked against the types RecBole's and the project's config files give."""
import pytest

from recbole_ctx.quick_start import arguments
from recbole_ctx.quick_start.arguments import OverrideError, check_overrides, config_files_for, device_override, expected_types, parse_overrides


@pytest.fixture(scope="module")
def bpr_types():
    return expected_types(config_files_for("BPR", "ml-100k", [], None))


def test_types_come_from_recbole_files(bpr_types):
    assert bpr_types["epochs"].kinds == {int}
    assert bpr_types["learning_rate"].kinds == {float}
    assert {list, str} <= bpr_types["metrics"].kinds
    assert {list, int, type(None)} <= bpr_types["topk"].kinds
    assert "overall.yaml: 300" in bpr_types["epochs"].sources


@pytest.mark.parametrize("arg", ["--epochs=5", "--learning_rate=1", "--learning_rate=1e-3", "--topk=10", "--topk=[5,10]",
                                 "--metrics=Recall", "--train_neg_sample_args=None", "--gpu_id=0", "--gpu_id=(0,1)",
                                 "--eval_args={'mode':'uni100'}", "--show_progress=False", "--state=ERROR",
                                 "--some_key_no_file_knows=abc"])
def test_values_recbole_accepts_pass(bpr_types, arg):
    check_overrides(parse_overrides([arg]), bpr_types)


@pytest.mark.parametrize("arg, problem", [
    ("--epochs=abc", "--epochs=abc: expected int, got str"),
    ("--epochs=1.5", "expected int, got float"),
    ("--show_progress=3", "expected bool, got int"),
    ("--learning_rate=fast", "expected float, got str"),
    ("--eval_args=full", "expected dict, got str"),
])
def test_wrong_types_are_refused(bpr_types, arg, problem):
    with pytest.raises(OverrideError, match=problem):
        check_overrides(parse_overrides([arg]), bpr_types)


def test_plugin_model_defaults_give_types():
    types = expected_types(config_files_for("ContextGNN", "ml-100k", [], None))
    with pytest.raises(OverrideError, match="--num_layers=two: expected int"):
        check_overrides(parse_overrides(["--num_layers=two"]), types)


@pytest.mark.parametrize("args, problem", [(["--epochs", "5"], r"write --epochs=VALUE"), (["5"], "unrecognised argument '5'"),
                                           (["--a=1=2"], "--key=value"), (["--epochs=1", "--epochs=2"], "given twice")])
def test_malformed_overrides_are_refused(args, problem):
    with pytest.raises(OverrideError, match=problem):
        parse_overrides(args)


def test_device_cpu_becomes_an_empty_gpu_id():
    assert device_override({"device": "cpu", "epochs": "1"}) == {"gpu_id": "", "epochs": "1"}
    with pytest.raises(OverrideError, match="contradicts"):
        device_override({"device": "cpu", "gpu_id": "0"})
    with pytest.raises(OverrideError, match="expected cpu, cuda or cuda:N"):
        device_override({"device": "gpu"})


def test_absent_gpu_is_an_error_that_says_how_to_use_the_cpu(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(OverrideError, match=r"--device=cuda: no CUDA device here .*--device=cpu"):
        device_override({"device": "cuda"})
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert device_override({"device": "cuda:1"}) == {"gpu_id": "1"}
    with pytest.raises(OverrideError, match="GPU 2 does not exist"):
        device_override({"device": "cuda:2"})
    assert arguments.device_override({"device": "cuda"}) == {}
