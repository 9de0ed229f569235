"""Restricted unpickling and all-or-nothing output folders."""
from __future__ import annotations

import os
import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from dataset_converters.atomic import staged_output, write_atomic
from dataset_converters.errors import ConversionError
from dataset_converters.safe_pickle import load_pickle


class _Exploit:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))  # would run a shell command when unpickled


@pytest.mark.parametrize("allowed", ["plain", "sparse"])
def test_malicious_pickle_is_refused_before_running(tmp_path, allowed):
    marker = tmp_path / "pwned"
    path = tmp_path / "test.txt"
    path.write_bytes(pickle.dumps(([[1, 2]], [_Exploit(str(marker))])))
    with pytest.raises(ConversionError, match=r"refusing to unpickle global (posix|nt)\.system"):
        load_pickle(path, allowed)
    assert not marker.exists()


def test_plain_refuses_numpy_and_sparse_admits_csr(tmp_path):
    matrix = sp.csr_matrix(np.array([[0, 1111], [829, 0]], dtype=np.int32))
    path = tmp_path / "trn_buy"
    path.write_bytes(pickle.dumps(matrix))
    with pytest.raises(ConversionError, match="refusing"):
        load_pickle(path, "plain")
    loaded = load_pickle(path, "sparse")
    assert (loaded != matrix).nnz == 0


def test_object_dtype_array_in_sparse_is_refused(tmp_path):
    matrix = sp.csr_matrix(np.array([[0, 1], [1, 0]], dtype=np.int32))
    matrix.data = matrix.data.astype(object)
    path = tmp_path / "trn_buy"
    path.write_bytes(pickle.dumps(matrix))
    with pytest.raises(ConversionError):
        load_pickle(path, "sparse")


def test_truncated_pickle_names_the_file(tmp_path):
    path = tmp_path / "all_train_seq.txt"
    path.write_bytes(pickle.dumps([[1, 2, 3]] * 100)[:50])
    with pytest.raises(ConversionError, match="all_train_seq.txt: not a readable pickle"):
        load_pickle(path, "plain")


def test_failed_conversion_keeps_previous_output_and_leaves_no_temp(tmp_path):
    dest = tmp_path / "out" / "ds"
    with staged_output(dest) as tmp:
        write_atomic(pd.DataFrame({"user_id": ["1"]}), tmp / "ds.inter", {"user_id": "token"})
    with pytest.raises(RuntimeError):
        with staged_output(dest) as tmp:
            write_atomic(pd.DataFrame({"user_id": ["2"]}), tmp / "ds.inter", {"user_id": "token"})
            raise RuntimeError("interrupted")
    assert (dest / "ds.inter").read_text() == "user_id:token\n1\n"
    assert sorted(p.name for p in dest.parent.iterdir()) == ["ds"]


def test_rerun_replaces_output(tmp_path):
    dest = tmp_path / "ds"
    for value, extra in (("1", "stale.inter"), ("2", None)):
        with staged_output(dest) as tmp:
            write_atomic(pd.DataFrame({"user_id": [value]}), tmp / "ds.inter", {"user_id": "token"})
            if extra:
                (tmp / extra).write_text("x")
    assert sorted(p.name for p in dest.iterdir()) == ["ds.inter"]
    assert (dest / "ds.inter").read_text() == "user_id:token\n2\n"


def test_killed_run_leftovers_are_cleared_and_live_ones_kept(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    # A conversion killed with SIGKILL inside its staged folder: nothing could clean up.
    script = ("import time, pandas as pd\nfrom dataset_converters.atomic import staged_output, write_atomic\n"
              f"with staged_output({str(tmp_path / 'ds')!r}) as tmp:\n"
              "    write_atomic(pd.DataFrame({'user_id': ['9']}), tmp / 'ds.inter', {'user_id': 'token'})\n"
              "    print('staged', flush=True)\n    time.sleep(60)\n")
    with staged_output(tmp_path / "ds") as tmp:
        write_atomic(pd.DataFrame({"user_id": ["1"]}), tmp / "ds.inter", {"user_id": "token"})
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "staged\n"
    alive = next(tmp_path.glob(".ds.tmp-*"))
    with staged_output(tmp_path / "other"):
        pass
    assert alive.is_dir()  # another dataset's conversion, or a live one: untouched
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(0.1)
    assert alive.is_dir()
    with staged_output(tmp_path / "ds") as tmp:
        write_atomic(pd.DataFrame({"user_id": ["2"]}), tmp / "ds.inter", {"user_id": "token"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds", "other"]
    assert (tmp_path / "ds" / "ds.inter").read_text() == "user_id:token\n2\n"


def test_previous_output_moved_aside_by_a_killed_run_is_restored(tmp_path):
    aside = tmp_path / ".ds.old-999999999"  # no such process
    aside.mkdir()
    (aside / "ds.inter").write_text("user_id:token\n1\n")
    with pytest.raises(RuntimeError):
        with staged_output(tmp_path / "ds"):
            raise RuntimeError("this run fails too")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]
    assert (tmp_path / "ds" / "ds.inter").read_text() == "user_id:token\n1\n"


def test_ctrl_c_prints_one_line_and_keeps_output(tmp_path, monkeypatch, capsys):
    from dataset_converters import lightgcn
    from dataset_converters.cli import main

    src = tmp_path / "g"
    src.mkdir()
    (src / "train.txt").write_text("0 1 2\n1 2 3\n")
    (src / "test.txt").write_text("0 3\n1 1\n")
    assert main(["lightgcn", str(src), "--out", str(tmp_path / "out")]) == 0
    before = (tmp_path / "out" / "g" / "g.train.inter").read_bytes()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(lightgcn, "holdout_mask", interrupted)
    capsys.readouterr()
    assert main(["lightgcn", str(src), "--out", str(tmp_path / "out")]) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: interrupted") and "Traceback" not in err
    assert (tmp_path / "out" / "g" / "g.train.inter").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["g"]
