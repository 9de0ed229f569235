"""``recbole-ctx bench scale``: from atomic files of rel-hm's size to a trained, evaluated ContextGNN.

Generates a ``.inter`` file of rel-hm's shape (``user_id:token item_id:token
timestamp:float``; ``--full``: 1.1M users, 105k items, 15.4M rows; default: a 1/100
sample that a CI test runs in seconds) with a skewed per-user event count (log-normal
user activity, Zipf-like item popularity, one day granularity over rel-hm's two years),
then loads it in fresh child processes, one per (loader, stage), so that each peak RSS is
that stage's alone:

- ``parse``: ``Dataset._load_feat`` on the file (RecBole's Python-engine parse, or the
  pyarrow path of ``recbole_ctx.compat.atomic_reader``);
  stock is RecBole's own throughout, fast is this project's compat layer
  (``atomic_reader``, ``inter_num_filter``, ``token_remap``);
- ``dataset``: the whole ``create_dataset`` (parse, filters, remap, frames), the parse
  timed inside;
- ``graph``: the temporal task's ``TemporalDataset`` (events, label files) and its
  graph store (``graph_of``), each timed, the store's bytes reported;
- ``train``: ContextGNN training steps through the protocol's trainer (``--steps``, after
  one warm-up step), steps per second;
- ``eval``: full-sort evaluation of the validation rows of a seeded sample of
  ``--eval-users`` users (the valid label file holds only theirs), seconds extrapolated
  to every user with a validation row, and MAP@k with its standard error over the sample;
- ``ddp``: memory of each of ``--nproc`` DDP ranks against one process, a whole
  ``run_recbole`` of ``--steps`` steps each (``recbole_ctx.bench.scale_ddp``).

The task is rel-hm's user-item-purchase in shape: weekly seed times, ``timedelta`` 7 days,
``eval_k`` 12, the last two weeks for validation and test.

Prints seconds and peak RSS (MiB, the child's ``VmHWM``, the interpreter and its
imports included, their baseline shown; with ``--workers`` the loader processes' own
memory is not in it) per row and the stock/fast ratios of the same run.
``--stock-rows N`` times the stock loader on the first N rows only (its seconds are then
scaled linearly to the full file, labelled so) for machines where it would not fit.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

FULL = {"users": 1_100_000, "items": 105_000, "rows": 15_400_000}
SMALL = {"users": 11_000, "items": 1_050, "rows": 154_000}
START = 1_537_401_600  # 2018-09-20, rel-hm's first transaction day (Unix seconds)
DAYS = 734
DAY = 86_400
VAL_DAY, TEST_DAY, DELTA_DAYS, TRAIN_SEEDS = DAYS - 14, DAYS - 7, 7, 4  # seed days; weekly train seeds before val
EVAL_K = 12  # rel-hm's user-item-purchase: MAP@12
HEADER = "user_id:token\titem_id:token\ttimestamp:float\n"


def generate(path: Path, users: int, items: int, rows: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    """Write a rel-hm-shaped ``.inter`` of ``rows`` events at ``path``: every user has >= 1
    event, the rest drawn in proportion to a log-normal activity (sigma 1.3: most users a
    handful of events, a few hundreds); items by Zipf-like popularity; one event day each,
    uniform over two years, file in time order.  Returns int64 ``(user, item, day)`` [rows]."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    rng = np.random.default_rng(seed)
    activity = rng.lognormal(0.0, 1.3, users)
    user = np.concatenate([np.arange(users), rng.choice(users, rows - users, p=activity / activity.sum())])
    popularity = 1.0 / (np.arange(items) + 10.0) ** 0.9
    item = rng.permutation(items)[rng.choice(items, rows, p=popularity / popularity.sum())]
    day = np.sort(rng.integers(0, DAYS, rows))
    rng.shuffle(user)  # users spread over the time line
    table = pa.table({"u": user, "i": item, "t": START + 86_400 * day})
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(HEADER.encode())
        pcsv.write_csv(table, f, pcsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none"))
    return user, item, day


def write_labels(folder: Path, name: str, user: np.ndarray, item: np.ndarray, day: np.ndarray,
                 eval_users: int, seed: int = 0) -> dict:
    """``<name>.{train,valid,test}.label`` of the task (see the module docstring): per seed day
    ``D`` the distinct (user, item) pairs of days ``D+1 .. D+7``.  Only ``eval_users`` users
    (seeded draw) keep their validation rows.  Returns the protocol's config keys and
    ``valid_users``: how many users the full validation split has."""
    header = "user_id:token\ttimestamp:float\titem_id:token\n"
    total_valid = 0
    seeds = {"train": [VAL_DAY - DELTA_DAYS * (k + 1) for k in range(TRAIN_SEEDS)], "valid": [VAL_DAY],
             "test": [TEST_DAY]}
    for split, days in seeds.items():
        frames = []
        for seed_day in days:
            window = (day > seed_day) & (day <= seed_day + DELTA_DAYS)
            pairs = np.unique(np.stack([user[window], item[window]], axis=1), axis=0)
            frames.append((seed_day, pairs))
        if split == "valid":
            seed_day, pairs = frames[0]
            users = np.unique(pairs[:, 0])
            total_valid = len(users)
            keep = np.random.default_rng(seed).choice(users, min(eval_users, len(users)), replace=False)
            frames = [(seed_day, pairs[np.isin(pairs[:, 0], keep)])]
        with open(folder / f"{name}.{split}.label", "w") as f:
            f.write(header)
            for seed_day, pairs in frames:
                time_ = START + DAY * seed_day
                f.writelines(f"{u}\t{time_}\t{i}\n" for u, i in pairs.tolist())
    return {"val_timestamp": float(START + DAY * VAL_DAY), "test_timestamp": float(START + DAY * TEST_DAY),
            "timedelta": float(DAY * DELTA_DAYS), "eval_k": EVAL_K, "valid_users": total_valid}


def _peak_mib() -> float:
    """This process's peak resident set size, MiB.

    Linux's ``VmHWM`` is reset by ``exec``; ``ru_maxrss`` (the fallback elsewhere) keeps the
    parent's size at ``fork`` time, which would hide a child smaller than its parent."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024.0
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child(data_path: str, name: str, loader: str, stage: str) -> dict:
    """Run one (loader, stage) in this process; returns seconds and peak RSS."""
    import recbole_ctx  # noqa: F401  (compat layer: the fast loader is installed)
    from recbole.config import Config
    from recbole.data import create_dataset
    from recbole.data.dataset.dataset import Dataset
    from recbole_ctx.compat import atomic_reader, inter_num_filter, token_remap

    config = Config(model="BPR", dataset=name, config_dict={
        "data_path": data_path, "load_col": {"inter": ["user_id", "item_id", "timestamp"]},
        "show_progress": False, "state": "ERROR", "checkpoint_dir": tempfile.gettempdir(),
    })
    with contextlib.ExitStack() as stock:
        if loader == "stock":  # RecBole's own parse, interaction-count filter and remap
            stock.enter_context(atomic_reader.stock_loading())
            stock.enter_context(inter_num_filter.stock_filtering())
            stock.enter_context(token_remap.stock_remapping())
        load_feat = Dataset._load_feat
        parse = [0.0]

        def timed(self, filepath, source):
            start = time.perf_counter()
            try:
                return load_feat(self, filepath, source)
            finally:
                parse[0] += time.perf_counter() - start

        Dataset._load_feat = timed
        baseline = _peak_mib()
        start = time.perf_counter()
        if stage == "parse":
            dataset = Dataset.__new__(Dataset)
            dataset.config, dataset.logger = config, logging.getLogger(__name__)
            dataset.field2source, dataset.field2type, dataset.field2seqlen, dataset.field2bucketnum = {}, {}, {}, {}
            rows = len(dataset._load_feat(str(Path(data_path) / name / f"{name}.inter"), "inter"))
        else:
            rows = len(create_dataset(config).inter_feat)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "parse_s": parse[0], "peak_mib": _peak_mib(), "baseline_mib": baseline, "rows": rows}


def _task_config(data_path: str, name: str, task: dict):
    """The model's config on the generated temporal task (``task``: protocol keys and
    ``model``, ``batch_size``, ``workers``)."""
    from recbole_ctx.quick_start import build_config

    protocol = {k: task[k] for k in ("val_timestamp", "test_timestamp", "timedelta", "eval_k")}
    return build_config(task["model"], name, config_dict={
        "data_path": data_path, "load_col": {"inter": ["user_id", "item_id", "timestamp"]}, **protocol,
        "metrics": ["MAP"], "topk": [EVAL_K], "valid_metric": f"MAP@{EVAL_K}", "eval_batch_size": 1024,
        "train_batch_size": task["batch_size"], "worker": task["workers"], "epochs": 1, "seed": 0,
        "reproducibility": False, "show_progress": False, "state": "ERROR", "checkpoint_dir": tempfile.gettempdir(),
    })


def task_child(data_path: str, name: str, stage: str, task: dict) -> dict:
    """One stage of the temporal task (``graph``, ``train`` or ``eval``) in this process."""
    import torch

    from recbole_ctx.bench.gpu_models import build_model, prepare, train_steps
    from recbole_ctx.data import graph_of
    from recbole_ctx.evaluator import temporal as temporal_eval
    from recbole_ctx.evaluator.user_sample import standard_errors
    from recbole_ctx.protocol import Protocol

    torch.set_num_threads(task["threads"])
    config = _task_config(data_path, name, task)
    baseline = _peak_mib()
    if stage == "graph":
        start = time.perf_counter()
        dataset = Protocol.resolve(config).temporal_dataset(config)
        loaded = time.perf_counter()
        graph = graph_of(dataset)
        return {"dataset_s": loaded - start, "graph_s": time.perf_counter() - loaded,
                "graph_mib": graph.nbytes() / 2**20, "events": len(dataset.inter_feat), "peak_mib": _peak_mib(),
                "baseline_mib": baseline}
    protocol, data = prepare(config)
    model = build_model(config, data.train._dataset)
    trainer = protocol.trainer(config, model)
    train_steps(trainer, data.train, 1)  # warm-up: allocators, first subgraphs
    steps = train_steps(trainer, data.train, task["steps"])
    result = {"steps": steps.steps, "train_s": steps.seconds, "loss": steps.loss, "peak_mib": _peak_mib(),
              "baseline_mib": baseline}
    if stage == "eval":
        rows = []  # the ranked rows the evaluator scores, for the per-row metric
        evaluate_rec_topk = temporal_eval.evaluate_rec_topk

        def keep_rows(cfg, rec_topk):
            rows.append(rec_topk.cpu())
            return evaluate_rec_topk(cfg, rec_topk)

        temporal_eval.evaluate_rec_topk = keep_rows
        start = time.perf_counter()
        metrics = trainer.evaluate(data.valid, load_best_model=False)
        seconds = time.perf_counter() - start
        ap = _average_precision(config, torch.cat(rows))
        result.update(eval_s=seconds, eval_rows=len(ap), map=float(metrics[f"map@{EVAL_K}"]),
                      map_mean=float(ap.mean()), map_se=standard_errors(config, torch.cat(rows))[f"map@{EVAL_K}"],
                      peak_mib=_peak_mib())
    return result


def _average_precision(config, rec_topk) -> np.ndarray:
    """RecBole's AP@eval_k of every ranked row, float64 [rows] (their mean is its MAP@k).

    ``rec_topk``: RecBole's ``rec.topk`` rows, [rows, k + 1] (hits of the top k, then the
    number of positives)."""
    from recbole.evaluator.metrics import MAP

    rec_topk = rec_topk.numpy()
    return MAP(config).metric_info(rec_topk[:, :-1].astype(bool), rec_topk[:, -1])[:, EVAL_K - 1]


def _run_child(data_path: Path, name: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "recbole_ctx.bench.scale", "--child", str(data_path), name, *args],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"bench scale child {args} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _head(src: Path, dst: Path, rows: int) -> None:
    """The header and first ``rows`` data lines of ``src`` into ``dst``."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as f, open(dst, "wb") as g:
        for _ in range(rows + 1):
            line = f.readline()
            if not line:
                break
            g.write(line)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        if argv[3] == "task":
            print(json.dumps(task_child(argv[1], argv[2], argv[4], json.loads(argv[5]))))
        else:
            print(json.dumps(child(*argv[1:5])))
        return 0
    parser = argparse.ArgumentParser(prog="recbole-ctx bench scale", description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="rel-hm's full size (15.4M rows)")
    parser.add_argument("--rows", type=int, help="rows (users and items scaled alike)")
    parser.add_argument("--stock-rows", type=int, help="time the stock loader on the first N rows only")
    parser.add_argument("--stages", default="parse,dataset,graph,train,eval",
                        help="comma-separated: parse, dataset (stock vs fast); graph, train, eval (ContextGNN); "
                             "ddp (memory per DDP rank)")
    parser.add_argument("--nproc", type=int, default=2, help="ddp stage: DDP processes")
    parser.add_argument("--model", default="ContextGNN", help="a subgraph model: ContextGNN, NBFNet or ShallowItem")
    parser.add_argument("--steps", type=int, default=20, help="timed training steps (after 1 warm-up)")
    parser.add_argument("--batch-size", type=int, default=512, help="ContextGNN training batch (seed rows)")
    parser.add_argument("--workers", type=int, default=0,
                        help="RecBole's `worker`: loader processes sampling subgraphs")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per child process")
    parser.add_argument("--eval-users", type=int, default=1000, help="users sampled for the validation evaluation")
    parser.add_argument("--workdir", help="where the generated files go (default: a temporary folder)")
    args = parser.parse_args(argv)

    size = dict(FULL if args.full else SMALL)
    if args.rows:
        scale = args.rows / FULL["rows"]
        size = {"users": max(1, round(FULL["users"] * scale)), "items": max(1, round(FULL["items"] * scale)),
                "rows": args.rows}
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        events = generate(root / "full" / "hm" / "hm.inter", size["users"], size["items"], size["rows"])
        task = write_labels(root / "full" / "hm", "hm", *events, eval_users=args.eval_users)
        del events
        task.update(model=args.model, batch_size=args.batch_size, workers=args.workers, steps=args.steps,
                    threads=args.threads)
        print(f"generated {size['rows']:,} rows, {size['users']:,} users, {size['items']:,} items "
              f"in {time.perf_counter() - start:.1f} s")
        stock_rows = min(args.stock_rows or size["rows"], size["rows"])
        if stock_rows < size["rows"]:
            _head(root / "full" / "hm" / "hm.inter", root / "head" / "hm" / "hm.inter", stock_rows)
        stages = args.stages.split(",")
        _load_table(root, size["rows"], stock_rows, [s for s in stages if s in ("parse", "dataset")])
        _task_table(root / "full", task, [s for s in stages if s in ("graph", "train", "eval")])
        if "ddp" in stages:
            from recbole_ctx.bench import scale_ddp

            task["eval_users"] = args.eval_users
            print(f"\n{args.model}: run_recbole, 1 process vs {args.nproc} DDP ranks (gloo), "
                  f"{args.steps} steps, eval_user_sample {args.eval_users}")
            scale_ddp.print_table({n: scale_ddp.measure(root / "full", task, n) for n in (1, args.nproc)})
    return 0


