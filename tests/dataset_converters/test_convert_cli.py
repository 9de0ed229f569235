"""``recbole-ctx convert`` command line: a missing source is named before any format looks into it."""
import pytest

from dataset_converters.cli import FORMATS, main


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_source_is_one_line_naming_it(fmt, tmp_path, capsys):
    missing = tmp_path / "no-such-folder"
    assert main([fmt, str(missing), "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err.strip() == f"error: {missing}: no such file or folder"
    assert not (tmp_path / "out").exists()
