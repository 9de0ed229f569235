"""Shared fixtures: every test runs from a temporary working directory so RecBole's
``saved/``, ``log/`` and ``log_tensorboard/`` folders never land in the repository."""
import os
from pathlib import Path

import pytest

from support.data import DATA_DIR as SHARED_DATA


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OMP_NUM_THREADS", os.environ.get("OMP_NUM_THREADS", "2"))
    yield


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} not present (set RECBOLE_CTX_DATA)")
    return SHARED_DATA


QUIET = {"show_progress": False, "state": "ERROR", "checkpoint_dir": "saved"}
