"""`run_recbole` end to end in a subprocess, as a user runs it."""
import subprocess
import sys

import pytest

RUN = [sys.executable, "-m", "recbole_ctx.quick_start.cli"]


def test_run_recbole_prints_valid_and_test_table(tmp_path):
    from recbole_ctx.quick_start import run_recbole

    settings = {"epochs": 1, "embedding_size": 8, "state": "ERROR", "show_progress": False}
    proc = subprocess.run(RUN + ["--model=bpr", "--dataset=ml-100k"] + [f"--{k}={v}" for k, v in settings.items()],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert "BPR on ml-100k" in lines
    # Reference: the same fixed-seed run in process; the table must show its numbers.
    reference = run_recbole("BPR", "ml-100k", config_dict={**settings, "checkpoint_dir": str(tmp_path / "ref")})
    for metric in ("recall", "ndcg", "hit", "map", "mrr"):
        for k in (10, 20):
            row = next(line for line in lines if line.startswith(f"| {metric}@{k} "))
            valid, test = (float(c) for c in row.strip("|").split("|")[1:3])
            key = f"{metric}@{k}"
            assert (valid, test) == pytest.approx((reference["best_valid_result"][key], reference["test_result"][key]),
                                                  abs=1e-4), key
    assert reference["test_result"]["recall@20"] > reference["test_result"]["recall@10"] > 0


def test_unknown_model_and_dataset_give_one_clear_error():
    proc = subprocess.run(RUN + ["--model=NoSuchModel", "--dataset=ml-100k"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Unknown model 'NoSuchModel'" in proc.stderr and "Traceback" not in proc.stderr
    proc = subprocess.run(RUN + ["--model=BPR", "--dataset=no-such-set"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "dataset 'no-such-set'" in proc.stderr and "ml-100k" in proc.stderr and "Traceback" not in proc.stderr


def _refused(args, cwd=None):
    """Run ``run_recbole ARGS``; assert exit 2 with one stderr line and no traceback; return it."""
    proc = subprocess.run(RUN + args, capture_output=True, text=True, timeout=300, cwd=cwd)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and not proc.stdout  # nothing loaded, no config printed
    return lines[0]


def test_bad_override_is_refused_before_any_data_loads():
    assert "--epochs=abc: expected int, got str" in _refused(["--model=BPR", "--epochs=abc"])
    assert "write --epochs=VALUE" in _refused(["--model=BPR", "--epochs", "5"])


def test_absent_gpu_is_an_error():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert "run on the CPU with --device=cpu" in _refused(["--model=BPR", "--device=cuda"])


def test_misspelt_model_gets_a_suggestion():
    assert "Did you mean 'LightGCN'" in _refused(["--model=LightGNC"])


def test_lightgcn_folder_without_train_txt_names_the_missing_file(tmp_path):
    (tmp_path / "amazon-book").mkdir()
    (tmp_path / "amazon-book" / "test.txt").write_text("0 1 2\n")
    message = _refused(["--model=BPR", "--dataset=amazon-book", f"--data_path={tmp_path}"])
    assert "amazon-book/train.txt: file not found" in message


def test_staging_folders_are_not_offered_as_datasets(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / ".real.tmp-12-abc").mkdir()
    message = _refused(["--model=BPR", "--dataset=nope", f"--data_path={tmp_path}"])
    assert "real" in message and ".real.tmp" not in message


def _modules_after(argv_code: str) -> set:
    code = ("import sys\n" + argv_code + "\n"
            "print(sorted(m for m in ('torch', 'recbole', 'pandas') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("argv", [["--help"], ["convert", "--help"], ["bench", "--help"]])
def test_help_imports_no_torch(argv):
    call = f"from recbole_ctx.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass"
    assert _modules_after(call) == "[]"


@pytest.mark.parametrize("entry", ["recbole_ctx.quick_start.cli:run_recbole_main", "recbole_ctx.quick_start.locality_cli:main"])
def test_run_and_locality_help_import_no_torch(entry):
    module, func = entry.split(":")
    call = f"from {module} import {func}\ntry:\n    {func}(['--help'])\nexcept SystemExit:\n    pass"
    assert _modules_after(call) == "[]"
