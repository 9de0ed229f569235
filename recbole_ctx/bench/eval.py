"""``recbole-ctx bench eval``: seconds per full-sort pass, RecBole's loop vs recbole-ctx's.

For each scale and model, one model (``--epochs`` of training, default 0: the timing does
not depend on the weights) is evaluated on the validation split by

- RecBole's ``Trainer.evaluate`` (its default ``eval_batch_size``),
- ``with_fast_eval(Trainer).evaluate``, first pass (builds the CSR indices) and again,
- the plain-PyTorch bound: the same blocks as plain ``U[b] @ I.T``, ``-inf`` history,
  ``topk``, hit lookup, with every index prepared before the clock starts and the final
  embeddings given (LightGCN's propagation is not in it; the two others pay it once).

It prints one table row per (scale, model) with the ratios and the largest absolute
difference between RecBole's and our metrics (Recall/NDCG/Hit/MAP/MRR/Precision @
5/10/20/50, 12 decimals).

Scales: ``ml-100k`` (RecBole's bundled copy), ``gowalla`` (LightGCN's split from
``<--data-dir>/gowalla/``, converted into a temporary folder; validation = test, as LightGCN's own
code), ``amazon-book-sized`` (generated: 52,643 users x 91,599 items, ~2.7M interactions,
Zipf item popularity, per-user 80/10/10 split; a size stand-in, not the real data).
"""
from __future__ import annotations

import argparse
import logging
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from dataset_converters import lightgcn
from dataset_converters.atomic import write_atomic
from recbole_ctx.bench.sources import DATA_DIR_HELP, DEFAULT_DATA_DIR, MissingSourceError, source_folder

ALL_SCALES = ("ml-100k", "gowalla", "amazon-book-sized")
MODELS = ("BPR", "LightGCN")
TOPK = [5, 10, 20, 50]
METRICS = ["Recall", "NDCG", "Hit", "MAP", "MRR", "Precision"]
AMAZON_BOOK_SIZE = (52_643, 91_599, 2_700_000)


