"""``bench gpu``'s five checks (see :mod:`recbole_ctx.bench.gpu`): each takes the run's
:class:`Settings` and returns its table rows; a missed goal queues a profile."""
from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import torch

from recbole_ctx.bench.gpu_data import QUICK_EVENTS, Scale, missing_source, write_event_dataset, write_session_pickles
from recbole_ctx.bench.gpu_report import Row

SUBGRAPH_MODELS = ("NBFNet", "ShallowItem", "ContextGNN")
SRGNN_GOAL, EVAL_GOAL, STEP_GOAL = 10.0, 20.0, 1.25
HR_TOLERANCE = 1.0  # HR@20 points (percent) within which two models count as equal
METRIC_TOLERANCE = 1e-6


@dataclass
class Settings:
    """What one run measures and where (paths absolute: checks run in a scratch cwd)."""

    device: torch.device
    quick: bool
    workdir: Path
    gowalla: Path | None
    diginetica: Path | None
    model_steps: int
    srgnn_steps: dict[int, int]
    step_scale: Scale
    step_batch: int
    steps: int
    warmup: int
    repeats: int
    deadline: float
    profiles: list[tuple[str, Callable[[], str]]] = field(default_factory=list)
    data_dir: Path | None = None  # --data-dir as given (None: .gpu_data, then data), for messages
    _sessions: tuple[Path, str] | None = None

    @property
    def cuda(self) -> bool:
        return self.device.type == "cuda"

    def left(self) -> float:
        return self.deadline - time.monotonic()


@contextlib.contextmanager
def peak_memory(device: torch.device, out: list) -> Iterator[None]:
    """Appends the peak torch GPU memory of the block (MiB) to ``out``; None on CPU."""
    if device.type != "cuda":
        yield
        out.append(None)
        return
    torch.cuda.synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    yield
    torch.cuda.synchronize(device)
    out.append(torch.cuda.max_memory_allocated(device) / 2**20)


def verdict(met: bool, goal: str) -> str:
    return f"{'met' if met else 'MISSED'} ({goal})"


def _device_settings(s: Settings) -> dict:
    return {"device": str(s.device), "use_gpu": s.cuda, "state": "WARNING", "show_progress": False,
            "checkpoint_dir": str(s.workdir / "saved"), "seed": 2020, "reproducibility": False}


def _static_config(s: Settings, model: str, data_path: Path, dataset: str, overrides: dict | None = None):
    """A plugin model's config on benchmark files ``data_path/dataset/dataset.{train,valid,test}.inter``."""
    from recbole_ctx.quick_start import build_config

    columns = ["user_id", "item_id"] + (["timestamp"] if dataset != "gowalla" else [])
    config_dict = {**_device_settings(s), "data_path": str(data_path),
                   "benchmark_filename": ["train", "valid", "test"], "load_col": {"inter": columns},
                   "eval_args": {"mode": "full", "order": "RO", "group_by": "user", "split": None},
                   "sample_device": "model", "topk": [20], "metrics": ["Recall", "NDCG"],
                   "valid_metric": "NDCG@20", **(overrides or {})}
    return build_config(model, dataset, config_dict=config_dict)


def _static_data(s: Settings) -> tuple[Path, str, str]:
    """(data path, dataset name, label) of check 1's subgraph models: Gowalla, or (quick) a
    small generated graph."""
    root = s.workdir / "static"
    if s.quick:
        return root, write_event_dataset(root, "quick-events", QUICK_EVENTS), \
            f"generated {QUICK_EVENTS.users}x{QUICK_EVENTS.items}, {QUICK_EVENTS.events} events"
    if s.gowalla is None:
        raise missing_source("gowalla", s.data_dir)
    from recbole_ctx.bench.eval import write_gowalla

    return root, write_gowalla(s.gowalla, root), "Gowalla (LightGCN split, valid = test)"


