"""``recbole-ctx bench sampler``: the vectorised temporal sampler vs a per-seed Python loop.

On a generated RelBench-like user-item event graph (skewed user activity, power-law
item popularity, event times over two years; both directions stored), for every
(device, batch size, fanouts) it prints seeds/s and sampled edges/s of
:class:`TemporalNeighborSampler` (``uniform``, one-directional output so the edge count
is what was drawn; the ``bidir ms`` column is the same call with the bidirectional output
the models use) and, on CPU, the seeds/s of a straightforward per-seed, per-node Python
implementation on the same CSR arrays, measured in the same run on a few seeds.

    recbole-ctx bench sampler --quick            # small graph, CPU, < 1 minute
    recbole-ctx bench sampler --scale 100k       # 100k users / 20k items / 2M events
    recbole-ctx bench sampler --scale rel-hm --device cuda   # 1M / 100k / 15M
"""
from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

import numpy as np
import torch

from recbole_ctx.data.temporal_graph import TemporalGraph
from recbole_ctx.sampler.temporal_sampler import TemporalNeighborSampler

RATE = ("user", "rate", "item")
TWO_YEARS = 2 * 365 * 86400.0


@dataclass(frozen=True)
class Scale:
    users: int
    items: int
    events: int


SCALES = {
    "quick": Scale(10_000, 2_000, 200_000),
    "100k": Scale(100_000, 20_000, 2_000_000),
    "rel-hm": Scale(1_000_000, 100_000, 15_000_000),
}
BATCH_SIZES = (512, 4096)
FANOUTS = ([20, 10], [20, 10, 5])


def make_graph(scale: Scale, seed: int = 0) -> TemporalGraph:
    """Skewed user activity (u ~ U * r^2) and power-law items (i ~ I * r^3), uniform times."""
    g = torch.Generator().manual_seed(seed)
    user = (torch.rand(scale.events, generator=g) ** 2 * scale.users).long()
    item = (torch.rand(scale.events, generator=g) ** 3 * scale.items).long()
    time_ = torch.rand(scale.events, generator=g, dtype=torch.float64) * TWO_YEARS
    return TemporalGraph.from_edges({"user": scale.users, "item": scale.items}, {RATE: (user, item, time_)})


def make_seeds(scale: Scale, batch: int, seed: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """Random users, seed times in the last third of the timeline (as RelBench splits)."""
    g = torch.Generator().manual_seed(seed)
    users = torch.randint(0, scale.users, (batch,), generator=g)
    times = TWO_YEARS * (2 / 3 + torch.rand(batch, generator=g, dtype=torch.float64) / 3)
    return users, times


def per_seed_python(graph: TemporalGraph, fanouts: list[int], users: np.ndarray, times: np.ndarray,
                    rng: np.random.Generator) -> int:
    """The straightforward baseline: per seed, per frontier node, per edge type.

    Returns the number of sampled edges (so its work matches the vectorised sampler).
    """
    csr = {et: (graph.rowptr[et].numpy(), graph.col[et].numpy(), graph.time[et].numpy()) for et in graph.edge_types}
    edges = 0
    for user, t in zip(users.tolist(), times.tolist()):
        seen = {("user", user): 0}
        frontier = [("user", user)]
        for hop, k in enumerate(fanouts, start=1):
            nxt = []
            for node_type, node in frontier:
                for et, (rowptr, col, time_) in csr.items():
                    if et[0] != node_type:
                        continue
                    lo, hi = rowptr[node], rowptr[node + 1]
                    end = lo + np.searchsorted(time_[lo:hi], t, side="right")
                    count = end - lo
                    pick = np.arange(lo, end) if count <= k else lo + rng.choice(count, k, replace=False)
                    for pos in pick:
                        edges += 1
                        key = (et[2], int(col[pos]))
                        if key not in seen:
                            seen[key] = hop
                            nxt.append(key)
            frontier = nxt
    return edges


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_sampler(sampler: TemporalNeighborSampler, users: torch.Tensor, times: torch.Tensor,
                 device: torch.device, repeats: int) -> tuple[float, int]:
    """Median seconds per call (after one warm-up) and sampled edges of one call."""
    gen = torch.Generator(device=device).manual_seed(0)
    users, times = users.to(device), times.to(device)
    out = sampler.sample(users, times, generator=gen)
    edges = sum(int(e.shape[1]) for e in out.edge_index.values())
    seconds = []
    for _ in range(repeats):
        _sync(device)
        start = time.perf_counter()
        sampler.sample(users, times, generator=gen)
        _sync(device)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), edges


