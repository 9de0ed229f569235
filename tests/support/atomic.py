"""Small, valid atomic datasets for the bad-input tests of ``run_recbole``."""
from __future__ import annotations

from pathlib import Path

import numpy as np

INTER_HEADER = "user_id:token\titem_id:token\trating:float\ttimestamp:float"


def inter_rows(n_users: int = 30, n_items: int = 40, per_user: int = 8) -> list[str]:
    """Rows of a seeded ``.inter`` (every user has ``per_user`` distinct items)."""
    rng = np.random.default_rng(0)
    rows = []
    for u in range(n_users):
        for i in rng.choice(n_items, size=per_user, replace=False):
            rows.append(f"u{u}\ti{i}\t{int(rng.integers(1, 6))}\t{1_000_000 + 100 * u + int(i)}")
    return rows


def write_static(root: Path, name: str = "tiny") -> Path:
    """``root/name/name.inter`` with a header and :func:`inter_rows`; returns the file."""
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.inter"
    path.write_text("\n".join([INTER_HEADER, *inter_rows()]) + "\n")
    return path


def run_cli_in_process(argv: list[str], monkeypatch, capsys) -> tuple[int, list[str]]:
    """``run_recbole argv`` in this process: (exit status, non-blank stderr lines).

    ``sys.argv``, which the command rewrites for RecBole, is restored by ``monkeypatch``;
    a traceback on stderr fails the calling test (bad input must be one line).
    """
    import sys

    from recbole_ctx.quick_start.cli import run_recbole_main

    monkeypatch.setattr(sys, "argv", ["run_recbole"])
    capsys.readouterr()
    status = run_recbole_main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, [line for line in err.splitlines() if line.strip()]