def _sessions(s: Settings) -> tuple[Path, str, str]:
    """Converted Diginetica (once per run): (data path, dataset name, label)."""
    from recbole_ctx.bench.srgnn_data import write_diginetica

    source, sessions, test, label = s.diginetica, None, None, "Diginetica (10% of train sessions held out)"
    if s.quick:
        sessions, test = 300, 100
        label = "Diginetica, first 300 sessions"
        if source is None:
            source = write_session_pickles(s.workdir / "session-pickles", sessions, 200, test)
            label = "generated sessions in Diginetica's format"
    elif source is None:
        raise missing_source("diginetica", s.data_dir)
    if s._sessions is None:
        root = s.workdir / "sessions"
        s._sessions = (root, write_diginetica(source, root, sessions, test, 0.1, 2019))
    return (*s._sessions, label)


def _metrics_note(metrics: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.4f}" for k, v in metrics.items())


# -- 1. every plugin model trains and evaluates ------------------------------------------
def check_models(s: Settings) -> list[Row]:
    from recbole_ctx.bench.gpu_models import train_and_evaluate
    from recbole_ctx.bench.srgnn_data import recbole_config

    rows = []
    data_path, name, label = _static_data(s)
    configs = [(model, lambda m=model: _static_config(s, m, data_path, name), label) for model in SUBGRAPH_MODELS]
    session_path, session_name, session_label = _sessions(s)
    configs.append(("SRGNNFast", lambda: recbole_config("SRGNNFast", session_path, session_name, str(s.device),
                                                         _device_settings(s)), session_label))
    for model, make_config, data_label in configs:
        peak: list = []
        with peak_memory(s.device, peak):
            result, metrics = train_and_evaluate(make_config(), s.model_steps)
        rows.append(Row("models", f"{model}: {s.model_steps} steps + full-sort eval", str(s.device),
                        f"loss {result.loss:.4f}", "", "loss finite" if result.finite else "loss NOT finite",
                        peak[0], f"{data_label}; valid {_metrics_note(metrics)}; "
                                 f"{result.seconds_per_1000 / 1000:.3f} s/step", failed=not result.finite))
    return rows


# -- 2. the temporal sampler, CPU vs device ---------------------------------------------
def check_sampler(s: Settings) -> list[Row]:
    from recbole_ctx.bench.sampler import BATCH_SIZES, FANOUTS, SCALES, make_graph, make_seeds, sampler_call, \
        time_interleaved
    from recbole_ctx.sampler.temporal_sampler import TemporalNeighborSampler

    scale_name = "tiny" if s.quick else "rel-hm"
    scale = QUICK_EVENTS if s.quick else SCALES[scale_name]
    started = time.perf_counter()
    graph = make_graph(scale)
    note = (f"scale {scale_name} ({scale.users:,} users, {scale.items:,} items, {scale.events:,} events; "
            f"CSR build {time.perf_counter() - started:.1f} s), uniform, one-directional, "
            f"{torch.get_num_threads()} CPU threads, fastest of {s.repeats}")
    devices = [torch.device("cpu")] + ([s.device] if s.cuda else [])
    graphs = {d: graph.to(d) for d in devices}
    rows = []
    for batch in (64,) if s.quick else BATCH_SIZES:
        users, times = make_seeds(scale, batch)
        for fanouts in FANOUTS:
            cpu_rate = None
            for device in devices:
                peak: list = []
                with peak_memory(device, peak):
                    sampler = TemporalNeighborSampler(graphs[device], fanouts, "uniform", bidirectional=False)
                    fn, edges = sampler_call(sampler, users, times, device)
                    timing = time_interleaved([(fn, s.repeats)], device)[0]
                rate = edges / timing.wall
                cpu_rate = rate if device.type == "cpu" else cpu_rate
                ratio = f"{rate / cpu_rate:.1f}x CPU" if device.type != "cpu" else ""
                rows.append(Row("sampler", f"batch {batch}, fanouts {fanouts}", str(device),
                                f"{rate:,.0f} edges/s ({timing.wall * 1e3:.2f} ms/batch)", ratio, "", peak[0],
                                f"{edges:,} edges; {note}"))
    return rows