def _load_table(root: Path, rows: int, stock_rows: int, stages: list[str]) -> None:
    """Run and print the load stages, stock then fast, each in a fresh child process.

    ``root/full`` holds the whole file, ``root/head`` its first ``stock_rows`` rows when
    the stock loader reads fewer (its seconds scaled by ``rows / stock_rows``)."""
    if not stages:
        return
    print(f"{'stage':<8} {'loader':<6} {'rows':>11} {'seconds':>9} {'parse s':>9} {'peak MiB':>9} {'base MiB':>9}")
    for stage in stages:
        result = {}
        for loader in ("stock", "fast"):
            folder = root / ("head" if loader == "stock" and stock_rows < rows else "full")
            r = _run_child(folder, "hm", loader, stage)
            factor = rows / stock_rows if loader == "stock" else 1.0
            result[loader] = {**r, "seconds": r["seconds"] * factor, "parse_s": r["parse_s"] * factor}
            note = f"  (seconds: {r['rows']:,} rows measured, x{factor:.2f}; RSS as measured)" if factor != 1.0 else ""
            print(f"{stage:<8} {loader:<6} {r['rows']:>11,} {result[loader]['seconds']:>9.2f} "
                  f"{result[loader]['parse_s']:>9.2f} {r['peak_mib']:>9.0f} {r['baseline_mib']:>9.0f}{note}")
        stock, fast = result["stock"], result["fast"]
        rss = (f"peak RSS {stock['peak_mib'] / fast['peak_mib']:.2f}x" if stock_rows == rows
               else "peak RSS not comparable (stock on fewer rows)")
        print(f"{stage:<8} ratio stock/fast: seconds {stock['seconds'] / fast['seconds']:.1f}x, "
              f"parse {stock['parse_s'] / fast['parse_s']:.1f}x, {rss}")


