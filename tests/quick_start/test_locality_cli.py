"""The ``recbole-ctx locality`` command: a table per split and k, refusal of a static dataset."""
from __future__ import annotations

import yaml

import recbole_ctx  # noqa: F401  (RecBole compatibility)
from recbole_ctx.quick_start.locality_cli import main
from support.temporal import tiny_dataset


def test_locality_cli_on_tiny_dataset(tmp_path, capsys):
    tiny_config = tiny_dataset(tmp_path)
    folder = tmp_path / "tiny-temporal"
    keys = ("load_col", "val_timestamp", "test_timestamp", "timedelta", "eval_k")
    (folder / "tiny-temporal.yaml").write_text(yaml.safe_dump({k: tiny_config[k] for k in keys}))
    assert main(["--dataset", "tiny-temporal", "--data-path", str(tmp_path), "--k", "1", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    table = {line.split()[0]: line.split()[1:] for line in lines[2:]}
    # valid (T = day 4): u1 -> c (u1 -b- u2 -c: 3 hops), u2 -> a (u2 -b- u1 -a: 3 hops),
    # u3 -> d (d has no event before day 5.5): k=1 0/3, k=3 2/3.
    # test (T = day 6): u1 -> a (seen at day 1), u4 -> e (no event before day 6.5): 1/2 and 1/2.
    assert table["val"] == ["0.000", "0.667", "3"]
    assert table["test"] == ["0.500", "0.500", "2"]


def test_locality_cli_rejects_static_dataset(tmp_path, capsys):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "static.inter").write_text("user_id:token\titem_id:token\nu\ta\n")
    assert main(["--dataset", "static", "--data-path", str(tmp_path)]) == 2
    assert "not temporal" in capsys.readouterr().err
