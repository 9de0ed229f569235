"""RecBole's ensure_dir checks, then creates: a folder made in between by another DDP rank
must not kill this one."""
import os

import recbole_ctx  # noqa: F401  (applies the compat layer when recbole loads)


def test_a_folder_created_between_check_and_create_is_fine(tmp_path, monkeypatch):
    import recbole.trainer.trainer
    import recbole.utils.logger
    import recbole.utils.utils

    target = tmp_path / "log" / "Model"
    target.mkdir(parents=True)  # the other rank won the race
    monkeypatch.setattr(os.path, "exists", lambda path: False)  # this rank checked before it did
    for module in (recbole.utils.utils, recbole.utils.logger, recbole.trainer.trainer):
        module.ensure_dir(str(target))
    assert target.is_dir()


def test_missing_folders_are_still_created(tmp_path):
    from recbole.utils import ensure_dir

    ensure_dir(str(tmp_path / "a" / "b"))
    assert (tmp_path / "a" / "b").is_dir()
