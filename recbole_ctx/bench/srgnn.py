"""``recbole-ctx bench srgnn``: SRGNNFast vs RecBole's SRGNN and GRU4Rec on Diginetica.

Two modes, both printing tables:

- speed (default): every model trains ``--steps`` batches (the same prefetched batches
  for all, after one warm-up batch), the models taking turns in ``--rounds`` chunks so
  that load on a shared machine hits them alike. Two tables: each model with the
  optimizer its own trainer builds (SRGNNFast: SessionTrainer's fused Adam; RecBole's
  models: RecBole's Adam), and every model with one common optimizer (RecBole's Adam).
  Columns: wall and process-CPU seconds per 1,000 steps, the per-epoch time
  extrapolated from them (labelled so), and the ratio to RecBole's SRGNN in the same
  run. A ``floor`` row times the part every full-softmax model shares (a last-click
  encoder + scoring every item, cross-entropy, optimizer on the item table): its ratio
  bounds any model's. ``--quick`` is a small CPU subset (< 2 minutes on a quiet machine).
- ``--quality``: trains each model in turn for ``--epochs`` with the same trainer
  (SessionTrainer: the reference lr decay, fused Adam) and prints the epoch's training
  time (wall and process CPU) and validation and test HR@20 / MRR@20 after every epoch, then per model the test numbers of the best-validation epoch (and,
  labelled, the reference code's "best test over epochs").

Data: ``--data DIR --dataset NAME`` reads pre-augmented session files written by the
converter (``session_id:token item_id_list:token_seq item_id:token`` with
``<name>.{train,valid,test}.inter``); without ``--data`` the SR-GNN pickles in
``--data-dir`` (its ``diginetica/``) are converted into a temporary folder here, holding out ``--valid-ratio`` of
the training *sessions* (all their prefixes) for validation so that model selection
never sees a test example nor a prefix of a training session.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import torch

from recbole_ctx.bench.sources import DEFAULT_DATA_DIR
from recbole_ctx.bench.srgnn_data import recbole_config, write_diginetica, write_ml100k
from recbole_ctx.bench.srgnn_speed import BASELINE, FLOOR, measure_speed

MODELS = ("SRGNNFast", "SRGNN", "GRU4Rec")


@contextlib.contextmanager
def _dataset_folder(args: argparse.Namespace) -> Iterator[tuple[Path, str]]:
    """The converted data given by ``--data-path``, or a temporary conversion from ``--data-dir``."""
    if args.data is not None:
        yield Path(args.data), args.dataset
        return
    with tempfile.TemporaryDirectory(prefix="srgnn-bench-") as tmp:
        if args.dataset == "ml-100k":
            print(f"converting ml-100k (users: {args.sessions or 'all'}) ...", flush=True)
            yield Path(tmp), write_ml100k(Path(tmp), args.sessions, args.valid_ratio, args.seed)
            return
        print(f"converting {args.source} (train sessions: {args.sessions or 'all'}) ...", flush=True)
        name = write_diginetica(Path(args.source), Path(tmp), args.sessions, args.test_examples,
                                args.valid_ratio, args.seed)
        yield Path(tmp), name


def _overrides(args: argparse.Namespace) -> dict:
    """Config keys set from the command line, the same for every model."""
    return {} if args.batch_size is None else {"train_batch_size": args.batch_size}


def run_speed(args: argparse.Namespace) -> int:
    from recbole.data import create_dataset, data_preparation

    device = torch.device(args.device)
    with _dataset_folder(args) as (data_path, name):
        base = recbole_config(args.models[0], data_path, name, args.device, _overrides(args))
        dataset = create_dataset(base)
        train_data, _, test_data = data_preparation(base, dataset)
        print(f"device {device}, {torch.get_num_threads()} CPU threads; {len(train_data.dataset)} training "
              f"examples, {len(train_data)} batches of {base['train_batch_size']} per epoch; "
              f"{dataset.item_num} items; timing {args.steps} steps per row, in {args.rounds} interleaved rounds")
        configs = {m: recbole_config(m, data_path, name, args.device, _overrides(args)) for m in args.models}
        # The floor takes SRGNNFast's settings (embedding size, trainer) for its shared part.
        configs[FLOOR] = recbole_config("SRGNNFast", data_path, name, args.device, _overrides(args))
        tables = measure_speed(configs, train_data, test_data, device, args.steps, args.rounds, args.seed,
                               evaluate=args.eval)
    print(f"'{FLOOR}': the session vector is the last click's embedding; the rest of the step "
          f"(scoring every item, cross-entropy, optimizer on the item table) is what every model here "
          f"shares, so its speed-up vs {BASELINE} bounds any model's.")
    for setting, table in tables.items():
        print(f"\n{setting}:")
        print(table.to_string(float_format=lambda v: f"{v:.4g}"))
    return 0


def train_and_evaluate(model_name: str, config, train_data, valid_data, test_data, epochs: int,
                       progress: bool) -> pd.DataFrame:
    """Train ``model_name`` for ``epochs`` with :class:`SessionTrainer`; metrics (in %) per epoch."""
    import recbole_ctx
    from recbole_ctx.trainer.session_trainer import SessionTrainer

    model = recbole_ctx.get_model(model_name)(config, train_data.dataset).to(config["device"])
    # The same trainer (reference lr decay, fused Adam) for every model: equal training budgets.
    trainer = SessionTrainer(config, model)
    rows = []
    for epoch in range(epochs):
        start, start_cpu = time.perf_counter(), time.process_time()
        loss = trainer._train_epoch(train_data, epoch, show_progress=progress)
        train_s, train_cpu_s = time.perf_counter() - start, time.process_time() - start_cpu
        valid = trainer.evaluate(valid_data, load_best_model=False)
        test = trainer.evaluate(test_data, load_best_model=False)
        rows.append({"model": model_name, "epoch": epoch, "lr": trainer.optimizer.param_groups[0]["lr"],
                     "loss": loss, "train s": train_s, "train cpu s": train_cpu_s, "valid hr@20": 100 * valid["hit@20"],
                     "valid mrr@20": 100 * valid["mrr@20"], "test hr@20": 100 * test["hit@20"],
                     "test mrr@20": 100 * test["mrr@20"]})
        line = pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.4g}").splitlines()
        print("\n".join(line if epoch == 0 else line[-1:]), flush=True)  # header once, aligned rows
    return pd.DataFrame(rows)


def run_quality(args: argparse.Namespace) -> int:
    from recbole.data import create_dataset, data_preparation

    summary = []
    with _dataset_folder(args) as (data_path, name):
        for model_name in args.models:
            config = recbole_config(model_name, data_path, name, args.device,
                                    {"epochs": args.epochs, "show_progress": args.progress, **_overrides(args)})
            dataset = create_dataset(config)
            train_data, valid_data, test_data = data_preparation(config, dataset)
            print(f"{model_name}: {len(train_data.dataset)} train / {len(valid_data.dataset)} valid / "
                  f"{len(test_data.dataset)} test examples, {dataset.item_num} items", flush=True)
            torch.manual_seed(args.seed)
            table = train_and_evaluate(model_name, config, train_data, valid_data, test_data,
                                       args.epochs, args.progress)
            best = table.loc[table["valid mrr@20"].idxmax()]
            summary.append({"model": model_name, "epochs": len(table), "best-valid epoch": int(best["epoch"]),
                            "test hr@20": best["test hr@20"], "test mrr@20": best["test mrr@20"],
                            "best test over epochs hr@20": table["test hr@20"].max(),
                            "best test over epochs mrr@20": table["test mrr@20"].max()})
    print("\ntest metrics (%) at the best-validation epoch; 'best test over epochs' is the reference "
          "code's figure")
    print(pd.DataFrame(summary).set_index("model").to_string(float_format=lambda v: f"{v:.2f}"))
    return 0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="recbole-ctx bench srgnn", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-path", "--data_path", dest="data",
                        help="converted datasets' folder holding <dataset>/<dataset>.{train,valid,test}.inter")
    parser.add_argument("--dataset", default="diginetica",
                        help="comma-separated; without --data-path: diginetica (from --data-dir) and/or ml-100k "
                             "(recbole's copy, each user one session), one after the other in this run")
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR),
                        help="raw sources' folder holding diginetica/ (SR-GNN's all_train_seq.txt, test.txt; without --data-path)")
    parser.add_argument("--sessions", type=int, help="use the first N training sessions (ml-100k: users; default all)")
    parser.add_argument("--batch-size", type=int, help="training batch size of every model (default 100)")
    parser.add_argument("--test-examples", type=int, help="use the first N test examples (default all)")
    parser.add_argument("--valid-ratio", type=float, default=0.1)
    parser.add_argument("--steps", type=int, default=50, help="timed training steps per model")
    parser.add_argument("--rounds", type=int, default=5, help="speed mode: interleave the models in N chunks")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated model names")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--eval", action="store_true", help="speed mode: also report test HR/MRR@20")
    parser.add_argument("--quick", action="store_true", help="small CPU run (< 2 minutes)")
    parser.add_argument("--quality", action="store_true", help="train each model for --epochs, report metrics")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--progress", action="store_true", help="progress bars inside epochs")
    parser.add_argument("--seed", type=int, default=2019)
    args = parser.parse_args(argv)
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    if args.quick:
        args.device, args.steps = "cpu", min(args.steps, 20)
        args.sessions, args.test_examples = args.sessions or 5000, args.test_examples or 2000
    if (args.sessions is not None and args.sessions < 1) or args.steps < 1 or not 1 <= args.rounds <= args.steps:
        parser.error("--sessions and --steps must be >= 1, --rounds in 1..steps")
    return args


def main(argv: list[str]) -> int:
    from dataset_converters.errors import ConversionError

    args = parse_args(argv)
    args.data = None if args.data is None else str(Path(args.data).resolve())
    args.source = str(Path(args.data_dir).resolve() / "diginetica")
    # RecBole's trainers write checkpoints and TensorBoard logs under the working
    # directory: run in a scratch one so the benchmark leaves nothing behind.
    with tempfile.TemporaryDirectory(prefix="srgnn-bench-cwd-") as scratch, contextlib.chdir(scratch):
        try:
            for dataset in args.dataset.split(","):
                print(f"== {dataset} ==", flush=True)
                status = (run_quality if args.quality else run_speed)(argparse.Namespace(**{**vars(args), "dataset": dataset}))
                if status:
                    return status
            return 0
        except ConversionError as err:
            print(f"recbole-ctx bench srgnn: {err}", file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
