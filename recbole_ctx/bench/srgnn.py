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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from recbole.model.abstract_recommender import SequentialRecommender
from tqdm import tqdm

from recbole_ctx.model.srgnnfast import real_item_cross_entropy
from recbole_ctx.trainer.session_trainer import build_adam

DEFAULT_DATA_DIR = Path("data")  # raw sources' folder, relative to the working directory
MAX_LEN = 70  # longest Diginetica training prefix is 69 clicks: nothing is truncated
# Per dataset this bench converts itself: the input lists' length cap (MAX_ITEM_LIST_LENGTH).
# ml-100k's users are long sessions (median 65 ratings): most inputs fill all 50 slots.
# (RecBole reads a dataset named "ml-100k" from its own copy, hence the other name.)
ML100K = "ml-100k-sessions"
MAX_LENS = {"diginetica": MAX_LEN, ML100K: 50}
BASELINE = "SRGNN"
MODELS = ("SRGNNFast", "SRGNN", "GRU4Rec")
SESSION_FIELDS = {"session_id": "token", "item_id_list": "token_seq", "item_id": "token"}


def _examples_frame(values: np.ndarray, starts: np.ndarray, ends: np.ndarray, first_id: int,
                    max_len: int = MAX_LEN) -> pd.DataFrame:
    """One row per (prefix ``values[start:end]``, its last ``max_len`` kept; target ``values[end]``) example."""
    from dataset_converters.ragged import join_windows

    return pd.DataFrame({
        "session_id": np.arange(first_id, first_id + len(starts)),
        "item_id_list": join_windows(values, starts, ends, max_len),
        "item_id": values[ends],
    })


def write_diginetica(source: Path, out_root: Path, train_sessions: int | None, test_examples: int | None,
                     valid_ratio: float, seed: int) -> str:
    """Write ``out_root/diginetica/diginetica.{train,valid,test}.inter`` from SR-GNN pickles.

    ``train_sessions`` / ``test_examples`` keep only the first N (None: all). Returns the
    dataset name. Training sessions are prefix-augmented as in SR-GNN's preprocessing.
    """
    from dataset_converters.errors import ConversionError
    from dataset_converters.safe_pickle import load_pickle

    sessions = load_pickle(source / "all_train_seq.txt", "plain")
    if not isinstance(sessions, list):
        raise ConversionError(source / "all_train_seq.txt", "expected a list of sessions (lists of item ids)")
    test = load_pickle(source / "test.txt", "plain")
    if not (isinstance(test, tuple) and len(test) == 2 and len(test[0]) == len(test[1])):
        raise ConversionError(source / "test.txt", "expected a tuple (input sequences, target items) of equal lengths")
    write_sessions(sessions[:train_sessions], test[0][:test_examples], test[1][:test_examples], out_root,
                   "diginetica", valid_ratio, seed)
    return "diginetica"


def write_sessions(sessions: list, test_inputs: list, test_targets: list, out_root: Path, name: str,
                   valid_ratio: float, seed: int) -> None:
    """Write ``out_root/name/name.{train,valid,test}.inter``: the training ``sessions``
    prefix-augmented as in SR-GNN's preprocessing, ``valid_ratio`` of them (whole
    sessions, seeded) held out for validation, and one test example per input list."""
    from dataset_converters.atomic import write_atomic
    from dataset_converters.ragged import augment, from_lists

    max_len = MAX_LENS.get(name, MAX_LEN)
    rng = np.random.default_rng(seed)
    is_valid = np.zeros(len(sessions), dtype=bool)
    is_valid[rng.permutation(len(sessions))[: int(round(valid_ratio * len(sessions)))]] = True
    folder = out_root / name
    folder.mkdir(parents=True, exist_ok=True)
    first_id = 0
    for split, keep in (("train", ~is_valid), ("valid", is_valid)):
        values, offsets = from_lists([s for s, k in zip(sessions, keep) if k])
        _, starts, targets = augment(offsets)
        frame = _examples_frame(values, starts, targets, first_id, max_len)
        first_id += len(frame)
        write_atomic(frame, folder / f"{name}.{split}.inter", SESSION_FIELDS)
    values, offsets = from_lists([list(s) + [t] for s, t in zip(test_inputs, test_targets)])
    frame = _examples_frame(values, offsets[:-1], offsets[1:] - 1, first_id, max_len)
    write_atomic(frame, folder / f"{name}.test.inter", SESSION_FIELDS)


