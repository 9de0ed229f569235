"""Session converters on bad input (raw Diginetica / Yoochoose logs, SR-GNN / GCE-GNN pickles):
one error line naming the file (and line), exit 1, no traceback, the earlier output untouched."""
from __future__ import annotations

import pickle

import pytest

from dataset_converters.cli import main

HEADER = "session_id;user_id;item_id;timeframe;eventdate\n"


def _digi_rows(n_sessions: int = 20) -> str:
    """Sessions of 3 clicks on items 1-3: the first half in January, the rest a month later (test)."""
    rows = []
    for s in range(n_sessions):
        day = "2016-01-01" if s < n_sessions // 2 else "2016-02-01"
        rows += [f"{s};NA;{item};{10 * item};{day}\n" for item in (1, 2, 3)]
    return "".join(rows)


GOOD_DIGI = HEADER + _digi_rows()

# case -> (file content, line named or None, problem)
DIGINETICA = {
    "0-byte file": (b"", None, "file is empty"),
    "header only": (HEADER.encode(), 2, "no data rows"),
    "wrong separator": (GOOD_DIGI.replace(";", ",").encode(), 1, "missing column"),
    "extra field": ((HEADER + "1;NA;5;100;2016-01-01\n1;NA;6;200;2016-01-01;x\n").encode(), 3, "6 fields where every row has 5"),
    "text item id": ((HEADER + "1;NA;5;100;2016-01-01\n1;NA;i6;200;2016-01-01\n").encode(), 3, "'i6' is not an integer id"),
    "float item id": ((HEADER + "1;NA;5.5;100;2016-01-01\n").encode(), 2, "'5.5' is not an integer id"),
    "bad date": ((HEADER + "1;NA;5;100;2016-13-01\n").encode(), 2, "not a date"),
    "not utf-8": ((HEADER + "1;NA;5;100;2016-01-01\n1;NA;\xff6;200;2016-01-01\n").encode("latin-1"), 3, "not UTF-8"),
    "nothing left after filtering": ((HEADER + "1;NA;5;100;2016-01-01\n1;NA;6;200;2016-01-01\n").encode(), None,
                                     "no train examples"),
    "test items never in training": ((HEADER + _digi_rows().replace("2016-02-01", "2016-01-01") + "".join(
        f"{s};NA;{item};{item};2016-02-01\n" for s in range(20, 30) for item in (7, 8))).encode(), None, "no test examples"),
}

YOOCHOOSE = {
    "0-byte file": (b"", None, "file is empty"),
    "extra field": (b"1,2014-04-07T10:51:09.277Z,214536502,0\n1,2014-04-07T10:51:09.277Z,214536502,0,9\n", 2,
                    "5 fields where every row has 4"),
    "bad time": (b"1,2014-04-07 10:51,214536502,0\n", 1, "not a date/time"),
}


def _convert_good(src, out) -> None:
    """The earlier, good output: a Diginetica log converted into ``out``."""
    good = src.parent / "good" / "train-item-views.csv"
    good.parent.mkdir(exist_ok=True)
    good.write_text(GOOD_DIGI)
    assert main(["sessions", str(good), "--out", str(out), "--name", src.stem]) == 0


@pytest.mark.parametrize("case", DIGINETICA)
def test_bad_diginetica_log(tmp_path, refused, case):
    content, line, problem = DIGINETICA[case]
    src, out = tmp_path / "train-item-views.csv", tmp_path / "out"
    _convert_good(src, out)
    src.write_bytes(content)
    message = refused(["sessions", str(src), "--name", src.stem], out, src.name)
    assert message.split(": ", 2)[1].endswith(src.name if line is None else f"{src.name}:{line}"), message
    assert problem in message


@pytest.mark.parametrize("case", YOOCHOOSE)
def test_bad_yoochoose_log(tmp_path, refused, case):
    content, line, problem = YOOCHOOSE[case]
    src, out = tmp_path / "yoochoose-clicks.dat", tmp_path / "out"
    _convert_good(src, out)
    src.write_bytes(content)
    message = refused(["sessions", str(src), "--name", src.stem], out, src.name)
    assert message.split(": ", 2)[1].endswith(src.name if line is None else f"{src.name}:{line}"), message
    assert problem in message


GOOD_TEST = ([[1, 2], [2]], [3, 3])

# case -> ({file name: pickled object or raw bytes}, file named, problem)
PICKLES = {
    "test pickle (None, None)": ({"test.txt": (None, None)}, "test.txt", "expected a pickled tuple"),
    "test pickle a list": ({"test.txt": [[1, 2]]}, "test.txt", "expected a pickled tuple"),
    "truncated test pickle": ({"test.txt": pickle.dumps(GOOD_TEST)[:20]}, "test.txt", "not a readable pickle"),
    "float item id in a session": ({"all_train_seq.txt": [[1, 2], [3, 1.5]]}, "all_train_seq.txt",
                                   "session 1, position 1: 1.5 is not an integer item id"),
    "float target": ({"test.txt": ([[1, 2]], [2.5])}, "test.txt", "targets, entry 0: 2.5 is not an integer item id"),
    "text item id": ({"test.txt": ([[1, "7"]], [2])}, "test.txt", "input sequence 0, position 1: '7'"),
    "id beyond int64": ({"all_train_seq.txt": [[1, 2**64]]}, "all_train_seq.txt", "is not an integer item id"),
    "session not a list": ({"all_train_seq.txt": [[1, 2], 3]}, "all_train_seq.txt", "session 1: expected a list"),
    "inputs and targets differ in length": ({"test.txt": ([[1, 2]], [2, 3])}, "test.txt", "1 input sequences but 2 targets"),
    "empty input sequence": ({"test.txt": ([[1], []], [2, 3])}, "test.txt", "example 1 has an empty input sequence"),
    "no training sessions": ({"all_train_seq.txt": [[1]]}, "all_train_seq.txt", "no train examples"),
    "no test examples": ({"test.txt": ([], [])}, "test.txt", "no test examples"),
}


@pytest.mark.parametrize("case", PICKLES)
def test_bad_pickles(tmp_path, refused, case):
    files, named, problem = PICKLES[case]
    src, out = tmp_path / "digi", tmp_path / "out"
    src.mkdir()
    defaults = {"all_train_seq.txt": [[1, 2, 3], [2, 3]], "test.txt": GOOD_TEST}
    for name, obj in defaults.items():
        (src / name).write_bytes(pickle.dumps(obj))
    assert main(["sessions", str(src), "--out", str(out)]) == 0
    for name, obj in files.items():
        (src / name).write_bytes(obj if isinstance(obj, bytes) else pickle.dumps(obj))
    message = refused(["sessions", str(src)], out, named)
    assert problem in message
