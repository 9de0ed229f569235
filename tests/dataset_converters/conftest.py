"""Fixtures for the converter tests: load a converted folder with RecBole and train 2 epochs."""
from __future__ import annotations

from pathlib import Path

import pytest


def _train(model: str, data_path: Path, name: str, config: dict | None = None):
    """Load ``data_path/name`` with RecBole's own ``create_dataset`` (through the yaml the
    converter wrote) and train ``model`` for two epochs; return (dataset, splits, test result,
    training loss per epoch): a model that learns from the output lowers its loss."""
    import recbole_ctx  # noqa: F401  (RecBole compatibility fixes)
    from recbole.config import Config
    from recbole.data import create_dataset, data_preparation
    from recbole.utils import get_model, get_trainer, init_seed

    settings = {
        "data_path": str(data_path), "epochs": 2, "show_progress": False, "state": "ERROR",
        "checkpoint_dir": "saved", "embedding_size": 8, "hidden_size": 8, "train_batch_size": 512,
        "eval_batch_size": 512, "reproducibility": True, "seed": 0,
    }
    settings.update(config or {})
    cfg = Config(model=model, dataset=name, config_file_list=[str(data_path / name / f"{name}.yaml")], config_dict=settings)
    init_seed(cfg["seed"], True)
    dataset = create_dataset(cfg)
    splits = data_preparation(cfg, dataset)
    net = get_model(cfg["model"])(cfg, splits[0].dataset).to(cfg["device"])
    trainer = get_trainer(cfg["MODEL_TYPE"], cfg["model"])(cfg, net)
    trainer.fit(splits[0], splits[1], saved=False, show_progress=False)
    result = trainer.evaluate(splits[2], load_best_model=False, show_progress=False)
    return dataset, splits, result, list(trainer.train_loss_dict.values())


@pytest.fixture
def recbole_train():
    return _train


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (hidden ones included) -> its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()} if root.is_dir() else {}


def _refused(capsys, argv: list[str], out: Path, names_file: str) -> str:
    """Run ``recbole-ctx convert ARGV --out OUT`` in process on bad input; assert it is refused
    cleanly: exit status 1, exactly one ``error: FILE...`` line on stderr naming ``names_file``,
    no traceback, and ``out`` byte-identical to before.  Returns the error line."""
    from dataset_converters.cli import main

    before = _snapshot(out)
    capsys.readouterr()
    status = main([*argv, "--out", str(out)])
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert status == 1, captured.err
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    assert names_file in lines[0].split(": ", 2)[1], lines[0]
    assert "Traceback" not in captured.err + captured.out
    assert _snapshot(out) == before
    return lines[0]


@pytest.fixture
def refused(capsys):
    """``refused(argv, out, names_file) -> error line``: see :func:`_refused`."""
    return lambda argv, out, names_file: _refused(capsys, argv, out, names_file)