def write_ml100k(out_root: Path, users: int | None, valid_ratio: float, seed: int) -> str:
    """ml-100k (the copy inside the recbole wheel) as sessions: each user's ratings in time
    order (ties by file order) is one session; its last item is the test target (given the
    rest), the rest trains.  ``users`` keeps the first N users (None: all).  Returns the
    dataset name."""
    import recbole

    inter = pd.read_csv(Path(recbole.__file__).parent / "dataset_example" / "ml-100k" / "ml-100k.inter",
                        sep="\t", usecols=["user_id:token", "item_id:token", "timestamp:float"])
    inter = inter.sort_values(["user_id:token", "timestamp:float"], kind="stable")
    histories = [g.tolist() for _, g in inter.groupby("user_id:token", sort=True)["item_id:token"]][:users]
    write_sessions([h[:-1] for h in histories], [h[:-1] for h in histories], [h[-1] for h in histories],
                   out_root, ML100K, valid_ratio, seed)
    return ML100K


def recbole_config(model: str, data_path: Path, dataset: str, device: str, overrides: dict):
    """RecBole ``Config`` for ``model`` on the pre-augmented session files."""
    from recbole.config import Config

    import recbole_ctx  # noqa: F401  (registers SRGNNFast)
    from recbole_ctx.utils.paths import CONFIG_DIR

    model_yaml = CONFIG_DIR / "model" / f"{model}.yaml"
    config_dict = {
        "data_path": str(data_path), "benchmark_filename": ["train", "valid", "test"],
        "USER_ID_FIELD": "session_id", "ITEM_ID_FIELD": "item_id",
        "load_col": {"inter": list(SESSION_FIELDS)}, "alias_of_item_id": ["item_id_list"],
        "MAX_ITEM_LIST_LENGTH": MAX_LENS.get(dataset, MAX_LEN),
        "eval_args": {"split": {"RS": [0.8, 0.1, 0.1]}, "order": "TO", "mode": "full"},
        "metrics": ["Hit", "MRR"], "topk": [20], "valid_metric": "MRR@20",
        # One embedding size for every model (SRGNNFast's default; RecBole's SRGNN's own is
        # 64): the per-node products grow with its square, so unequal sizes compare work.
        "embedding_size": 100, "hidden_size": 100, "loss_type": "CE", "step": 1,
        "train_neg_sample_args": None, "train_batch_size": 100, "eval_batch_size": 2048,
        "learning_rate": 0.001, "weight_decay": 1e-5, "lr_dc": 0.1, "lr_dc_step": 3, "show_progress": False,
        "device": device, "use_gpu": device != "cpu", "state": "WARNING",
        "reproducibility": False, **overrides,
    }
    files = [str(model_yaml)] if model_yaml.exists() else []
    config = Config(model=model, dataset=dataset, config_file_list=files, config_dict=config_dict)
    # Importing RecBole's sequential models runs SINE's module-level
    # torch.autograd.set_detect_anomaly(True), which checks every backward output for
    # NaN and slows all models' training; no model here needs it.
    torch.autograd.set_detect_anomaly(False)
    return config


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


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class ScoringFloor(SequentialRecommender):
    """The training step every full-softmax session model shares, with a trivial encoder.

    The session vector is the embedding of the last click, scored against every item
    exactly as in SRGNNFast (:func:`real_item_cross_entropy`), so a step costs the scoring
    products, the cross-entropy and the optimizer over the item table, and nothing else:
    no model with this output layer can train faster.
    """

    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        self.item_embedding = torch.nn.Embedding(self.n_items, config["embedding_size"])

    def calculate_loss(self, interaction) -> torch.Tensor:
        """Softmax cross-entropy of the target given the last click, float scalar."""
        last = self.gather_indexes(interaction[self.ITEM_SEQ].unsqueeze(2), interaction[self.ITEM_SEQ_LEN] - 1)
        session = self.item_embedding(last.squeeze(1))
        return real_item_cross_entropy(session, self.item_embedding.weight, interaction[self.POS_ITEM_ID])


FLOOR = "floor (scoring+CE+optimizer)"
OWN, COMMON = "own trainer's optimizer", "common optimizer (RecBole's Adam)"


@dataclass
class SpeedRun:
    """One (model, optimizer) pair of the speed table and its accumulated timings (s)."""

    model_name: str
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    wall: float = 0.0
    cpu: float = 0.0

    @property
    def optimizer_name(self) -> str:
        return type(self.optimizer).__name__ + (" fused" if self.optimizer.defaults.get("fused") else "")


def common_optimizer(model: torch.nn.Module, config) -> torch.optim.Optimizer:
    """The Adam RecBole's ``Trainer`` builds for ``learner: adam`` (torch's default kernel)."""
    return torch.optim.Adam(model.parameters(), lr=config["learning_rate"], weight_decay=config["weight_decay"])


def own_optimizer(model_name: str, model: torch.nn.Module, config) -> torch.optim.Optimizer:
    """The optimizer of the trainer ``run_recbole`` would pick for ``model_name``.

    The floor gets SessionTrainer's, the bound for SRGNNFast's own-trainer row.
    """
    import recbole_ctx

    if model_name == FLOOR:
        return build_adam(model.parameters(), config["learning_rate"], config["weight_decay"])
    return recbole_ctx.get_trainer(config["MODEL_TYPE"], model_name)(config, model).optimizer


