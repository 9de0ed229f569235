"""Checkpoint files: unique names, atomic writes (real processes: runs started together,
a kill between write and rename) and one ``FILE: problem`` error for every bad file."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
import yaml

import recbole_ctx  # noqa: F401  (compat layer)
from fixtures.tiny_recbole import write_tiny_dataset
from recbole_ctx.compat.checkpoint_file import (
    CheckpointError,
    UnsafeCheckpointError,
    check_weights,
    load_checkpoint,
    save_atomically,
    unique_local_time,
)

RUN_RECBOLE = Path(sys.executable).with_name("run_recbole")
STAMP = r"[A-Z][a-z]{2}-\d{2}-\d{4}_\d{2}-\d{2}-\d{2}\.\d{6}-pid\d+"


def test_stamps_keep_recboles_pattern_and_never_repeat():
    stamps = [unique_local_time() for _ in range(2000)]
    assert len(set(stamps)) == len(stamps)
    assert all(re.fullmatch(STAMP, s) for s in stamps[:5])
    assert stamps[0].endswith(f"-pid{os.getpid()}")


def test_save_leaves_no_temporary_file(tmp_path):
    save_atomically({"state_dict": {"w": torch.ones(2)}}, tmp_path / "m.pth")
    assert [p.name for p in tmp_path.iterdir()] == ["m.pth"]


def _tiny_bpr_folder(root: Path) -> None:
    """``root/tiny`` with a yaml that loads it for BPR (``run_recbole --dataset=tiny``)."""
    keys = write_tiny_dataset(root)
    (root / "tiny" / "tiny.yaml").write_text(yaml.safe_dump({"load_col": {"inter": ["user_id", "item_id"]}}))
    assert keys["dataset"] == "tiny"


def test_runs_started_together_keep_their_own_checkpoint(tmp_path):
    _tiny_bpr_folder(tmp_path / "data")
    work = tmp_path / "work"
    work.mkdir()
    sizes = [4, 8, 12, 16]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    procs = [subprocess.Popen([str(RUN_RECBOLE), "--model=BPR", "--dataset=tiny", f"--data_path={tmp_path / 'data'}",
                               "--epochs=1", f"--embedding_size={size}", "--state=ERROR", "--show_progress=False",
                               "--train_batch_size=4096"],
                              cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for size in sizes]
    outs = [p.communicate(timeout=170) for p in procs]
    assert [p.returncode for p in procs] == [0] * len(sizes), [err[-1500:] for _, err in outs]
    files = sorted((work / "saved").iterdir())
    assert all(re.fullmatch(f"BPR-{STAMP}\\.pth", f.name) for f in files), files
    saved_sizes = sorted(load_checkpoint(f)["config"]["embedding_size"] for f in files)
    assert saved_sizes == sizes  # one checkpoint per run, none overwritten, no temporary left


def test_kill_between_write_and_rename_keeps_the_earlier_file(tmp_path):
    target = tmp_path / "BPR-x.pth"
    save_atomically({"state_dict": {"w": torch.zeros(3)}, "version": 1}, target)
    script = textwrap.dedent(f"""
        import os, sys, time, torch
        from recbole_ctx.compat import checkpoint_file

        def stalled_replace(src, dst):
            print("written", flush=True)  # the new bytes are on disk under the temporary name
            time.sleep(60)

        checkpoint_file.os.replace = stalled_replace
        checkpoint_file.save_atomically({{"state_dict": {{"w": torch.ones(1000)}}, "version": 2}}, {str(target)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "written"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert load_checkpoint(target)["version"] == 1
    leftovers = [p.name for p in tmp_path.iterdir() if p != target]
    assert len(leftovers) == 1 and leftovers[0].startswith(".BPR-x.pth.") and leftovers[0].endswith(".tmp")


class _Payload:
    def __reduce__(self):
        return (print, ("arbitrary code ran",))


def _good_bytes(tmp_path: Path) -> bytes:
    save_atomically({"state_dict": {"w": torch.randn(64, 64)}, "config": {"model": "BPR"}}, tmp_path / "good.pth")
    return (tmp_path / "good.pth").read_bytes()


# case -> (bytes of the file from the good file's bytes, or None for no file; words of the problem)
CASES = {
    "missing": (None, "no such file"),
    "empty": (lambda good: b"", "empty file (0 bytes)"),
    "truncated": (lambda good: good[: len(good) // 2], "truncated or damaged"),
    "last bytes cut": (lambda good: good[:-30], "truncated or damaged"),
    "text": (lambda good: b"model: BPR\n", "not a torch checkpoint"),
    "random after pickle opcode": (lambda good: b"\x80" + bytes(range(1, 200)), "truncated or damaged"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_file_is_one_error_naming_it(tmp_path, case):
    make, problem = CASES[case]
    path = tmp_path / "BPR-bad.pth"
    if make is not None:
        path.write_bytes(make(_good_bytes(tmp_path)))
    with pytest.raises(CheckpointError) as err:
        load_checkpoint(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message, message


def test_tampered_and_keyless_files_are_refused(tmp_path):
    torch.save({"state_dict": {}, "config": _Payload()}, tmp_path / "evil.pth")
    with pytest.raises(UnsafeCheckpointError, match=r"evil\.pth: refused to load"):
        load_checkpoint(tmp_path / "evil.pth")
    torch.save({"weights": {}}, tmp_path / "other.pth")
    with pytest.raises(CheckpointError, match=r"other\.pth: not a RecBole checkpoint \(no 'state_dict'"):
        load_checkpoint(tmp_path / "other.pth")


class Tower(torch.nn.Module):
    def __init__(self, n_items: int) -> None:
        super().__init__()
        self.item_embedding = torch.nn.Embedding(n_items, 4)


class Other(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = torch.nn.Linear(4, 4)


def test_weights_that_do_not_fit_name_the_file_and_the_reason():
    saved = {"config": {"model": "Tower"}, "state_dict": Tower(10).state_dict()}
    check_weights("T.pth", Tower(10), saved)  # fits
    with pytest.raises(CheckpointError, match=r"^T\.pth: written for a dataset of another size .*10x4 in the file, "
                                              r"12x4"):
        check_weights("T.pth", Tower(12), saved)
    with pytest.raises(CheckpointError, match=r"^T\.pth: weights of another model: written by Tower, loaded into "):
        check_weights("T.pth", Other(), saved)
    with pytest.raises(CheckpointError, match=r"^T\.pth: weights of another model than Other"):
        check_weights("T.pth", Other(), {"state_dict": saved["state_dict"]})


def test_checkpoint_gets_the_umasks_mode(tmp_path):
    umask = os.umask(0o022)
    try:
        save_atomically({"state_dict": {}}, tmp_path / "m.pth")
    finally:
        os.umask(umask)
    assert (tmp_path / "m.pth").stat().st_mode & 0o777 == 0o644
