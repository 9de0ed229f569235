"""Atomic files checked before a run loads them: each bad file is one line
``run_recbole: FILE:LINE: problem`` (exit 2, no traceback); the files RecBole reads fine,
the checks read fine too."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from support.atomic import INTER_HEADER, inter_rows, run_cli_in_process, write_static
from support.temporal import tiny_dataset

QUIET = ["--state=ERROR", "--show_progress=False", "--epochs=1", "--embedding_size=4"]
ROWS = inter_rows()
ALL_COLUMNS = {"load_col": {"inter": ["user_id", "item_id", "rating", "timestamp"]}}


def _lines(*extra: str, header: str = INTER_HEADER, at: int | None = None) -> str:
    """The good file with ``extra`` rows inserted before data row ``at`` (appended by default)."""
    rows = list(ROWS)
    rows[len(rows) if at is None else at:len(rows) if at is None else at] = extra
    return "\n".join([header, *rows]) + "\n"


# case -> (bytes of tiny.inter, dataset yaml or None, line named (None: the file), words of the problem)
CASES = {
    "too few fields": (_lines("u1\ti1\t3", at=5), None, 7, "3 fields, the header has 4"),
    "too many fields": (_lines("u1\ti1\t3\t5\t9"), None, len(ROWS) + 2, "5 fields, the header has 4"),
    "header without types": (_lines(header="user_id\titem_id\trating\ttimestamp"), None, 1,
                             "header field 'user_id' is not name:type"),
    "header of unknown type": (_lines(header="user_id:int\titem_id:token\trating:float\ttimestamp:float"), None, 1,
                               "unknown type 'int'"),
    "header twice the same": (_lines(header="user_id:token\tuser_id:token\trating:float\ttimestamp:float"), None,
                              1, "'user_id' appears twice"),
    "empty file": ("", None, None, "empty file"),
    "byte-order mark": ("\ufeff" + _lines(), None, 1, "byte-order mark"),
    "blank lines only": ("\n\n  \n", None, None, "empty file"),
    "header only": (INTER_HEADER + "\n", None, None, "header only, no rows"),
    "not utf-8": (_lines("u1\ti\xff\t3\t5", at=2), None, 4, "not valid utf-8 (byte 0xff"),
    "rating not a number": (_lines("u1\ti1\tthree\t5", at=0), ALL_COLUMNS, 2, "rating: 'three' is not a number"),
    "time not a number": (_lines("u1\ti1\t3\t12:00"), ALL_COLUMNS, len(ROWS) + 2, "timestamp: '12:00' is not a number"),
    "empty user id": (_lines("\ti1\t3\t5", at=3), None, 5, "empty user_id"),
    "empty item id": (_lines("u1\t\t3\t5", at=3), None, 5, "empty item_id"),
    "load_col field absent": (_lines(), {"load_col": {"inter": ["user_id", "item_id", "rating_x"]}}, 1,
                              "no field 'rating_x', which load_col.inter asks for"),
}


@pytest.fixture
def run_cli(tmp_path, monkeypatch, capsys):
    """``run_cli(dataset, *args) -> (status, stderr lines)``: ``run_recbole`` in process."""

    def run(dataset: str, *args: str, model: str = "BPR") -> tuple[int, list[str]]:
        return run_cli_in_process([f"--model={model}", f"--dataset={dataset}", f"--data_path={tmp_path / 'data'}",
                                   *QUIET, *args], monkeypatch, capsys)

    return run


@pytest.mark.parametrize("case", CASES)
def test_bad_atomic_file_is_one_line_naming_file_and_line(tmp_path, run_cli, case):
    text, config, line, problem = CASES[case]
    inter = write_static(tmp_path / "data")
    inter.write_bytes(text.encode("utf-8", "surrogateescape") if "\xff" not in text else text.encode("latin-1"))
    if config is not None:
        (inter.parent / "tiny.yaml").write_text(yaml.safe_dump(config))
    status, lines = run_cli("tiny")
    assert status == 2 and len(lines) == 1, lines
    where = f"{inter}:{line}" if line is not None else str(inter)
    assert lines[0].startswith(f"run_recbole: {where}: ") and problem in lines[0], lines[0]


def test_benchmark_file_named_but_absent(tmp_path, run_cli):
    inter = write_static(tmp_path / "data")
    inter.rename(inter.with_name("tiny.train.inter"))
    (inter.parent / "tiny.test.inter").write_text(_lines())
    (inter.parent / "tiny.yaml").write_text(yaml.safe_dump({"benchmark_filename": ["train", "valid", "test"]}))
    status, lines = run_cli("tiny")
    assert status == 2 and lines == [f"run_recbole: {inter.parent / 'tiny.valid.inter'}: no such file "
                                     "(named by benchmark_filename)"]


def test_files_recbole_reads_pass(tmp_path, run_cli):
    """Float-looking tokens, CRLF line ends, blank lines, NA floats, no final newline."""
    inter = write_static(tmp_path / "data")
    rows = [r.replace("u1\t", "22.0\t") for r in ROWS] + ["u3\ti39\t\t5", "", "u4\ti38\tNA\t7"]
    inter.write_bytes("\r\n".join([INTER_HEADER, *rows]).encode())
    (inter.parent / "tiny.yaml").write_text(yaml.safe_dump(ALL_COLUMNS))
    status, lines = run_cli("tiny")
    assert status == 0, lines


def _temporal(tmp_path: Path) -> Path:
    config = tiny_dataset(tmp_path / "data")
    folder = tmp_path / "data" / "tiny-temporal"
    keep = {k: v for k, v in config.items() if k not in ("data_path", "checkpoint_dir", "state", "metrics", "topk")}
    (folder / "tiny-temporal.yaml").write_text(yaml.safe_dump(keep))
    return folder


@pytest.mark.parametrize("row, field", [("u9\t345600.0\ta", "user_id 'u9'"), ("u1\t345600.0\tzz", "item_id 'zz'")])
def test_label_naming_unknown_entity_is_refused(tmp_path, run_cli, row, field):
    folder = _temporal(tmp_path)
    label = folder / "tiny-temporal.valid.label"
    label.write_text(label.read_text() + row + "\n")
    status, lines = run_cli("tiny-temporal")
    assert status == 2 and len(lines) == 1, lines
    assert lines[0].startswith(f"run_recbole: {label}:5: {field} appears in no .inter row"), lines[0]


def test_label_row_of_wrong_width_and_good_temporal_run(tmp_path, run_cli):
    folder = _temporal(tmp_path)
    status, lines = run_cli("tiny-temporal", "--topk=[3]", "--metrics=['Recall']", "--valid_metric=Recall@3")
    assert status == 0, lines
    label = folder / "tiny-temporal.test.label"
    label.write_text(label.read_text() + "u1\t518400.0\n")
    status, lines = run_cli("tiny-temporal")
    assert status == 2 and lines == [f"run_recbole: {label}:4: 2 fields, the header has 3 (fields are separated "
                                     "by '\\t')"], lines
