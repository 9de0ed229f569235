"""``run_recbole`` command line, in RecBole's own argument style.

``--model``, ``--dataset``, ``--config_files`` (space separated), DDP options,
and any ``--key=value`` override, which RecBole's ``Config`` reads from argv.
Arguments are parsed before anything heavy is imported (``--help`` answers at once),
and every override is checked against the type RecBole expects before any data loads
(:mod:`recbole_ctx.quick_start.arguments`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="run_recbole",
        description="Train and evaluate a RecBole or recbole-ctx model. Any other "
        "--key=value is a RecBole config override (e.g. --epochs=5), checked against the type "
        "RecBole expects. --device=cpu|cuda|cuda:N picks the device; --data_path=DIR the folder "
        "holding <dataset>/.",
    )
    p.add_argument("--model", "-m", default="BPR", help="model name, any case (plugin or RecBole built-in)")
    p.add_argument("--dataset", "-d", default="ml-100k", help="dataset name (folder under data_path)")
    p.add_argument("--config_files", default=None, help="config files, space separated")
    p.add_argument("--nproc", type=int, default=1, help="processes (GPUs) for DDP")
    p.add_argument("--ip", default="localhost", help="DDP master address")
    p.add_argument("--port", default="5678", help="DDP master port")
    p.add_argument("--world_size", type=int, default=-1, help="DDP world size")
    p.add_argument("--group_offset", type=int, default=0, help="DDP global rank offset")
    return p


def checked_overrides(model: str, dataset: str, config_files: list[str], rest: list[str]) -> dict[str, str]:
    """The ``--key=value`` overrides of ``rest`` after the type and device checks (raw strings,
    ``device`` turned into ``gpu_id``).  Raises ``ValueError`` (``OverrideError``) on a bad one."""
    from recbole_ctx.quick_start.arguments import (
        check_overrides,
        config_files_for,
        device_override,
        expected_types,
        parse_overrides,
    )

    raw = device_override(parse_overrides(rest))
    data_path = Path(raw.get("data_path", "dataset")) / dataset
    check_overrides(raw, expected_types(config_files_for(model, dataset, config_files, str(data_path))))
    return raw


def run_recbole_main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args, rest = _parser().parse_known_args(argv)
    try:
        return _run(args, argv, rest)
    except KeyboardInterrupt:
        print("run_recbole: interrupted", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace, argv: list[str], rest: list[str]) -> int:
    import recbole_ctx  # noqa: F401  (compat layer and model registry, once recbole loads)
    from recbole_ctx.quick_start.quick_start import DatasetNotFoundError, run
    from recbole_ctx.quick_start.report import format_results
    from recbole_ctx.utils.registry import canonical_model_name

    config_files = args.config_files.split() if args.config_files else []
    try:
        model = canonical_model_name(args.model)
        overrides = checked_overrides(model, args.dataset, config_files, rest)
    except ValueError as err:
        print(f"run_recbole: {err}", file=sys.stderr)
        return 2
    # RecBole's Config parses --key=value overrides straight from sys.argv.
    known = [a for a in argv if a not in rest]
    sys.argv = [sys.argv[0], *known, *(f"--{k}={v}" for k, v in overrides.items())]
    try:
        result = run(model, args.dataset, config_file_list=config_files or None, nproc=args.nproc,
                     world_size=args.world_size, ip=args.ip, port=args.port, group_offset=args.group_offset)
    except (ValueError, DatasetNotFoundError) as err:
        print(f"run_recbole: {err}", file=sys.stderr)
        return 2
    if result is not None:
        print(format_results(model, args.dataset, result))
    return 0


if __name__ == "__main__":
    sys.exit(run_recbole_main())