def time_baseline(graph: TemporalGraph, fanouts: list[int], users: torch.Tensor, times: torch.Tensor,
                  n_seeds: int) -> tuple[float, int]:
    """Seconds per seed and edges per seed of :func:`per_seed_python` on ``n_seeds`` seeds."""
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    edges = per_seed_python(graph, fanouts, users[:n_seeds].numpy(), times[:n_seeds].numpy(), rng)
    return (time.perf_counter() - start) / n_seeds, edges / n_seeds


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="recbole-ctx bench sampler", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="the small 'quick' scale on CPU only")
    p.add_argument("--scale", nargs="+", choices=list(SCALES), default=None,
                   help="graph sizes (default: quick 100k)")
    p.add_argument("--device", nargs="+", default=None,
                   help="devices (default: cpu, and cuda when available)")
    p.add_argument("--repeats", type=int, default=5, help="timed calls per configuration")
    p.add_argument("--baseline-seeds", type=int, default=64, help="seeds the Python baseline runs on")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    scales = ["quick"] if args.quick else (args.scale or ["quick", "100k"])
    devices = args.device or (["cpu", "cuda"] if torch.cuda.is_available() and not args.quick else ["cpu"])
    print(f"torch {torch.__version__}, CPU threads {torch.get_num_threads()}, "
          f"devices {', '.join(devices)}; strategy uniform")
    for name in scales:
        scale = SCALES[name]
        start = time.perf_counter()
        graph = make_graph(scale)
        build = time.perf_counter() - start
        events = scale.events
        print(f"\nscale {name}: {scale.users:,} users, {scale.items:,} items, {events:,} events; "
              f"CSR build {build:.1f} s, {graph.nbytes() / events:.1f} bytes per event (both directions)")
        header = (f"{'device':<7}{'batch':>6}  {'fanouts':<11}{'ms/batch':>10}{'seeds/s':>12}"
                  f"{'edges/s':>13}{'bidir ms':>10}{'python seeds/s':>16}{'speed-up':>10}")
        print(header)
        print("-" * len(header))
        for device_name in devices:
            device = torch.device(device_name)
            dev_graph = graph.to(device)
            for batch in BATCH_SIZES:
                users, times = make_seeds(scale, batch)
                for fanouts in FANOUTS:
                    sampler = TemporalNeighborSampler(dev_graph, fanouts, "uniform", bidirectional=False)
                    seconds, edges = time_sampler(sampler, users, times, device, args.repeats)
                    bidir = TemporalNeighborSampler(dev_graph, fanouts, "uniform", bidirectional=True)
                    bidir_seconds, _ = time_sampler(bidir, users, times, device, args.repeats)
                    row = (f"{device_name:<7}{batch:>6}  {str(fanouts):<11}{seconds * 1e3:>10.2f}"
                           f"{batch / seconds:>12,.0f}{edges / seconds:>13,.0f}{bidir_seconds * 1e3:>10.2f}")
                    if device.type == "cpu":
                        per_seed, _ = time_baseline(graph, fanouts, users, times, args.baseline_seeds)
                        row += f"{1 / per_seed:>16,.0f}{(batch / seconds) * per_seed:>9.1f}x"
                    print(row, flush=True)
    return 0