# -- 3. fast evaluation vs RecBole's loop -----------------------------------------------
def check_eval(s: Settings) -> list[Row]:
    from recbole_ctx.bench.eval import bench_scale

    scale = "ml-100k" if s.quick else "gowalla"
    if scale == "gowalla" and s.gowalla is None:
        raise missing_source("gowalla", s.data_dir)
    epochs = 0 if s.quick else 1
    peak: list = []
    with peak_memory(s.device, peak):
        r = bench_scale(scale, ["LightGCN"], str(s.device), epochs, s.workdir / "eval", s.gowalla, None)[0]
    speedup = r["recbole_s"] / r["ours_s"]
    equal = r["max_abs_diff"] <= METRIC_TOLERANCE
    row = Row("eval", f"LightGCN full sort, {scale} ({r['users']:,} users x {r['items']:,} items)", str(s.device),
              f"ours {r['ours_s']:.3f} s, RecBole {r['recbole_s']:.3f} s", f"{speedup:.1f}x RecBole",
              verdict(speedup >= EVAL_GOAL and equal, f">= {EVAL_GOAL:g}x, max|dMetric| <= {METRIC_TOLERANCE:g}"),
              peak[0], f"max|dMetric| {r['max_abs_diff']:.1e} over Recall/NDCG/Hit/MAP/MRR/Precision@5-50; "
                       f"ours first pass {r['ours_first_s']:.3f} s; plain-PyTorch bound {r['plain_s']:.3f} s; "
                       f"{epochs} training epoch(s) first")
    if not (speedup >= EVAL_GOAL and equal):
        s.profiles.append((f"eval: fast evaluation, LightGCN on {scale}", lambda: profiled(s.device, lambda: bench_scale(
            scale, ["LightGCN"], str(s.device), 0, s.workdir / "eval-profile", s.gowalla, None, with_recbole=False))))
    return [row]


# -- 4. SRGNNFast vs RecBole's SRGNN ----------------------------------------------------
def check_srgnn(s: Settings) -> list[Row]:
    from recbole.data import create_dataset, data_preparation
    from recbole.data.utils import get_dataloader

    from recbole_ctx.bench.srgnn_data import recbole_config
    from recbole_ctx.bench.srgnn_speed import OWN, measure_speed

    data_path, name, label = _sessions(s)
    base = recbole_config("SRGNNFast", data_path, name, str(s.device), _device_settings(s))
    base_train, _, test_data = data_preparation(base, create_dataset(base))
    rows = []
    for batch, steps in s.srgnn_steps.items():
        measured = {}
        for model in ("SRGNN", "SRGNNFast"):
            config = recbole_config(model, data_path, name, str(s.device),
                                    {**_device_settings(s), "train_batch_size": batch})
            # A dataset builds once; a loader per batch size over its training split.
            train_data = get_dataloader(config, "train")(config, base_train.dataset, None, shuffle=True)
            peak: list = []
            with peak_memory(s.device, peak):
                table = measure_speed({model: config}, train_data, test_data, s.device, steps, 1, 2019,
                                      settings=(OWN,), evaluate=True)[OWN]
            measured[model] = (table.loc[model], peak[0])
            if model == "SRGNNFast":
                profile_data = (config, train_data, test_data)
        base_rate = 1000 / measured["SRGNN"][0]["s/1000 steps"]
        base_hr = 100 * measured["SRGNN"][0]["test hr@20"]
        for model, (stats, peak_mib) in measured.items():
            rate, hr, mrr = 1000 / stats["s/1000 steps"], 100 * stats["test hr@20"], 100 * stats["test mrr@20"]
            ratio = goal = ""
            if model == "SRGNNFast":
                met = rate / base_rate >= SRGNN_GOAL and abs(hr - base_hr) <= HR_TOLERANCE
                ratio = f"{rate / base_rate:.1f}x SRGNN"
                goal = verdict(met, f">= {SRGNN_GOAL:g}x at equal HR@20 (within {HR_TOLERANCE:g} points)")
                if not met:
                    config, train_data, test_data = profile_data
                    s.profiles.append((f"srgnn: SRGNNFast training steps, batch {batch}", lambda c=config, t=train_data, v=test_data: profiled(
                        s.device, lambda: measure_speed({"SRGNNFast": c}, t, v, s.device, min(steps, 20), 1, 2019,
                                                        settings=(OWN,)))))
            rows.append(Row("srgnn", f"{model}, batch {batch}", str(s.device), f"{rate:.2f} steps/s", ratio, goal,
                            peak_mib, f"{label}; {stats['optimizer']}; test HR@20 {hr:.2f} / MRR@20 {mrr:.2f} "
                                      f"after {steps} steps"))
    return rows


