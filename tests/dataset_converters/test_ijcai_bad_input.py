"""IJCAI-15 converter on bad input (raw log and TGT pickles): one error line naming the file
(and line), exit 1, no traceback, the earlier output untouched."""
from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse as sp

from dataset_converters.cli import main

HEADER = "user_id,item_id,cat_id,seller_id,brand_id,time_stamp,action_type\n"
GOOD_LOG = HEADER + "".join(f"{u},{i},1,2,,{1101 + i},{2 if i == 3 else 0}\n" for u in range(4) for i in range(4))

# case -> (log bytes, line named or None, problem)
RAW = {
    "0-byte file": (b"", None, "file is empty"),
    "header only": (HEADER.encode(), 2, "no data rows"),
    "no buy events": (GOOD_LOG.replace(",2\n", ",0\n").encode(), None, "no buy events"),
    "missing column": (GOOD_LOG.replace("action_type", "action").encode(), 1, "missing column(s) ['action_type']"),
    "extra field": ((GOOD_LOG + "1,2,1,2,,1101,0,9\n").encode(), 18, "8 fields where every row has 7"),
    "bad action": ((GOOD_LOG + "1,2,1,2,,1101,7\n").encode(), 18, "action_type 7"),
    "bad day": ((GOOD_LOG + "1,2,1,2,,1341,0\n").encode(), 18, "time_stamp 1341"),
    "float id": ((GOOD_LOG + "1,2.5,1,2,,1101,0\n").encode(), 18, "'2.5' is not an integer id"),
    "not utf-8": ((GOOD_LOG + "1,\xe92,1,2,,1101,0\n").encode("latin-1"), 18, "not UTF-8"),
}


@pytest.mark.parametrize("case", RAW)
def test_bad_raw_log(tmp_path, refused, case):
    content, line, problem = RAW[case]
    src, out = tmp_path / "user_log_format1.csv", tmp_path / "out"
    src.write_text(GOOD_LOG)
    assert main(["ijcai", str(src), "--out", str(out), "--name", "tmall"]) == 0
    src.write_bytes(content)
    message = refused(["ijcai", str(src), "--name", "tmall"], out, src.name)
    assert message.split(": ", 2)[1].endswith(src.name if line is None else f"{src.name}:{line}"), message
    assert problem in message


def _csr(dense) -> sp.csr_matrix:
    return sp.csr_matrix(np.asarray(dense, dtype=np.float64))


GOOD_BUY = [[1101, 0, 0], [0, 1102, 0]]


def _nan_matrix():
    m = _csr(GOOD_BUY)
    m.data[0] = np.nan
    return m


def _column_beyond():
    m = _csr(GOOD_BUY)
    m.indices = m.indices.copy()
    m.indices[1] = 9
    return m


# case -> ({file: object}, file named, problem)
PICKLES = {
    "NaN in the matrix": ({"trn_buy": _nan_matrix()}, "trn_buy", "value nan is not a 2015 day"),
    "column index beyond the matrix": ({"trn_buy": _column_beyond()}, "trn_buy", "column index 9 is outside the 3 items"),
    "fractional day": ({"trn_buy": _csr([[1101.5, 0, 0], [0, 1102, 0]])}, "trn_buy", "1101.5 is not a 2015 day"),
    "not a day": ({"trn_buy": _csr([[1341, 0, 0], [0, 1102, 0]])}, "trn_buy", "value 1341 is not a 2015 day"),
    "shapes differ": ({"trn_cart": _csr([[1101, 0], [0, 0]])}, "trn_buy", "shape (2, 3) differs from the other behaviours' (2, 2)"),
    "no interactions": ({"trn_buy": _csr([[0, 0, 0], [0, 0, 0]]), "trn_cart": _csr([[0, 0, 0], [0, 0, 0]])}, "ijcai",
                        "hold no interactions"),
    "no test items": ({"tst_int": [None, None]}, "tst_int", "every entry is None"),
    "float test item": ({"tst_int": [1.5, None]}, "tst_int", "entry of user 0: 1.5"),
    "test item beyond the items": ({"tst_int": [None, 3]}, "tst_int", "entry of user 1: 3 is not None or an item id in [0, 3)"),
    "test list of another length": ({"tst_int": [1]}, "tst_int", "one entry per user (2)"),
    "a list, not a matrix": ({"trn_buy": [[1, 2]]}, "trn_buy", "expected a scipy sparse user x item matrix, got list"),
}


@pytest.mark.parametrize("case", PICKLES)
def test_bad_pickles(tmp_path, refused, case):
    files, named, problem = PICKLES[case]
    src, out = tmp_path / "ijcai", tmp_path / "out"
    src.mkdir()
    good = {"trn_buy": _csr(GOOD_BUY), "trn_cart": _csr([[0, 1101, 0], [0, 0, 1101]]), "tst_int": [2, None]}
    for name, obj in good.items():
        (src / name).write_bytes(pickle.dumps(obj))
    assert main(["ijcai", str(src), "--out", str(out)]) == 0
    for name, obj in files.items():
        (src / name).write_bytes(pickle.dumps(obj))
    message = refused(["ijcai", str(src)], out, named)
    assert problem in message
