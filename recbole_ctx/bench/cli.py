"""``recbole-ctx bench <name>``: a micro-benchmark module or a suite from ``configs/bench``.

Micro-benchmarks (``sampler``, ``srgnn``, ``eval``, ``models``, ``loader``, ``gpu``, ``branches``, ``scale``) are
modules of this package with ``main(argv) -> int``; every other name is a suite file
``configs/bench/<name>.yaml`` run by the harness.  The ones that read real data take the
raw sources' folder as ``--data-dir`` (``recbole_ctx.bench.sources``); converted datasets
are RecBole's ``--data-path`` (also spelt ``--data_path``).
"""
from __future__ import annotations

import importlib
import sys

from recbole_ctx.utils.paths import CONFIG_DIR

MICRO_BENCHMARKS = ("sampler", "srgnn", "eval", "models", "loader", "gpu", "branches", "scale")


def _suites() -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / "bench").glob("*.yaml"))


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print("usage: recbole-ctx bench <name> [args]\n\nmicro-benchmarks: "
              + ", ".join(MICRO_BENCHMARKS) + "\nsuites: " + ", ".join(_suites()))
        return 0
    name, rest = argv[0], argv[1:]
    if name in MICRO_BENCHMARKS:
        return int(importlib.import_module(f"recbole_ctx.bench.{name}").main(rest) or 0)
    suite = CONFIG_DIR / "bench" / f"{name}.yaml"
    if not suite.is_file():
        print(f"recbole-ctx bench: unknown benchmark {name!r}; micro-benchmarks: "
              f"{', '.join(MICRO_BENCHMARKS)}; suites: {', '.join(_suites()) or '-'}", file=sys.stderr)
        return 2
    from recbole_ctx.bench.harness import main as run_suite

    return run_suite([str(suite), *rest])
