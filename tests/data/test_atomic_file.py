"""One atomic file's rows: line numbers of the rows pyarrow reads, field counts and empty
ids across the blocks numpy reads, on real files."""
from __future__ import annotations

import pytest

from recbole_ctx.data import atomic_file
from recbole_ctx.data.atomic_file import AtomicFileError, scan
from support.atomic import INTER_HEADER, inter_rows

ROWS = inter_rows()


def _lines(*extra: str, at: int) -> str:
    """The good file with ``extra`` rows inserted before data row ``at``."""
    return "\n".join([INTER_HEADER, *ROWS[:at], *extra, *ROWS[at:]]) + "\n"


@pytest.mark.parametrize("text, rows", [
    (b"a:token\tb:float\n1\t2\n3\t4\n", [2, 3]),
    (b"a:token\tb:float\r\n1\t2\r\n\r\n3\t4", [2, 4]),  # CRLF, a blank line, no final newline
    (b"a:token\tb:float\n1\t2\n   \n\"x\ty\"\t4\n5\t6\n", [2, 5]),  # whitespace line; quoted line left to RecBole
])
def test_scan_rows_and_lines(tmp_path, text, rows):
    path = tmp_path / "f.inter"
    path.write_bytes(text)
    layout = scan(str(path), "\t", "utf-8", need_rows=True)
    assert [layout.line(r) for r in range(len(rows))] == rows


def test_scan_refuses_before_pyarrow_sees_it(tmp_path):
    path = tmp_path / "f.inter"
    path.write_bytes(b"a:token\tb:float\n1\t2\n3\n")
    with pytest.raises(AtomicFileError, match=r"f\.inter:3: 1 fields, the header has 2"):
        scan(str(path), "\t", "utf-8", need_rows=True)


@pytest.mark.parametrize("block", [16, 64, 1 << 20])
@pytest.mark.parametrize("bad, line, problem", [("u7\ti3\t2", 31, "3 fields, the header has 4"),
                                                ("u7\t\t2\t9", 31, "empty item_id"),
                                                ("\ti3\t2\t9\r", 31, "empty user_id")])
def test_line_numbers_hold_across_blocks(tmp_path, monkeypatch, block, bad, line, problem):
    monkeypatch.setattr(atomic_file, "_BLOCK", block)
    path = tmp_path / "f.inter"
    path.write_text(_lines(bad, at=line - 2))
    with pytest.raises(AtomicFileError) as err:
        scan(str(path), "\t", "utf-8", need_rows=True, id_fields=["user_id", "item_id"])
    assert str(err.value).startswith(f"{path}:{line}: {problem}"), str(err.value)
    path.write_text(_lines(at=0))
    scan(str(path), "\t", "utf-8", need_rows=True, id_fields=["user_id", "item_id"])
