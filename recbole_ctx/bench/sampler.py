"""``recbole-ctx bench sampler``: the vectorised temporal sampler vs a per-seed Python loop.

On a generated RelBench-like user-item event graph (skewed user activity, power-law
item popularity, event times over two years; both directions stored), for every
(device, batch size, fanouts) it prints wall and CPU milliseconds per batch, seeds/s and
sampled edges/s of
:class:`TemporalNeighborSampler` (``uniform``, one-directional output so the edge count
is what was drawn; the ``bidir ms`` column is the same call with the bidirectional output
the models use) and, on CPU, the seeds/s of a straightforward per-seed, per-node Python
implementation on the same CSR arrays and the speed-up by wall clock and by process CPU
time (fastest of the repeats for both).  The baseline runs on the batch's own seeds (the
first ``--baseline-seeds`` of them) and its repeats alternate with the sampler's, so a
machine that drifts while the benchmark runs slows both sides alike.

    recbole-ctx bench sampler --quick            # small graph, CPU, < 1 minute
    recbole-ctx bench sampler --scale 100k       # 100k users / 20k items / 2M events
    recbole-ctx bench sampler --scale rel-hm --device cuda   # 1M / 100k / 15M
"""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from recbole_ctx.sampler.temporal_graph import TemporalGraph
from recbole_ctx.sampler.subgraph import SampledSubgraph
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
                    rng: np.random.Generator) -> SampledSubgraph:
    """The straightforward baseline: per seed, per frontier node, per edge type, per edge.

    Builds the sampler's own output (one-directional): the work matches the vectorised
    sampler's, including the local ids, times, seed index and hop of everything drawn.
    Fields are collected in flat lists (no per-edge tuples for the garbage collector to
    scan) and converted through numpy, as a careful Python implementation would.
    """
    csr = {et: (graph.rowptr[et].numpy(), graph.col[et].numpy(), graph.time[et].numpy()) for et in graph.edge_types}
    seeds = users.tolist()
    # per node type: global id, seed index and hop of each local id; seeds first, in batch order
    node_gid = {node_type: [] for node_type in graph.num_nodes}
    node_seed = {node_type: [] for node_type in graph.num_nodes}
    node_hop = {node_type: [] for node_type in graph.num_nodes}
    node_gid["user"], node_seed["user"], node_hop["user"] = list(seeds), list(range(len(seeds))), [0] * len(seeds)
    edge_src = {et: [] for et in graph.edge_types}
    edge_dst = {et: [] for et in graph.edge_types}
    edge_time = {et: [] for et in graph.edge_types}
    for b, (user, t) in enumerate(zip(seeds, times.tolist())):
        local = {("user", user): b}
        frontier = [("user", user)]
        for hop, k in enumerate(fanouts, start=1):
            nxt = []
            for node_type, node in frontier:
                src_local = local[(node_type, node)]
                for et, (rowptr, col, time_) in csr.items():
                    if et[0] != node_type:
                        continue
                    lo, hi = rowptr[node], rowptr[node + 1]
                    end = lo + np.searchsorted(time_[lo:hi], t, side="right")
                    count = end - lo
                    take_all = k == -1 or count <= k
                    pick = np.arange(lo, end) if take_all else lo + rng.choice(count, k, replace=False)
                    dst_type = et[2]
                    for gid, event_time in zip(col[pick].tolist(), time_[pick].tolist()):
                        key = (dst_type, gid)
                        dst_local = local.get(key)
                        if dst_local is None:
                            dst_local = local[key] = len(node_gid[dst_type])
                            node_gid[dst_type].append(gid)
                            node_seed[dst_type].append(b)
                            node_hop[dst_type].append(hop)
                            nxt.append(key)
                        edge_src[et].append(src_local)
                        edge_dst[et].append(dst_local)
                        edge_time[et].append(event_time)
            frontier = nxt

    def as_long(values: list[int]) -> torch.Tensor:
        return torch.from_numpy(np.asarray(values, dtype=np.int64))

    out = SampledSubgraph(seed_type="user", seed_time=torch.as_tensor(times, dtype=torch.float64))
    for node_type in graph.num_nodes:
        out.node[node_type] = as_long(node_gid[node_type])
        out.batch[node_type] = as_long(node_seed[node_type])
        out.hop[node_type] = as_long(node_hop[node_type])
    for et in graph.edge_types:
        out.edge_index[et] = torch.stack([as_long(edge_src[et]), as_long(edge_dst[et])])
        out.edge_time[et] = torch.from_numpy(np.asarray(edge_time[et], dtype=np.float64))
    return out


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@dataclass(frozen=True)
class Timing:
    """Fastest wall-clock and fastest process CPU seconds over the repeats.

    On a shared machine the wall clock also measures other processes; process CPU
    time does not (with one torch thread it is the code's own cost).
    """

    wall: float
    cpu: float