def _task_table(data_path: Path, task: dict, stages: list[str]) -> None:
    """Run and print the ContextGNN stages, each in a fresh child process."""
    if not stages:
        return
    print(f"\n{task['model']} on the temporal task (batch {task['batch_size']}, worker {task['workers']}, "
          f"{task['threads']} thread(s)); peak RSS per child process")
    rows = []
    if "graph" in stages:
        r = _run_child(data_path, "hm", "task", "graph", json.dumps(task))
        rows.append(("TemporalDataset (load + remap + labels)", f"{r['dataset_s']:.2f} s", r["peak_mib"]))
        rows.append((f"graph store ({r['events']:,} events)", f"{r['graph_s']:.2f} s, {r['graph_mib']:.0f} MiB",
                     r["peak_mib"]))
    if "train" in stages or "eval" in stages:
        r = _run_child(data_path, "hm", "task", "eval" if "eval" in stages else "train", json.dumps(task))
        rows.append((f"training, {r['steps']} steps (after 1 warm-up)",
                     f"{r['steps'] / r['train_s']:.2f} steps/s, loss {r['loss']:.3f}", r["peak_mib"]))
        if "eval_s" in r:
            per_row = r["eval_s"] / r["eval_rows"]
            rows.append((f"full-sort eval, {r['eval_rows']:,} sampled users of {task['valid_users']:,}",
                         f"{r['eval_s']:.2f} s; all users extrapolated {per_row * task['valid_users']:.1f} s; "
                         f"MAP@{EVAL_K} {r['map_mean']:.4f} +- {r['map_se']:.4f} (SE)", r["peak_mib"]))
    width = max(len(r[0]) for r in rows)
    for what, figure, peak in rows:
        print(f"{what:<{width}}  {figure:<70} peak {peak:.0f} MiB")


if __name__ == "__main__":
    raise SystemExit(main())
