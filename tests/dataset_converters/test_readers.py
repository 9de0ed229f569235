"""Chunked CSV reading keeps exact line numbers across chunks."""
from __future__ import annotations

import numpy as np
import pytest

from dataset_converters.errors import ConversionError
from dataset_converters.readers import integers, read_columns, seconds


def test_values_across_chunks(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("a,b,when\n" + "".join(f"{i},{i * 2},2015-11-{1 + i % 28:02d}\n" for i in range(10)))
    cols = read_columns(path, ",", {"a": integers(), "when": seconds("%Y-%m-%d")}, chunk_rows=3)
    assert cols["a"].tolist() == list(range(10))
    assert cols["when"][0] == 1446336000.0  # 2015-11-01 UTC


@pytest.mark.parametrize(
    ("bad_row", "match"),
    [("7,x,2015-11-01", r"log.csv:9: column 'b': 'x' is not an integer id"),
     ("7,,2015-11-01", r"log.csv:9: empty value in column 'b'"),
     ("7,1,2015-13-01", r"log.csv:9: column 'when': '2015-13-01' is not a date")],
)
def test_bad_value_in_a_later_chunk_names_its_line(tmp_path, bad_row, match):
    rows = [f"{i},{i},2015-11-01" for i in range(10)]
    rows[7] = bad_row  # file line 9 (after the header)
    path = tmp_path / "log.csv"
    path.write_text("a,b,when\n" + "\n".join(rows) + "\n")
    with pytest.raises(ConversionError, match=match):
        read_columns(path, ",", {"a": integers(), "b": integers(), "when": seconds("%Y-%m-%d")}, chunk_rows=3)


def test_optional_column_may_be_empty_or_absent(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("a,brand\n1,\n2,5\n")
    cols = read_columns(path, ",", {"a": integers()}, optional={"brand": integers(missing=-1), "cat": integers()})
    assert cols["brand"].tolist() == [-1, 5] and "cat" not in cols
    assert isinstance(cols["a"], np.ndarray)
