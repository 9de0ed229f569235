"""``run_recbole`` command line, in RecBole's own argument style.

``--model``, ``--dataset``, ``--config_files`` (space separated), DDP options,
and any ``--key=value`` override, which RecBole's ``Config`` reads from argv.
Arguments are parsed before anything heavy is imported (``--help`` answers at once),
and before any data loads every override is checked against the type RecBole expects
(:mod:`recbole_ctx.quick_start.arguments`), the config files, keys and values, and the
atomic files the run will read (:mod:`recbole_ctx.quick_start.preflight`): a problem is
one line ``run_recbole: WHERE: problem``, exit status 2.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from recbole_ctx.quick_start.preflight import Sources


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


def checked_overrides(model: str, dataset: str, config_files: list[str],
                      rest: list[str]) -> tuple[dict[str, str], Sources]:
    """The ``--key=value`` overrides of ``rest`` after the type, device, config-file, key and
    metric checks (raw strings, ``device`` turned into ``gpu_id``), and where each key was
    given (:class:`~recbole_ctx.quick_start.preflight.Sources`).  Warnings go to stderr.
    Raises ``ValueError`` (``OverrideError``, ``ConfigError``) on a bad one."""
    from recbole_ctx.quick_start.arguments import device_override, parse_overrides
    from recbole_ctx.quick_start.preflight import check_sources

    raw = device_override(parse_overrides(rest))
    data_path = Path(raw.get("data_path", "dataset")) / dataset
    sources, warnings = check_sources(model, dataset, config_files, raw, str(data_path))
    for warning in warnings:
        print(f"run_recbole: warning: {warning}", file=sys.stderr)
    return raw, sources


def run_recbole_main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args, rest = _parser().parse_known_args(argv)
    try:
        return _run(args, argv, rest)
    except KeyboardInterrupt:
        print("run_recbole: interrupted", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace, argv: list[str], rest: list[str]) -> int:
    # Importing this package ran recbole_ctx/__init__.py, which sets the plugin up once RecBole
    # is imported: compat layer, model registry, RecBole's entry points.
    import recbole  # noqa: F401
    from recbole_ctx.quick_start.config_values import check_ddp_arguments
    from recbole_ctx.quick_start.preflight import check_run
    from recbole_ctx.quick_start.quick_start import DatasetNotFoundError, run
    from recbole_ctx.quick_start.report import format_results
    from recbole_ctx.utils.registry import canonical_model_name

    config_files = args.config_files.split() if args.config_files else []
    try:
        check_ddp_arguments(args.nproc, args.world_size, args.group_offset)
        model = canonical_model_name(args.model)
        overrides, sources = checked_overrides(model, args.dataset, config_files, rest)
    except ValueError as err:
        print(f"run_recbole: {err}", file=sys.stderr)
        return 2
    # RecBole's Config parses --key=value overrides straight from sys.argv.
    known = [a for a in argv if a not in rest]
    sys.argv = [sys.argv[0], *known, *(f"--{k}={v}" for k, v in overrides.items())]
    try:
        check_run(model, args.dataset, config_files, sources)  # the merged config's values, the atomic files
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
