"""``run_recbole`` command line, in RecBole's own argument style.

``--model``, ``--dataset``, ``--config_files`` (space separated), DDP options,
and any ``--key=value`` override, which RecBole's ``Config`` reads from argv.
"""
from __future__ import annotations

import argparse
import sys

from recbole_ctx.quick_start.report import format_results


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="run_recbole",
        description="Train and evaluate a RecBole or recbole-ctx model. Any other "
        "--key=value is a RecBole config override (e.g. --epochs=5).",
    )
    p.add_argument("--model", "-m", default="BPR", help="model name (plugin or RecBole built-in)")
    p.add_argument("--dataset", "-d", default="ml-100k", help="dataset name (folder under data_path)")
    p.add_argument("--config_files", default=None, help="config files, space separated")
    p.add_argument("--nproc", type=int, default=1, help="processes (GPUs) for DDP")
    p.add_argument("--ip", default="localhost", help="DDP master address")
    p.add_argument("--port", default="5678", help="DDP master port")
    p.add_argument("--world_size", type=int, default=-1, help="DDP world size")
    p.add_argument("--group_offset", type=int, default=0, help="DDP global rank offset")
    return p


def run_recbole_main(argv: list[str] | None = None) -> int:
    import recbole_ctx  # noqa: F401  (compat layer and model registry)
    from recbole_ctx.quick_start.quick_start import DatasetNotFoundError, run

    argv = list(sys.argv[1:] if argv is None else argv)
    args, _ = _parser().parse_known_args(argv)
    # RecBole's Config parses --key=value overrides straight from sys.argv.
    sys.argv = [sys.argv[0]] + argv
    config_files = args.config_files.split() if args.config_files else None
    try:
        result = run(args.model, args.dataset, config_file_list=config_files, nproc=args.nproc,
                     world_size=args.world_size, ip=args.ip, port=args.port, group_offset=args.group_offset)
    except (ValueError, DatasetNotFoundError) as err:
        print(f"run_recbole: {err}", file=sys.stderr)
        return 2
    if result is not None:
        print(format_results(args.model, args.dataset, result))
    return 0


if __name__ == "__main__":
    sys.exit(run_recbole_main())
