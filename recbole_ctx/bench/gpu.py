"""``recbole-ctx bench gpu``: the project's GPU claims, measured in one run, one table.

Five checks on one device (``--device``, default ``cuda`` when there is one); every row
gives the device and the peak GPU memory of its work (check 6 of issue 17):

1. ``models``: ContextGNN, NBFNet, ShallowItem and SRGNNFast each train ``--model-steps``
   steps through RecBole's Trainer (the data layer samples, on the model's device) and run
   one full-sort evaluation of the validation split; the loss must be finite.
2. ``sampler``: the temporal sampler at the rel-hm scale (1M users, 100k items, 15M
   events) on CPU and on the device, the same seeds: sampled edges per second.
3. ``eval``: one full-sort pass of LightGCN on Gowalla, recbole-ctx's fast evaluation vs
   RecBole's own loop (seconds; goal >= 20x with metrics equal to 1e-6).
4. ``srgnn``: SRGNNFast vs RecBole's SRGNN on Diginetica, steps per second at batch 100
   and 512 (each model its own trainer's optimizer), then test HR@20 / MRR@20 after the
   same steps (goal >= 10x at equal HR@20: within ``HR_TOLERANCE`` points).
5. ``steps``: ContextGNN, NBFNet, ShallowItem seconds per 1,000 training steps on a
   generated graph of rel-hm's shape, AMP off and on (goal: ContextGNN <= 1.25x NBFNet).

A check that raises is one ``FAILED`` row (the others still run); a missed goal is
profiled (``torch.profiler``, top operators) when the time budget allows.  Exit status:
0 when every check ran and every loss was finite, 1 otherwise.  ``--quick`` runs the same
code paths on small inputs on the CPU (the test suite runs it).

    recbole-ctx bench gpu --out results/gpu          # on a GPU machine, about 8 minutes
    recbole-ctx bench gpu --quick                    # CPU, small inputs
"""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import asdict
from pathlib import Path

import torch

from recbole_ctx.bench.gpu_checks import CHECKS, RUNNERS, Settings
from recbole_ctx.bench.gpu_data import QUICK_EVENTS, Scale, find_data
from recbole_ctx.bench.gpu_report import Row, environment, format_table

# rel-hm's item count and events per user at a fifth of its users (loads in ~1/5 of the time:
# RecBole parses atomic files with pandas' Python engine); per-seed subgraphs match in size.
RELHM_SHAPED = Scale(200_000, 100_000, 3_000_000)
RELHM_FULL = Scale(1_000_000, 100_000, 15_000_000)
GOWALLA_FILES, DIGINETICA_FILES = ("train.txt", "test.txt"), ("all_train_seq.txt", "test.txt")


def run_checks(s: Settings, checks: list[str]) -> list[Row]:
    """Every check in turn; a failing or out-of-budget check is one row saying so."""
    rows: list[Row] = []
    for check in checks:
        if s.left() <= 0:
            rows.append(Row(check, "skipped: time budget spent", str(s.device), failed=True))
            continue
        started = time.perf_counter()
        print(f"[gpu] {check} ...", flush=True)
        try:
            new = RUNNERS[check](s)
        except Exception as err:  # one broken check must not cost the others their run
            traceback.print_exc()
            new = [Row(check, "FAILED", str(s.device), note=f"{type(err).__name__}: {err}".splitlines()[0],
                       failed=True)]
        for row in new:
            print("  " + format_table([row]).splitlines()[-1], flush=True)
        print(f"[gpu] {check}: {time.perf_counter() - started:.1f} s", flush=True)
        rows += new
    return rows


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="recbole-ctx bench gpu", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small inputs on the CPU (what the tests run)")
    p.add_argument("--device", default=None, help="cuda, cuda:N or cpu (default: cuda when available; --quick: cpu)")
    p.add_argument("--checks", default=",".join(CHECKS), help=f"comma-separated subset of {CHECKS}")
    p.add_argument("--budget-s", type=float, default=480.0, help="checks not started by then are skipped")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="raw sources' folder holding gowalla/ and diginetica/ (default: .gpu_data, then data)")
    p.add_argument("--full-relhm", action="store_true",
                   help="check 5 on rel-hm's full size (15M events; RecBole's loading alone takes minutes)")
    p.add_argument("--out", type=Path, default=None, help="also write gpu_check.md and gpu_check.json here")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    checks = [c for c in args.checks.split(",") if c]
    unknown = sorted(set(checks) - set(CHECKS))
    if unknown:
        _parser().error(f"--checks: unknown {unknown}; choose from {list(CHECKS)}")
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() and not args.quick else "cpu"))
    if device.type == "cuda" and not torch.cuda.is_available():
        _parser().error("--device cuda: no CUDA device here")
    import recbole_ctx  # noqa: F401  (RecBole compat fixes, plugin models)

    warnings.filterwarnings("ignore", category=FutureWarning)
    logging.getLogger().setLevel(logging.WARNING)
    gowalla, diginetica = (None if p is None else p.resolve() for p in (
        find_data("gowalla", GOWALLA_FILES, args.data_dir), find_data("diginetica", DIGINETICA_FILES, args.data_dir)))
    data_dir = args.data_dir.resolve() if args.data_dir else None  # checks run in a scratch cwd
    out = args.out.resolve() if args.out else None
    header = environment(device)
    print(header, flush=True)
    # RecBole's trainers write checkpoints and TensorBoard logs under the cwd: a scratch one.
    with tempfile.TemporaryDirectory(prefix="recbole-ctx-gpu-") as tmp, contextlib.chdir(tmp):
        s = Settings(device=device, quick=args.quick, workdir=Path(tmp),
                     gowalla=gowalla, diginetica=diginetica, data_dir=data_dir,
                     model_steps=1 if args.quick else 50,
                     srgnn_steps={100: 2, 512: 1} if args.quick else {100: 300, 512: 100},
                     step_scale=QUICK_EVENTS if args.quick else (RELHM_FULL if args.full_relhm else RELHM_SHAPED),
                     step_batch=16 if args.quick else 512, steps=1 if args.quick else 50,
                     warmup=0 if args.quick else 5, repeats=1 if args.quick else 5,
                     deadline=time.monotonic() + args.budget_s)
        rows = run_checks(s, checks)
        profiles = []
        for title, fn in s.profiles:
            if s.left() <= 0:
                profiles.append((title, "not profiled: time budget spent"))
                continue
            try:
                profiles.append((title, fn()))
            except Exception as err:
                profiles.append((title, f"profile failed: {type(err).__name__}: {err}"))
    table = format_table(rows)
    print(f"\n{header}\n\n{table}")
    for title, text in profiles:
        print(f"\nprofile of a missed goal, {title}:\n{text}")
    failed = [r for r in rows if r.failed]
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "gpu_check.md").write_text(f"{header}\n\n{table}\n"
                                          + "".join(f"\n{t}:\n```\n{p}\n```\n" for t, p in profiles))
        (out / "gpu_check.json").write_text(json.dumps({"environment": header, "rows": [asdict(r) for r in rows]},
                                                       indent=1))
    if failed:
        print(f"\n{len(failed)} row(s) failed: " + "; ".join(f"{r.check}: {r.item}" for r in failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