# -- 5. step time of the three subgraph models, AMP off and on ---------------------------
def check_steps(s: Settings) -> list[Row]:
    from recbole.data import create_dataset

    from recbole_ctx.bench.gpu_models import step_time

    root = s.workdir / "relhm"
    sc = s.step_scale
    started = time.perf_counter()
    name = write_event_dataset(root, "relhm-shaped", sc)
    shared = {"train_batch_size": s.step_batch}
    base = _static_config(s, "NBFNet", root, name, shared)
    # One backbone configuration for all three: NBFNet's (its 3 hops reach items beyond a
    # user's own, which the static protocol masks; with 2 it has nothing to score).
    shared.update(num_layers=base["num_layers"], fanouts=list(base["fanouts"]))
    train_dataset = create_dataset(base).build()[0]
    note = (f"generated {sc.users:,} users x {sc.items:,} items, {sc.events:,} events (loaded in "
            f"{time.perf_counter() - started:.0f} s); batch {s.step_batch} users, fanouts {shared['fanouts']}, "
            f"{s.steps} steps after {s.warmup}")
    rows = []
    for amp in (False, True):
        amp_dtype = ("float16" if s.cuda else "bfloat16") if amp else "off"
        seconds = {}
        for model in SUBGRAPH_MODELS:
            config = _static_config(s, model, root, name, {**shared, "enable_amp": amp, "enable_scaler": amp and s.cuda})
            peak: list = []
            with peak_memory(s.device, peak):
                result = step_time(config, train_dataset, s.steps, s.warmup)
            seconds[model] = result.seconds_per_1000
            ratio = f"{result.seconds_per_1000 / seconds['NBFNet']:.2f}x NBFNet" if model != "NBFNet" else ""
            goal = ""
            if model == "ContextGNN":
                met = result.seconds_per_1000 <= STEP_GOAL * seconds["NBFNet"]
                goal = verdict(met, f"<= {STEP_GOAL:g}x NBFNet")
                if not met:
                    s.profiles.append((f"steps: ContextGNN, AMP {amp_dtype}", lambda c=config: profiled(
                        s.device, lambda: step_time(c, train_dataset, min(s.steps, 10), 1))))
            rows.append(Row("steps", f"{model}, AMP {amp_dtype}", str(s.device),
                            f"{result.seconds_per_1000:.1f} s/1,000 steps", ratio, goal, peak[0],
                            f"{note}; loss {result.loss:.3f}", failed=not result.finite))
    return rows


def profiled(device: torch.device, fn: Callable[[], object], rows: int = 15) -> str:
    """Top operators of ``fn`` by self time on ``device`` (torch.profiler)."""
    from torch.profiler import ProfilerActivity, profile

    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == "cuda" else [])
    with profile(activities=activities) as prof:
        fn()
    key = "self_cuda_time_total" if device.type == "cuda" else "self_cpu_time_total"
    return prof.key_averages().table(sort_by=key, row_limit=rows)


RUNNERS = {"models": check_models, "sampler": check_sampler, "eval": check_eval, "srgnn": check_srgnn,
           "steps": check_steps}


CHECKS = tuple(RUNNERS)
