"""Benchmark results: the per-run CSV, the Markdown summary and the plot."""
from __future__ import annotations

import csv
import os
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

KEY_COLUMNS = ("model", "dataset", "seed")
INFO_COLUMNS = ("model_name", "device", "epochs", "train_s_per_epoch", "wall_s", "peak_rss_mb",
                "peak_gpu_mb", "finished_at")


def read_rows(csv_path: Path) -> list[dict[str, str]]:
    if not csv_path.is_file():
        return []
    with open(csv_path, newline="") as f:
        return list(csv.DictReader(f))


def run_key(row: dict[str, Any]) -> tuple[str, str, str]:
    return tuple(str(row[c]) for c in KEY_COLUMNS)


def _write_csv(csv_path: Path, rows: list[dict[str, Any]], leading: tuple[str, ...]) -> None:
    """Rewrite the CSV atomically: the ``leading`` columns, then the union of the rest, sorted."""
    rest = sorted({c for r in rows for c in r} - set(leading))
    tmp = csv_path.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=[*leading, *rest], restval="")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, csv_path)


def write_rows(csv_path: Path, rows: list[dict[str, Any]]) -> None:
    """The per-run CSV: keys, run information, then the metric columns."""
    _write_csv(csv_path, rows, (*KEY_COLUMNS, *INFO_COLUMNS))


CURVE_COLUMNS = ("epoch", "train_s")


def curve_rows(key: tuple[str, str, str], history: list[dict[str, float]]) -> list[dict[str, Any]]:
    """One row per validation pass of the run ``key`` (its ``valid_history``)."""
    return [dict(zip(KEY_COLUMNS, key), **point) for point in history]


def write_curves(csv_path: Path, rows: list[dict[str, Any]]) -> None:
    """The learning-curve CSV: keys, epoch, train_s, then the metrics."""
    _write_csv(csv_path, rows, (*KEY_COLUMNS, *CURVE_COLUMNS))


def _curves_by_run(curves: list[dict[str, str]], dataset: str, metric: str,
                   model_order: list[str]) -> list[tuple[tuple[str, str], list[tuple[float, float]]]]:
    """``dataset``'s runs as ((model, seed), [(train_s, metric value)] by time), in suite order."""
    runs: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for r in curves:
        if r["dataset"] == dataset and r.get(metric) not in (None, ""):
            runs[(r["model"], r["seed"])].append((float(r["train_s"]), float(r[metric])))
    rank = {m: i for i, m in enumerate(model_order)}
    return [(run, sorted(points)) for run, points in
            sorted(runs.items(), key=lambda kv: (rank.get(kv[0][0], len(rank)), kv[0]))]


# Training-second marks of the equal-wall-clock table (those up to the longest run).
CURVE_MARKS = (60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800, 14400)