def _train_step(model: torch.nn.Module, optimizer: torch.optim.Optimizer, interaction) -> None:
    optimizer.zero_grad()
    model.calculate_loss(interaction).backward()
    optimizer.step()


def time_training_steps(runs: list[SpeedRun], batches: list, device: torch.device, rounds: int) -> None:
    """Add each run's wall and process-CPU seconds for the steps on ``batches[1:]``.

    ``batches[0]`` warms up allocators and kernels. The timed batches are split into
    ``rounds`` chunks and the runs take turns chunk by chunk, so that load from other
    processes on a shared machine falls on all runs alike. Every run sees the same batches.
    """
    for run in runs:
        run.model.train()
        _train_step(run.model, run.optimizer, batches[0])
    for chunk in np.array_split(np.arange(1, len(batches)), rounds):
        for run in tqdm(runs, desc=f"steps {chunk[0]}-{chunk[-1]}", leave=False):
            _synchronize(device)
            wall, cpu = time.perf_counter(), time.process_time()
            for i in chunk:
                _train_step(run.model, run.optimizer, batches[i])
            _synchronize(device)
            run.wall += time.perf_counter() - wall
            run.cpu += time.process_time() - cpu


def _prefetch(train_data, count: int, device: torch.device) -> list:
    """The first ``count`` training batches (cycling through the loader), on ``device``."""
    if len(train_data) == 0:
        raise ValueError("the training data holds no batch")
    batches = []
    while len(batches) < count:
        for interaction in train_data:
            batches.append(interaction.to(device))
            if len(batches) == count:
                break
    return batches


def _speed_runs(seed: int, configs: dict, dataset, settings: tuple[str, ...] = (OWN, COMMON)
                ) -> dict[str, dict[str, SpeedRun]]:
    """Per optimizer setting, per model (and the floor), its run; one run serves both
    settings when a model's own optimizer is the common one."""
    import recbole_ctx

    runs: dict[str, dict[str, SpeedRun]] = {setting: {} for setting in settings}
    for model_name, config in configs.items():
        make = ScoringFloor if model_name == FLOOR else recbole_ctx.get_model(model_name)
        built = {}
        for setting in settings:
            torch.manual_seed(seed)  # both settings start from the same weights
            model = make(config, dataset).to(config["device"])
            optimizer = own_optimizer(model_name, model, config) if setting == OWN else common_optimizer(model, config)
            built[setting] = SpeedRun(model_name, model, optimizer)
        if OWN in built and COMMON in built:
            own, common = built[OWN].optimizer, built[COMMON].optimizer
            if type(own) is type(common) and own.defaults == common.defaults:
                built[COMMON] = built[OWN]
        for setting, run in built.items():
            runs[setting][model_name] = run
    return runs


def _speed_table(runs: dict[str, SpeedRun], steps: int, batches_per_epoch: int) -> pd.DataFrame:
    """Seconds per 1,000 steps (wall and process CPU), extrapolated epoch, ratio to the baseline."""
    table = pd.DataFrame([{
        "model": name, "optimizer": run.optimizer_name,
        "s/1000 steps": 1000 * run.wall / steps, "cpu s/1000 steps": 1000 * run.cpu / steps,
        "s/epoch (extrapolated)": run.wall / steps * batches_per_epoch,
    } for name, run in runs.items()]).set_index("model")
    if BASELINE in table.index:
        table[f"speed-up vs {BASELINE}"] = table.loc[BASELINE, "s/1000 steps"] / table["s/1000 steps"]
    return table


def measure_speed(configs: dict, train_data, test_data, device: torch.device, steps: int, rounds: int,
                  seed: int, settings: tuple[str, ...] = (OWN, COMMON), evaluate: bool = False
                  ) -> dict[str, pd.DataFrame]:
    """Per optimizer setting, the speed table of ``configs``' models (name -> RecBole config).

    Every model trains the same ``steps`` prefetched batches of ``train_data`` (after one
    warm-up batch), the models taking turns in ``rounds`` chunks; with ``evaluate``, the
    own-optimizer table gains test HR@20 / MRR@20 (fractions) of the models after those steps.
    """
    from recbole.trainer import Trainer

    runs = _speed_runs(seed, configs, train_data.dataset, settings)
    distinct = list({id(run): run for by_model in runs.values() for run in by_model.values()}.values())
    time_training_steps(distinct, _prefetch(train_data, steps + 1, device), device, rounds)
    tables = {setting: _speed_table(by_model, steps, len(train_data)) for setting, by_model in runs.items()}
    if evaluate and OWN in runs:
        for model_name, run in runs[OWN].items():
            if model_name != FLOOR:
                result = Trainer(configs[model_name], run.model).evaluate(test_data, load_best_model=False)
                tables[OWN].loc[model_name, ["test hr@20", "test mrr@20"]] = [result["hit@20"], result["mrr@20"]]
    return tables


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
