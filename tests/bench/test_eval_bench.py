"""``recbole-ctx bench eval``: the Gowalla scale reads ``<--data-dir>/gowalla`` and says what is missing."""
import pytest

from recbole_ctx.bench.eval import _parse


def test_missing_gowalla_names_the_files_and_their_source(tmp_path, capsys):
    with pytest.raises(SystemExit):
        _parse(["--scales", "gowalla", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert f"{tmp_path / 'gowalla'}: not found" in err and "train.txt, test.txt" in err and "LightGCN" in err


def test_gowalla_folder_is_taken_from_the_data_dir(tmp_path):
    (tmp_path / "gowalla").mkdir()
    for name in ("train.txt", "test.txt"):
        (tmp_path / "gowalla" / name).write_text("0 1 2\n")
    assert _parse(["--scales", "gowalla", "--data-dir", str(tmp_path)]).gowalla == tmp_path / "gowalla"
    assert _parse(["--quick", "--data-dir", str(tmp_path / "none")]).gowalla is None  # ml-100k only
