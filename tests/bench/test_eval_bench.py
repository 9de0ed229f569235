"""``recbole-ctx bench eval``: where its data comes from (the Gowalla folder, the LightGCN converter, the generated scale)."""
import pandas as pd
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


def test_gowalla_is_written_by_the_lightgcn_converter_with_valid_equal_to_test(tmp_path):
    from recbole_ctx.bench.eval import write_gowalla

    src = tmp_path / "gowalla"
    src.mkdir()
    (src / "train.txt").write_text("0 1 2\n1 0\n")
    (src / "test.txt").write_text("0 3\n1 2\n")
    name = write_gowalla(src, tmp_path / "out")
    folder = tmp_path / "out" / name
    read = {split: (folder / f"{name}.{split}.inter").read_text().splitlines() for split in ("train", "valid", "test")}
    assert read["train"] == ["user_id:token\titem_id:token", "0\t1", "0\t2", "1\t0"]
    assert read["valid"] == read["test"] == ["user_id:token\titem_id:token", "0\t3", "1\t2"]


def test_generated_scale_writes_a_split_of_every_users_items(tmp_path):
    from recbole_ctx.bench.eval import write_generated

    name = write_generated(tmp_path, n_users=20, n_items=50, n_inter=400, seed=0)
    frames = {split: pd.read_csv(tmp_path / name / f"{name}.{split}.inter", sep="\t")
              for split in ("train", "valid", "test")}
    assert all(list(f.columns) == ["user_id:token", "item_id:token"] for f in frames.values())
    pairs = pd.concat(frames.values())
    assert not pairs.duplicated().any() and pairs.groupby("user_id:token").size().min() >= 10
    assert len(frames["train"]) > len(frames["valid"]) + len(frames["test"])
