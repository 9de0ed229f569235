"""`run_recbole` end to end in a subprocess, as a user runs it."""
import subprocess
import sys

RUN = [sys.executable, "-m", "recbole_ctx.quick_start.cli"]


def test_run_recbole_prints_valid_and_test_table():
    proc = subprocess.run(RUN + ["--model=BPR", "--dataset=ml-100k", "--epochs=1", "--embedding_size=8",
                                 "--state=ERROR", "--show_progress=False"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert "BPR on ml-100k" in lines
    for metric in ("recall", "ndcg", "hit", "map", "mrr"):
        for k in (10, 20):
            row = next(line for line in lines if line.startswith(f"| {metric}@{k} "))
            valid, test = (float(c) for c in row.strip("|").split("|")[1:3])
            assert 0.0 <= valid <= 1.0 and 0.0 <= test <= 1.0


def test_unknown_model_and_dataset_give_one_clear_error():
    proc = subprocess.run(RUN + ["--model=NoSuchModel", "--dataset=ml-100k"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Unknown model 'NoSuchModel'" in proc.stderr and "Traceback" not in proc.stderr
    proc = subprocess.run(RUN + ["--model=BPR", "--dataset=no-such-set"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "dataset 'no-such-set'" in proc.stderr and "ml-100k" in proc.stderr and "Traceback" not in proc.stderr
