"""RecBole's ``load_data_and_model`` (installed by the plugin) and the trainers' best-model
load: every bad checkpoint is one ``CheckpointError`` naming the file and the problem."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
import yaml

import recbole_ctx  # noqa: F401  (installs the loader on recbole.quick_start)
from fixtures.tiny_recbole import write_tiny_dataset
from recbole_ctx.compat import CheckpointError

QUIET = {"show_progress": False, "state": "ERROR", "checkpoint_dir": "saved"}


@pytest.fixture
def trained(tmp_path) -> tuple[Path, Path]:
    """(checkpoint of a 1-epoch BPR on a tiny dataset, that dataset's .inter file)."""
    from recbole_ctx.quick_start import run_recbole

    write_tiny_dataset(tmp_path / "data")
    (tmp_path / "data" / "tiny" / "tiny.yaml").write_text(
        yaml.safe_dump({"load_col": {"inter": ["user_id", "item_id"]}}))
    result = run_recbole("BPR", "tiny", config_dict={**QUIET, "epochs": 1, "embedding_size": 8,
                                                     "data_path": str(tmp_path / "data")})
    return Path(result["saved_model_file"]), tmp_path / "data" / "tiny" / "tiny.inter"


def _load(path: Path):
    from recbole.quick_start import load_data_and_model

    return load_data_and_model(str(path))


def _refused(path: Path, problem: str) -> str:
    with pytest.raises(CheckpointError) as err:
        _load(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message, message
    return message


def test_good_checkpoint_loads(trained):
    checkpoint, _ = trained
    config, model, *_ = _load(checkpoint)
    assert config["model"] == "BPR"
    assert torch.equal(model.user_embedding.weight,
                       torch.load(checkpoint, weights_only=True)["state_dict"]["user_embedding.weight"])


def test_truncated_and_empty_files(trained, tmp_path):
    checkpoint, _ = trained
    cut, empty = tmp_path / "cut.pth", tmp_path / "empty.pth"
    cut.write_bytes(checkpoint.read_bytes()[:500])
    empty.write_bytes(b"")
    _refused(cut, "truncated or damaged")
    _refused(empty, "empty file (0 bytes)")
    _refused(tmp_path / "absent.pth", "no such file")


def test_another_models_weights(trained, tmp_path):
    checkpoint, _ = trained
    state = torch.load(checkpoint, weights_only=True)
    state["state_dict"] = {"item_cnt": torch.zeros(31, 1), "fake_loss": torch.zeros(1)}  # Pop's
    torch.save(state, tmp_path / "swapped.pth")
    _refused(tmp_path / "swapped.pth", "weights of another model than BPR")


def test_dataset_of_another_size(trained):
    checkpoint, inter = trained
    with inter.open("a") as f:
        f.write("u_new\ti_new\t3\t2000000\n")  # one user and one item more than at training
    message = _refused(checkpoint, "written for a dataset of another size")
    assert "41x8 in the file" in message or "31x8 in the file" in message


def test_dataset_gone(trained):
    checkpoint, inter = trained
    shutil.rmtree(inter.parent)
    _refused(checkpoint, "cannot load its dataset 'tiny'")


def test_trainer_evaluate_names_a_damaged_best_model(trained, tmp_path):
    from recbole_ctx.protocol import Protocol

    checkpoint, _ = trained
    config, model, _, _, _, test = _load(checkpoint)
    cut = tmp_path / "cut.pth"
    cut.write_bytes(checkpoint.read_bytes()[:-40])
    trainer = Protocol.resolve(config).trainer(config, model)
    with pytest.raises(CheckpointError, match=f"^{cut}: truncated or damaged"):
        trainer.evaluate(test, load_best_model=True, model_file=str(cut))


def test_resume_names_a_bad_checkpoint_and_takes_a_good_one(trained, tmp_path):
    from recbole_ctx.protocol import Protocol

    checkpoint, _ = trained
    config, model, *_ = _load(checkpoint)
    trainer = Protocol.resolve(config).trainer(config, model)
    empty = tmp_path / "empty.pth"
    empty.write_bytes(b"")
    with pytest.raises(CheckpointError, match=f"^{empty}: empty file"):
        trainer.resume_checkpoint(str(empty))
    trainer.resume_checkpoint(str(checkpoint))
    assert trainer.start_epoch == 1 and trainer.saved_model_file == str(checkpoint)
