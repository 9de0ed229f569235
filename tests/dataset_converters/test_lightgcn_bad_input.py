"""LightGCN converter on bad input: one error line naming the file (and line), exit 1,
no traceback, the earlier converted dataset untouched.  One case per class of bad input."""
from __future__ import annotations

import pytest

from dataset_converters.cli import main

GOOD_TRAIN = "0 1 2 3\n1 2 3 4\n2 0 4\n"
GOOD_TEST = "0 4\n1 0\n2 1\n"

# case -> (train.txt bytes or None for missing, test.txt bytes, file named, line named or None, problem)
CASES = {
    "empty train": (b"", GOOD_TEST.encode(), "train.txt", None, "no interactions"),
    "empty test": (GOOD_TRAIN.encode(), b"", "test.txt", None, "no interactions"),
    "uids only": (b"0\n1\n2\n", GOOD_TEST.encode(), "train.txt", None, "no interactions"),
    "missing train": (None, GOOD_TEST.encode(), "train.txt", None, "file not found"),
    "comma separated": (b"0 1 2\n1,2,3\n", GOOD_TEST.encode(), "train.txt", 2, "found ','"),
    "float id": (b"0 1 2\n1 2.5\n", GOOD_TEST.encode(), "train.txt", 2, "found '.'"),
    "negative id": (GOOD_TRAIN.encode(), b"0 1\n1 -3\n", "test.txt", 2, "found '-'"),
    "id beyond int64": (b"0 1\n1 2\n2 99999999999999999999\n", GOOD_TEST.encode(), "train.txt", 3, "larger than the int64"),
    "not utf-8": (b"0 1 2\n1 2\n2 \xff\xfe3\n", GOOD_TEST.encode(), "train.txt", 3, "found"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_and_keeps_earlier_output(tmp_path, refused, case):
    train, test, named, line, problem = CASES[case]
    src, out = tmp_path / "ds", tmp_path / "out"
    src.mkdir()
    (src / "train.txt").write_text(GOOD_TRAIN)
    (src / "test.txt").write_text(GOOD_TEST)
    assert main(["lightgcn", str(src), "--out", str(out)]) == 0  # the earlier, good output
    (src / "train.txt").unlink()
    if train is not None:
        (src / "train.txt").write_bytes(train)
    (src / "test.txt").write_bytes(test)
    message = refused(["lightgcn", str(src)], out, named)
    where = message.split(": ", 2)[1]
    assert where.endswith(named if line is None else f"{named}:{line}"), message
    assert problem in message
