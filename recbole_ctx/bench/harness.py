"""Run a benchmark suite: every (model, dataset, seed), each in its own process.

``recbole-ctx bench <suite> [--out DIR] [--models A,B] [--seeds 1,2] [--epochs N]
[--data-dir DIR] [--data-path DIR] [--rerun]`` converts each dataset it lacks from its raw
source in ``--data-dir`` (``recbole_ctx.bench.sources``) into ``--data-path``, and writes ``DIR/runs.csv`` (one row per run, every
metric), ``DIR/results.md`` (mean ± std over seeds, published numbers beside),
``DIR/results.png``, and the learning curves: ``DIR/curves.csv`` (one row per
validation pass: epochs, cumulative training seconds, every validation metric) and
``DIR/curves.png``.  Finished runs are skipped unless ``--rerun``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tqdm import tqdm

from recbole_ctx.bench.results import (
    curve_rows, curve_table, markdown_table, plot, plot_curves, read_rows, run_key, write_curves, write_rows,
)
from recbole_ctx.bench.sources import DATA_DIR_HELP, DEFAULT_DATA_DIR, MissingSourceError, source_folder
from recbole_ctx.bench.suite import DatasetSpec, Suite, load_suite
from recbole_ctx.quick_start.quick_start import BUNDLED_DATASETS


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="recbole-ctx bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("suite", help="suite YAML file")
    p.add_argument("--out", default=None, help="results folder (default: results/<suite>)")
    p.add_argument("--models", default=None, help="comma-separated model labels to run")
    p.add_argument("--seeds", default=None, help="comma-separated seeds (default: the suite's)")
    p.add_argument("--epochs", type=int, default=None, help="override the suite's epoch budget")
    p.add_argument("--train-budget-s", type=float, default=None,
                   help="stop each run at the first epoch boundary past this many training seconds "
                        "(validation excluded), then test its best-validation epoch")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help=DATA_DIR_HELP)
    p.add_argument("--data-path", "--data_path", dest="data_path", default="dataset",
                   help="RecBole's data_path: where converted datasets live / are written (default: dataset)")
    p.add_argument("--rerun", action="store_true", help="re-run finished (model, dataset, seed) runs")
    return p


def ensure_dataset(spec: DatasetSpec, data_path: Path, data_dir: Path = DEFAULT_DATA_DIR) -> bool:
    """Make the dataset available; False when an optional dataset is absent.

    A missing folder is converted from the raw source ``data_dir/<spec.source>`` with
    the suite's ``convert`` format and options.

    Raises:
        MissingSourceError: the raw files are not there (the message says which and whence).
    """
    if (data_path / spec.name).is_dir() or spec.name in BUNDLED_DATASETS:
        return True
    if spec.convert is None:
        if spec.optional:
            tqdm.write(f"skipping optional dataset {spec.name!r}: no folder {data_path / spec.name}")
            return False
        raise RuntimeError(f"dataset {spec.name!r}: no folder {data_path / spec.name} and no convert step")
    try:
        folder = source_folder(data_dir, spec.source)
    except MissingSourceError as err:
        if not spec.optional:
            raise
        tqdm.write(f"skipping optional dataset {spec.name!r}: {err}")
        return False
    from dataset_converters.cli import main as convert

    fmt, *options = map(str, spec.convert)
    code = convert([fmt, str(folder), *options, "--out", str(data_path), "--name", spec.name])
    if code != 0:
        raise RuntimeError(f"converting dataset {spec.name!r} failed (exit {code})")
    return True


def _run_process(model: str, dataset: str, config: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        spec, out = Path(tmp) / "spec.json", Path(tmp) / "out.json"
        spec.write_text(json.dumps({"model": model, "dataset": dataset, "config": config}))
        proc = subprocess.run([sys.executable, "-m", "recbole_ctx.bench.run_one", str(spec), str(out)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{model} on {dataset} failed:\n{proc.stderr[-3000:]}")
        return json.loads(out.read_text())


def run_suite(suite: Suite, out_dir: Path, data_path: Path, models: list[str] | None,
              seeds: list[int] | None, epochs: int | None, rerun: bool,
              train_budget_s: float | None = None, data_dir: Path = DEFAULT_DATA_DIR) -> list[dict[str, Any]]:
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, curves_path = out_dir / "runs.csv", out_dir / "curves.csv"
    done = {run_key(r) for r in read_rows(csv_path)}
    chosen = [m for m in suite.models if models is None or m.label in models]
    if models is not None and len(chosen) != len(models):
        known = ", ".join(m.label for m in suite.models)
        raise SystemExit(f"unknown model label in --models {models}; this suite has: {known}")
    datasets = [d for d in suite.datasets if ensure_dataset(d, data_path, data_dir)]
    plan = [(m, d, s) for d in datasets for m in chosen for s in (seeds or suite.seeds)]
    failures = []
    for model, dataset, seed in tqdm(plan, desc=f"bench {suite.name}", unit="run"):
        key = (model.label, dataset.name, str(seed))
        if key in done and not rerun:
            continue
        config = {**suite.run_config(model, dataset, seed), "data_path": str(data_path),
                  "checkpoint_dir": str(out_dir / "saved"), "show_progress": False}
        if epochs is not None:
            config["epochs"] = epochs
        if train_budget_s is not None:
            config["train_budget_s"] = train_budget_s
        try:
            result = _run_process(model.name, dataset.name, config)
        except RuntimeError as err:
            failures.append(str(err))
            tqdm.write(f"FAILED: {err}")
            continue
        row = {"model": model.label, "dataset": dataset.name, "seed": seed, "model_name": model.name,
               "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
               **{k: v for k, v in result.items() if k not in ("valid", "test", "valid_history")},
               **{f"test_{k}": v for k, v in result["test"].items()},
               **{f"valid_{k}": v for k, v in result["valid"].items()}}
        # Read again: another bench process may have finished a run in this folder meanwhile.
        rows = [r for r in read_rows(csv_path) if run_key(r) != key] + [row]
        curves = [c for c in read_rows(curves_path) if run_key(c) != key] + curve_rows(key, result.get("valid_history", []))
        write_rows(csv_path, rows)
        write_curves(curves_path, curves)
    rows, curves = read_rows(csv_path), read_rows(curves_path)
    if rows:
        order = [m.label for m in suite.models]
        metrics = suite.report_metrics or sorted(k[5:] for k in rows[0] if k.startswith("test_"))
        table = markdown_table(suite.name, rows, metrics, order, suite.reference)
        if curves:
            table += "\n" + curve_table(curves, metrics[0].lower(), order)
            plot_curves(out_dir / "curves.png", curves, metrics[0].lower(), order)
        (out_dir / "results.md").write_text(table)
        plot(out_dir / "results.png", rows, metrics, order)
    if failures:
        raise SystemExit(f"{len(failures)} run(s) failed; see messages above")
    return rows


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    suite = load_suite(args.suite)
    out_dir = Path(args.out or Path("results") / suite.name)
    try:
        run_suite(
            suite, out_dir, Path(args.data_path),
            models=args.models.split(",") if args.models else None,
            seeds=[int(s) for s in args.seeds.split(",")] if args.seeds else None,
            epochs=args.epochs, rerun=args.rerun, train_budget_s=args.train_budget_s, data_dir=args.data_dir,
        )
    except MissingSourceError as err:
        print(f"recbole-ctx bench {suite.name}: {err}", file=sys.stderr)
        return 2
    print((out_dir / "results.md").read_text())
    print(f"results: {out_dir / 'runs.csv'}, {out_dir / 'results.md'}, {out_dir / 'results.png'}")
    return 0