def curve_table(curves: list[dict[str, str]], metric: str, model_order: list[str]) -> str:
    """Markdown: per dataset and run, the validation ``metric`` reached by each mark of
    cumulative training seconds (the last validation pass at or before it), "-" before the
    first pass, and the run's last pass; a run that stopped earlier keeps its last value."""
    out = []
    for dataset in dict.fromkeys(r["dataset"] for r in curves):
        runs = _curves_by_run(curves, dataset, metric, model_order)
        if not runs:
            continue
        longest = max(points[-1][0] for _, points in runs)
        marks = [m for m in CURVE_MARKS if m <= longest] or [CURVE_MARKS[0]]
        header = ["model", "seed", *[f"{m} s" for m in marks], "last pass (s: value)"]
        out += [f"## {dataset}: validation {metric} by training seconds", "",
                "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for (model, seed), points in runs:
            cells = [model, seed]
            for mark in marks:
                reached = [v for t, v in points if t <= mark]
                cells.append(f"{reached[-1]:.4f}" if reached else "-")
            cells.append(f"{points[-1][0]:.0f}: {points[-1][1]:.4f}")
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def _mean_std(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def aggregate(rows: list[dict[str, str]], metrics: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """(dataset, model) -> {metric: (mean, std), 'n': seeds, 'train_s_per_epoch': (mean, std), ...}."""
    groups: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        groups[(row["dataset"], row["model"])].append(row)
    summary = {}
    for key, group in groups.items():
        entry: dict[str, Any] = {"n": len(group), "device": group[-1]["device"]}
        for col in [f"test_{m}" for m in metrics] + ["train_s_per_epoch", "epochs", "peak_rss_mb"]:
            values = [float(r[col]) for r in group if r.get(col) not in (None, "")]
            entry[col] = _mean_std(values) if values else None
        summary[key] = entry
    return summary


def markdown_table(suite_name: str, rows: list[dict[str, str]], metrics: list[str],
                   model_order: list[str], reference: dict[str, dict[str, dict[str, Any]]]) -> str:
    """One table per dataset: test metrics as mean ± std over seeds, then published numbers."""
    summary = aggregate(rows, metrics)
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    out = [f"# Benchmark suite `{suite_name}`", ""]
    for dataset in datasets:
        header = ["model", *[m for m in metrics], "train s/epoch", "epochs", "seeds", "device"]
        out += [f"## {dataset}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for model in model_order:
            entry = summary.get((dataset, model))
            if entry is None:
                continue
            cells = [model]
            for m in metrics:
                v = entry[f"test_{m}"]
                cells.append("-" if v is None else f"{v[0]:.4f} ± {v[1]:.4f}")
            t, e = entry["train_s_per_epoch"], entry["epochs"]
            cells += ["-" if t is None else f"{t[0]:.2f}", "-" if e is None else f"{e[0]:.0f}",
                      str(entry["n"]), entry["device"]]
            out.append("| " + " | ".join(cells) + " |")
        for model, ref in (reference.get(dataset) or {}).items():
            cells = [f"{model} (published)"] + [
                f"{float(ref[m]):.4f}" if m in ref else "-" for m in metrics
            ] + ["-", "-", "-", str(ref.get("source", ""))]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def plot(png_path: Path, rows: list[dict[str, str]], metrics: list[str], model_order: list[str]) -> None:
    """Per dataset: the first metric per model (mean ± std), and that metric vs train s/epoch."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = aggregate(rows, metrics[:1])
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    metric = metrics[0]
    fig, axes = plt.subplots(len(datasets), 2, figsize=(11, 3.6 * len(datasets)), squeeze=False)
    for (ax_bar, ax_time), dataset in zip(axes, datasets):
        models = [m for m in model_order if summary.get((dataset, m), {}).get(f"test_{metric}")]
        means = [summary[(dataset, m)][f"test_{metric}"][0] for m in models]
        stds = [summary[(dataset, m)][f"test_{metric}"][1] for m in models]
        ax_bar.bar(models, means, yerr=stds, capsize=4, color="#4C72B0")
        ax_bar.set_title(f"{dataset}: test {metric}")
        ax_bar.tick_params(axis="x", rotation=30)
        for m, mean in zip(models, means):
            t = summary[(dataset, m)]["train_s_per_epoch"]
            if t is not None:
                ax_time.scatter(t[0], mean)
                ax_time.annotate(m, (t[0], mean), textcoords="offset points", xytext=(4, 4), fontsize=8)
        ax_time.set_xscale("log")
        ax_time.set_xlabel("train seconds / epoch (log)")
        ax_time.set_ylabel(f"test {metric}")
        ax_time.set_title(f"{dataset}: quality vs training cost")
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)
    plt.close(fig)


def plot_curves(png_path: Path, curves: list[dict[str, str]], metric: str, model_order: list[str]) -> None:
    """Per dataset: validation ``metric`` against cumulative training seconds, one line per run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    datasets = list(dict.fromkeys(r["dataset"] for r in curves))
    fig, axes = plt.subplots(len(datasets), 1, figsize=(7.5, 4.2 * len(datasets)), squeeze=False)
    for ax, dataset in zip(axes[:, 0], datasets):
        runs = _curves_by_run(curves, dataset, metric, model_order)
        seeds_of = defaultdict(set)
        for model, seed in (run for run, _ in runs):
            seeds_of[model].add(seed)
        for (model, seed), points in runs:
            label = model if len(seeds_of[model]) == 1 else f"{model} (seed {seed})"
            ax.plot([t for t, _ in points], [v for _, v in points], marker="o", markersize=3, label=label)
        ax.set_xlabel("cumulative training seconds (validation excluded)")
        ax.set_ylabel(f"validation {metric}")
        ax.set_title(f"{dataset}: learning curves")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)
    plt.close(fig)
