"""``recbole-ctx`` command: one entry point, one sub-command per job.

Sub-commands are imported lazily so ``recbole-ctx convert`` never pays for torch
model imports and vice versa.  Each target is a ``main(argv: list[str]) -> int``.
"""
from __future__ import annotations

import importlib
import sys

SUBCOMMANDS = {
    "run": ("recbole_ctx.quick_start.cli:run_recbole_main", "train and evaluate a model (same as run_recbole)"),
    "convert": ("dataset_converters.cli:main", "convert raw data into RecBole atomic files"),
    "bench": ("recbole_ctx.bench.cli:main", "run a benchmark suite or micro-benchmark"),
    "locality": ("recbole_ctx.quick_start.locality_cli:main", "locality score (ContextGNN paper eq. 1)"),
    "models": ("recbole_ctx.quick_start.models:main", "list every model name, plugin and RecBole's, by kind"),
}


def _usage() -> str:
    lines = ["usage: recbole-ctx <command> [args]", "", "commands:"]
    lines += [f"  {name:<10} {help_}" for name, (_, help_) in SUBCOMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(_usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in SUBCOMMANDS:
        print(f"recbole-ctx: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module, func = SUBCOMMANDS[name][0].split(":")
    try:
        return int(getattr(importlib.import_module(module), func)(rest) or 0)
    except KeyboardInterrupt:
        print(f"recbole-ctx {name}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