def time_interleaved(calls: list[tuple[Callable[[], object], int]], device: torch.device) -> list[Timing]:
    """Fastest wall and CPU time of each ``(fn, repeats)``, the calls taking turns.

    Round ``r`` runs every function that still has repeats left, so slow phases of a
    shared machine fall on all of them.
    """
    walls: list[list[float]] = [[] for _ in calls]
    cpus: list[list[float]] = [[] for _ in calls]
    for round_ in range(max(repeats for _, repeats in calls)):
        for i, (fn, repeats) in enumerate(calls):
            if round_ >= repeats:
                continue
            _sync(device)
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            _sync(device)
            walls[i].append(time.perf_counter() - wall)
            cpus[i].append(time.process_time() - cpu)
    return [Timing(min(w), min(c)) for w, c in zip(walls, cpus)]


def sampler_call(sampler: TemporalNeighborSampler, users: torch.Tensor, times: torch.Tensor,
                 device: torch.device) -> tuple[Callable[[], object], int]:
    """A timed call of the sampler on the batch (after a warm-up call), and the edges it samples."""
    gen = torch.Generator(device=device).manual_seed(0)
    users, times = users.to(device), times.to(device)
    out = sampler.sample(users, times, generator=gen)
    edges = sum(int(e.shape[1]) for e in out.edge_index.values())
    return (lambda: sampler.sample(users, times, generator=gen)), edges


def baseline_call(graph: TemporalGraph, fanouts: list[int], users: torch.Tensor,
                  times: torch.Tensor) -> Callable[[], SampledSubgraph]:
    """A timed call of :func:`per_seed_python` on the given seeds."""
    rng = np.random.default_rng(0)
    users_np, times_np = users.numpy(), times.numpy()
    return lambda: per_seed_python(graph, fanouts, users_np, times_np, rng)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="recbole-ctx bench sampler", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="the small 'quick' scale on CPU only")
    p.add_argument("--scale", nargs="+", choices=list(SCALES), default=None,
                   help="graph sizes (default: quick 100k)")
    p.add_argument("--device", nargs="+", default=None,
                   help="devices (default: cpu, and cuda when available)")
    p.add_argument("--repeats", type=int, default=5, help="timed calls per configuration")
    p.add_argument("--baseline-seeds", type=int, default=512,
                   help="the Python baseline runs on the first N seeds of each batch")
    p.add_argument("--baseline-repeats", type=int, default=3, help="timed runs of the Python baseline")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
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
        header = (f"{'device':<7}{'batch':>6}  {'fanouts':<11}{'ms/batch':>9}{'cpu ms':>9}{'seeds/s':>10}"
                  f"{'edges/s':>12}{'bidir ms':>10}{'py seeds/s':>11}{'x wall':>8}{'x cpu':>8}")
        print(header)
        print("-" * len(header))
        for device_name in devices:
            device = torch.device(device_name)
            dev_graph = graph.to(device)
            for batch in BATCH_SIZES:
                users, times = make_seeds(scale, batch)
                for fanouts in FANOUTS:
                    uni_fn, edges = sampler_call(
                        TemporalNeighborSampler(dev_graph, fanouts, "uniform", bidirectional=False),
                        users, times, device)
                    bidir_fn, _ = sampler_call(
                        TemporalNeighborSampler(dev_graph, fanouts, "uniform", bidirectional=True),
                        users, times, device)
                    calls = [(uni_fn, args.repeats), (bidir_fn, args.repeats)]
                    n_base = min(args.baseline_seeds, batch)
                    if device.type == "cpu":
                        calls.append((baseline_call(graph, fanouts, users[:n_base], times[:n_base]),
                                      args.baseline_repeats))
                    ours, bidir_time, *base = time_interleaved(calls, device)
                    row = (f"{device_name:<7}{batch:>6}  {str(fanouts):<11}{ours.wall * 1e3:>9.2f}"
                           f"{ours.cpu * 1e3:>9.2f}{batch / ours.wall:>10,.0f}{edges / ours.wall:>12,.0f}"
                           f"{bidir_time.wall * 1e3:>10.2f}")
                    if base:  # per-seed baseline time scaled to the whole batch
                        scale_up = batch / n_base
                        row += (f"{n_base / base[0].wall:>11,.0f}{scale_up * base[0].wall / ours.wall:>7.1f}x"
                                f"{scale_up * base[0].cpu / ours.cpu:>7.1f}x")
                    print(row, flush=True)
    return 0
