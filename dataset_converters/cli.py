"""``recbole-ctx convert <format> SRC --out DIR [--name N]``: raw data -> RecBole atomic files.

Formats: ``relbench``, ``ijcai``, ``lightgcn``, ``sessions``.  The output lands in
``DIR/<name>/``; bad input ends with one ``error: <file>:<line>: <problem>`` line and
exit status 1, and leaves no partial output; Ctrl-C (or SIGTERM) ends with one line and
exit status 130, the earlier output untouched.
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from .errors import ConversionError
from .validation import DEFAULT_VALID_RATIO, VALID_MODES

FORMATS = ("relbench", "ijcai", "lightgcn", "sessions")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="recbole-ctx convert", description=__doc__.split("\n")[0])
    parser.add_argument("format", choices=FORMATS)
    parser.add_argument("src", help="source folder (or file, for raw logs)")
    # --data_path / --dataset are run_recbole's names for the same two things.
    parser.add_argument("--out", "--data_path", "--data-path", dest="out", default="dataset",
                        help="output root, RecBole's data_path (default: dataset)")
    parser.add_argument("--name", "--dataset", dest="name",
                        help="dataset name (default: the source folder's name; relbench: <dataset>-<task>)")
    group = parser.add_argument_group("relbench")
    group.add_argument("--task", help="the recommendation task (required when the dataset has several)")
    group = parser.add_argument_group("validation split (lightgcn, sessions)")
    group.add_argument(
        "--valid", choices=VALID_MODES, default="holdout",
        help="holdout (default): a seeded share of train is the validation file; test: the validation file is "
             "the test file, as the LightGCN and SR-GNN papers' code does (logged and written to the yaml)",
    )
    group.add_argument("--valid-ratio", type=float, default=DEFAULT_VALID_RATIO,
                       help="share held out: of each user's train (lightgcn), of the training sessions (sessions); "
                            f"default {DEFAULT_VALID_RATIO}")
    group.add_argument("--seed", type=int, default=2020, help="seed of the hold-out")
    group = parser.add_argument_group("sessions")
    group.add_argument("--kind", choices=("auto", "diginetica", "yoochoose", "pickle"), default="auto")
    group.add_argument("--max-len", type=int, default=50, help="items kept per input list (most recent)")
    group.add_argument("--fraction", type=int, default=1, choices=(1, 4, 64), help="Yoochoose: keep the latest 1/N of training")
    return parser


def run(args: argparse.Namespace) -> None:
    """Dispatch parsed arguments to the format's converter (imported lazily)."""
    if not Path(args.src).exists():  # before any format looks for its own files in it
        raise ConversionError(Path(args.src), "no such file or folder")
    if args.format == "relbench":
        from . import relbench

        relbench.convert(args.src, args.out, task=args.task, name=args.name)
    elif args.format == "ijcai":
        from . import ijcai

        ijcai.convert(args.src, args.out, name=args.name)
    elif args.format == "lightgcn":
        from . import lightgcn

        lightgcn.convert(args.src, args.out, name=args.name, valid=args.valid, valid_ratio=args.valid_ratio, seed=args.seed)
    else:
        from . import sessions

        sessions.convert(args.src, args.out, name=args.name, kind=args.kind, max_len=args.max_len, fraction=args.fraction,
                         valid=args.valid, valid_ratio=args.valid_ratio, seed=args.seed)


def _terminate(signum: int, frame: object) -> None:
    # SIGTERM unwinds like Ctrl-C, so the staged output folder is removed on the way out.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        run(args)
    except ConversionError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; nothing was written (an earlier output is unchanged)", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0
