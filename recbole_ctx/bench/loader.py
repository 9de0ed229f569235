"""``recbole-ctx bench loader``: training steps per second of a subgraph model through RecBole's
own ``Trainer`` with its DataLoader ``worker`` processes at several counts, in one run.

Sampling runs in the loaders' collate step, so with ``worker > 0`` it overlaps the
training step in other processes.  Each count trains the same model from the same
initial weights for ``--warmup`` untimed then ``--steps`` timed steps (worker start-up
falls in the warm-up); counts take turns ``--rounds`` times.
"""
from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Iterable, Iterator


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="recbole-ctx bench loader", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="ContextGNN", help="a subgraph model (default: ContextGNN)")
    p.add_argument("--dataset", default="ml-100k", help="a RecBole dataset name (default: ml-100k)")
    p.add_argument("--data-path", "--data_path", default=None, help="RecBole data_path")
    p.add_argument("--workers", type=int, nargs="+", default=[0, 2], help="worker counts (default: 0 2)")
    p.add_argument("--steps", type=int, default=50, help="timed steps per count")
    p.add_argument("--warmup", type=int, default=5, help="untimed steps first (worker start-up)")
    p.add_argument("--rounds", type=int, default=2, help="times each count is measured, in turns")
    return p


class _TimedSteps:
    """The first ``warmup + steps`` batches of a loader; records when the timed part starts."""

    def __init__(self, loader: Iterable, warmup: int, steps: int):
        self.loader, self.warmup, self.steps = loader, warmup, steps
        self.start = 0.0

    def __len__(self) -> int:
        return self.warmup + self.steps

    def __iter__(self) -> Iterator:
        for i, batch in enumerate(self.loader):
            if i == self.warmup:
                self.start = time.perf_counter()
            if i == self.warmup + self.steps:
                return
            yield batch


def steps_per_second(model_name: str, dataset: str, config_dict: dict, warmup: int, steps: int) -> float:
    """Timed training steps per second of ``model_name`` with ``config_dict`` (e.g. ``worker``)."""
    import torch
    from recbole.utils import init_seed

    from recbole_ctx.protocol import Protocol
    from recbole_ctx.quick_start import build_config
    from recbole_ctx.utils.registry import get_model

    config = build_config(model_name, dataset, config_dict=config_dict)
    protocol = Protocol.resolve(config)
    init_seed(config["seed"], True)
    data = protocol.create_data(config)
    init_seed(config["seed"], True)
    model = get_model(model_name)(config, data.train._dataset).to(config["device"])
    trainer = protocol.trainer(config, model)
    timed = _TimedSteps(data.train, warmup, steps)
    trainer._train_epoch(timed, 0)
    if config["device"].type == "cuda":
        torch.cuda.synchronize()
    return steps / (time.perf_counter() - timed.start)


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    base = {"state": "ERROR", "show_progress": False}
    if args.data_path:
        base["data_path"] = args.data_path
    rates: dict[int, list[float]] = {w: [] for w in args.workers}
    for _ in range(args.rounds):
        for workers in args.workers:
            rates[workers].append(steps_per_second(args.model, args.dataset, {**base, "worker": workers},
                                                   args.warmup, args.steps))
    first = statistics.median(rates[args.workers[0]])
    print(f"\n{args.model} on {args.dataset}: training steps/s through RecBole's Trainer "
          f"({args.steps} timed steps after {args.warmup}, median of {args.rounds} rounds)")
    print(f"{'worker':>7} {'steps/s':>9} {'vs worker=' + str(args.workers[0]):>14}")
    for workers, values in rates.items():
        median = statistics.median(values)
        print(f"{workers:>7} {median:>9.2f} {median / first:>13.2f}x")
    return 0
