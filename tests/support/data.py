"""The folder of real raw sources the tests read (one sub-folder per source, as ``--data-dir``).

``$RECBOLE_CTX_DATA`` when set, else ``../shared/data`` beside the checkout (this project's
read-only copy). Tests that need it take the ``shared_data`` fixture and skip without it.
"""
from __future__ import annotations

import os
from pathlib import Path

DATA_DIR = Path(os.environ.get("RECBOLE_CTX_DATA") or Path(__file__).resolve().parents[2].parent / "shared" / "data")
