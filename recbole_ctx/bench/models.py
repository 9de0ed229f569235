"""``recbole-ctx bench models``: training step time of ContextGNN vs NBFNet vs ShallowItem.

All three models share the sampler and backbone configuration (ContextGNN's
``num_layers`` / ``fanouts`` unless ``--config`` sets them) and train on the same
sequence of static-protocol mini-batches of one dataset, in one process.  The batches
carry no ``known_item`` masks, so that NBFNet has labelled items within 2 hops.  A step is
sampling + forward + backward + optimizer update.  The table gives milliseconds per
step (median over ``--steps`` steps after ``--warmup``) and the ratio to NBFNet measured
in the same run (the paper, table 5: ContextGNN within about 1.25x of NBFNet).
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import torch
from tqdm import tqdm

BASELINE = "NBFNet"
MODELS = ("NBFNet", "ShallowItem", "ContextGNN")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="recbole-ctx bench models", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="ml-100k", help="a RecBole dataset name (default: ml-100k)")
    p.add_argument("--data-path", "--data_path", default=None, help="RecBole data_path (default: RecBole's)")
    p.add_argument("--steps", type=int, default=30, help="timed steps per model")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps per model first")
    p.add_argument("--batch-size", type=int, default=256, help="users per step")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu",
                   help="cpu or cuda (default: cuda when available, as every micro-benchmark)")
    p.add_argument("--config", action="append", default=[], metavar="KEY=VALUE",
                   help="model config override (YAML value), e.g. --config fanouts=[32,16]")
    return p


def _overrides(items: list[str]) -> dict:
    import yaml

    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--config expects KEY=VALUE, got {item!r}")
        out[key] = yaml.safe_load(value)
    return out


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_model(name: str, dataset_name: str, config_dict: dict, batches: list, train_dataset,
               warmup: int, steps: int) -> list[float]:
    """Seconds per training step of ``name`` over seed ``batches`` (cycled), after ``warmup``.

    A step samples the batch's subgraphs with the data layer's builder (as a loader's
    collate step does), moves them to the device, then forward, backward and update.
    """
    from recbole_ctx.data.subgraph_builder import SubgraphBuilder
    from recbole_ctx.quick_start import build_config
    from recbole_ctx.utils.registry import get_model

    config = build_config(name, dataset_name, config_dict=config_dict)
    torch.manual_seed(0)
    model = get_model(name)(config, train_dataset).to(config["device"])
    builder = SubgraphBuilder.from_config(config, train_dataset)
    optimizer = torch.optim.Adam(model.parameters(), lr=config["learning_rate"])
    model.train()
    times = []
    for step in tqdm(range(warmup + steps), desc=name, ncols=80, leave=False):
        _sync(model.device)
        start = time.perf_counter()
        batch = builder.training(batches[step % len(batches)]).to(model.device)
        optimizer.zero_grad()
        model.calculate_loss(batch).backward()
        optimizer.step()
        _sync(model.device)
        if step >= warmup:
            times.append(time.perf_counter() - start)
    return times


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    from recbole.data import create_dataset, data_preparation

    from recbole_ctx.data.static_targets import StaticTargets
    from recbole_ctx.quick_start import build_config

    device = torch.device(args.device)
    config_dict = {"use_gpu": device.type == "cuda", "state": "ERROR",
                   "train_batch_size": args.batch_size, **_overrides(args.config)}
    if args.data_path:
        config_dict["data_path"] = args.data_path
    config = build_config("ContextGNN", args.dataset, config_dict=config_dict)
    config_dict = {"num_layers": config["num_layers"], "fanouts": config["fanouts"], **config_dict}
    train, _, _ = data_preparation(config, create_dataset(config))
    static = StaticTargets.from_dataset(train._dataset)
    split = static.split(float(config["target_ratio"]), torch.Generator().manual_seed(0))
    users = static.users[torch.randperm(static.users.numel(), generator=torch.Generator().manual_seed(0))]
    batches = [dataclasses.replace(split.seeds(chunk), known_ptr=None, known_item=None)
               for chunk in users.split(args.batch_size)]

    results = {name: time_model(name, args.dataset, config_dict, batches, train._dataset,
                                args.warmup, args.steps) for name in MODELS}
    base = statistics.median(results[BASELINE])
    print(f"\nstep time on {args.dataset} ({device}, batch {args.batch_size} users, "
          f"fanouts {config['fanouts']}, d={config['embedding_size']}, median of {args.steps} steps)")
    print(f"{'model':<12} {'ms/step':>9} {'vs ' + BASELINE:>10}")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"{name:<12} {1000 * median:>9.1f} {median / base:>9.2f}x")
    return 0