def _write_splits(root: Path, name: str, splits: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    for split, (users, items) in splits.items():
        write_atomic(pd.DataFrame({"user_id": users, "item_id": items}), folder / f"{name}.{split}.inter",
                     lightgcn.FIELDS)


def write_gowalla(src: Path, root: Path) -> str:
    """Gowalla's LightGCN split as RecBole benchmark files under ``root`` (the LightGCN
    converter, validation = test as in LightGCN's own code); returns the name."""
    lightgcn.convert(src, root, name="gowalla", valid="test")
    return "gowalla"


def _random_rank(users: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """For users sorted ascending: a random rank of each row among its user's rows, and
    that user's row count (both int64 [N])."""
    start = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    sizes = np.diff(np.r_[start, users.size])
    order = np.lexsort((rng.random(users.size), users))
    rank = np.empty(users.size, dtype=np.int64)
    rank[order] = np.arange(users.size) - np.repeat(start, sizes)
    return rank, np.repeat(sizes, sizes)


def write_generated(root: Path, n_users: int, n_items: int, n_inter: int, seed: int = 0) -> str:
    """A random dataset of about the given size under ``root``; returns its name.

    Heavy-tailed user activity (>= 10 distinct items each), Zipf-like item popularity,
    and a random 80/10/10 split of every user's items.
    """
    rng = np.random.default_rng(seed)
    activity = rng.pareto(1.5, n_users) + 1.0
    counts = 10 + np.floor(activity / activity.sum() * (n_inter - 10 * n_users)).astype(np.int64)
    counts = np.minimum(counts, 5000)
    popularity = 1.0 / (np.arange(n_items) + 10.0) ** 0.8
    # Draw 30% more than needed so that enough distinct items remain per user.
    users = np.repeat(np.arange(n_users), np.ceil(counts * 1.3).astype(np.int64))
    pairs = np.unique(users * n_items + rng.choice(n_items, size=users.size, p=popularity / popularity.sum()))
    users, items = pairs // n_items, pairs % n_items
    rank, _ = _random_rank(users, rng)
    keep = rank < counts[users]
    users, items = users[keep], items[keep]
    rank, sizes = _random_rank(users, rng)
    share = rank / sizes
    parts = {"train": share < 0.8, "valid": (share >= 0.8) & (share < 0.9), "test": share >= 0.9}
    name = "amazon-book-sized"
    _write_splits(root, name, {split: (users[m], items[m]) for split, m in parts.items()})
    return name


def _config(model: str, dataset: str, data_path: Path | None, device: str, workdir: Path,
            block_bytes: int | None):
    from recbole.config import Config

    settings: dict[str, Any] = {
        "topk": TOPK, "metrics": METRICS, "metric_decimal_place": 12, "device": device,
        "use_gpu": device.startswith("cuda"), "show_progress": True, "state": "WARNING",
        "checkpoint_dir": str(workdir / "saved"), "seed": 2020,
    }
    if data_path is not None:
        settings.update({"data_path": str(data_path), "benchmark_filename": ["train", "valid", "test"],
                         "load_col": {"inter": ["user_id", "item_id"]},
                         "eval_args": {"mode": "full", "order": "RO", "group_by": "user", "split": None}})
    if block_bytes is not None:
        settings["eval_block_bytes"] = block_bytes
    return Config(model=model, dataset=dataset, config_dict=settings)


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def _drop_eval_caches(model: torch.nn.Module) -> None:
    """LightGCN-style models cache propagated embeddings until the next training step;
    every timed pass starts without them, as the first evaluation after an epoch does."""
    for name in ("restore_user_e", "restore_item_e"):
        if hasattr(model, name):
            setattr(model, name, None)


def _timed(device: str, model: torch.nn.Module, run: Callable[[], Any]) -> tuple[float, Any]:
    _drop_eval_caches(model)
    _sync(device)
    start = time.perf_counter()
    out = run()
    _sync(device)
    return time.perf_counter() - start, out


def _embeddings(model: torch.nn.Module) -> tuple[torch.Tensor, torch.Tensor]:
    if hasattr(model, "restore_user_e"):  # LightGCN: propagated tables
        return model.forward()
    return model.user_embedding.weight, model.item_embedding.weight


@torch.no_grad()
def plain_bound(model: torch.nn.Module, valid, k: int, block: int, device: str) -> float:
    """Seconds of the bare arithmetic of a full-sort pass (see the module docstring)."""
    from recbole_ctx.evaluator.recbole_loaders import eval_index

    user_e, item_e = _embeddings(model)
    positives, history = eval_index(valid, sequential=False, device=torch.device(device))
    uids = valid.uid_list.to(device)
    blocks = [(s, min(s + block, len(uids))) for s in range(0, len(uids), block)]
    masks = [(history.block(s, e), positives.block(s, e)) for s, e in blocks]
    _sync(device)
    start = time.perf_counter()
    hits = []
    for (s, e), ((h_rows, h_items), (p_rows, p_items)) in zip(blocks, masks):
        scores = user_e[uids[s:e]] @ item_e.T
        scores[:, 0] = -torch.inf
        scores[h_rows, h_items] = -torch.inf
        top = torch.topk(scores, k).indices
        pos = torch.zeros_like(scores, dtype=torch.bool)
        pos[p_rows, p_items] = True
        hits.append(pos.gather(1, top).sum(1))
    torch.cat(hits).cpu()
    _sync(device)
    return time.perf_counter() - start


def bench_scale(scale: str, models: list[str], device: str, epochs: int, workdir: Path,
                gowalla_dir: Path | None, block_bytes: int | None, with_recbole: bool = True) -> list[dict[str, Any]]:
    """Time every model on one scale; returns one result row per model."""
    from recbole.data import create_dataset, data_preparation
    from recbole.utils import get_model, get_trainer, init_seed

    from recbole_ctx.evaluator.fullsort import block_rows
    from recbole_ctx.utils.plugin_defaults import plugin_option
    from recbole_ctx.trainer.fast_eval import with_fast_eval

    data_path = None
    if scale == "gowalla":
        data_path = workdir / "data"
        write_gowalla(gowalla_dir, data_path)
    elif scale == "amazon-book-sized":
        data_path = workdir / "data"
        write_generated(data_path, *AMAZON_BOOK_SIZE)
    rows = []
    data = None
    for name in models:
        config = _config(name, scale, data_path, device, workdir, block_bytes)
        init_seed(config["seed"], True)
        if data is None:
            started = time.perf_counter()
            print(f"[{scale}] building RecBole dataset and dataloaders ...", flush=True)
            data = data_preparation(config, create_dataset(config))
            print(f"[{scale}] ready in {time.perf_counter() - started:.1f} s", flush=True)
        train, valid, _ = data
        model = get_model(name)(config, train.dataset).to(config["device"])
        trainer_cls = get_trainer(config["MODEL_TYPE"], name)
        if epochs:
            config["epochs"] = epochs
            trainer_cls(config, model).fit(train, None, saved=False, show_progress=True)
        recbole_s, expected = None, None
        if with_recbole:
            recbole = trainer_cls(config, model)
            recbole_s, expected = _timed(device, model, lambda: recbole.evaluate(valid, False, show_progress=True))
        fast = with_fast_eval(trainer_cls)(config, model)
        first_s, got = _timed(device, model, lambda: fast.evaluate(valid, False, show_progress=True))
        again_s, _ = _timed(device, model, lambda: fast.evaluate(valid, False, show_progress=True))
        block = block_rows(valid._dataset.item_num, int(plugin_option(config, "eval_block_bytes")))
        plain_s = plain_bound(model.eval(), valid, max(TOPK), block, device)
        rows.append({
            "scale": scale, "model": name, "users": len(valid.uid_list), "items": valid._dataset.item_num,
            "recbole_s": recbole_s, "ours_first_s": first_s, "ours_s": again_s, "plain_s": plain_s,
            "max_abs_diff": max(abs(got[key] - expected[key]) for key in expected) if expected else None,
        })
        print(_format([rows[-1]]).splitlines()[-1], flush=True)
    return rows


def _format(rows: list[dict[str, Any]]) -> str:
    header = (f"{'scale':<18} {'model':<9} {'users x items':>15} {'RecBole s':>10} {'ours 1st s':>10} "
              f"{'ours s':>8} {'plain s':>8} {'RecBole/ours':>12} {'ours/plain':>10} {'max|dMetric|':>12}")
    lines = [header, "-" * len(header)]
    for r in rows:
        ran_recbole = r["recbole_s"] is not None
        recbole_s = f"{r['recbole_s']:>10.3f}" if ran_recbole else f"{'-':>10}"
        speedup = f"{r['recbole_s'] / r['ours_s']:>11.1f}x" if ran_recbole else f"{'-':>12}"
        diff = f"{r['max_abs_diff']:>12.2e}" if ran_recbole else f"{'-':>12}"
        lines.append(
            f"{r['scale']:<18} {r['model']:<9} {r['users']:>7}x{r['items']:<7} {recbole_s} "
            f"{r['ours_first_s']:>10.3f} {r['ours_s']:>8.3f} {r['plain_s']:>8.3f} "
            f"{speedup} {r['ours_s'] / r['plain_s']:>9.1f}x {diff}"
        )
    return "\n".join(lines)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="recbole-ctx bench eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="ml-100k only (CI-sized machines)")
    parser.add_argument("--scales", default=",".join(ALL_SCALES), help=f"comma-separated subset of {ALL_SCALES}")
    parser.add_argument("--models", default=",".join(MODELS), help=f"comma-separated subset of {MODELS}")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--epochs", type=int, default=0, help="training epochs before timing (default 0)")
    parser.add_argument("--block-bytes", type=int, default=None, help="eval_block_bytes for the fast path")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help=DATA_DIR_HELP + " (gowalla scale)")
    parser.add_argument("--skip-recbole", action="store_true",
                        help="time only ours and the plain bound (RecBole's CPU pass at Amazon-Book size takes "
                             "tens of minutes)")
    args = parser.parse_args(argv)
    args.scales = ["ml-100k"] if args.quick else [s for s in args.scales.split(",") if s]
    args.models = [m for m in args.models.split(",") if m]
    # Checked before any scale runs (the others take minutes): which files, from where.
    args.gowalla = None
    if "gowalla" in args.scales:
        try:
            args.gowalla = source_folder(args.data_dir, "gowalla")
        except MissingSourceError as err:
            parser.error(str(err))
    for value, allowed, flag in ((args.scales, ALL_SCALES, "--scales"), (args.models, MODELS, "--models")):
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            parser.error(f"{flag}: unknown {unknown}; choose from {list(allowed)}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; returns the exit status."""
    args = _parse(list(argv or []))
    import recbole_ctx  # noqa: F401  (RecBole compat fixes)

    warnings.filterwarnings("ignore", category=FutureWarning)
    logging.getLogger().setLevel(logging.WARNING)
    rows = []
    with tempfile.TemporaryDirectory(prefix="recbole-ctx-bench-eval-") as tmp:
        for scale in args.scales:
            workdir = Path(tmp) / scale
            rows += bench_scale(scale, args.models, args.device, args.epochs, workdir, args.gowalla,
                                args.block_bytes, with_recbole=not args.skip_recbole)
    print(f"\nfull-sort pass on {args.device} (torch {torch.__version__}, {torch.get_num_threads()} threads), "
          f"k = {TOPK}, one run each:")
    print(_format(rows))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
