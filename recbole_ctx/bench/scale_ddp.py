"""``recbole-ctx bench scale --stages ddp``: memory of each DDP rank against one process.

Runs ``recbole_ctx.quick_start.run`` (RecBole's ``run_recboles`` design: ``mp.spawn``, every
rank builds its own dataset, graph store, model and loaders; gloo on CPU) on the
generated rel-hm-shaped task, once with ``nproc: 1`` and once with ``--nproc`` ranks, one
training epoch of ``--steps`` steps and a sampled evaluation (``eval_user_sample``).  Each
rank records its resident memory (MiB) after each stage and at its end: ``VmRSS`` (current),
``VmHWM`` (peak), ``Pss`` (proportional: pages shared between ranks counted once in total)
and the bytes of what it holds (``inter_feat`` tensors, graph store, model parameters).
"""
from __future__ import annotations

import json
import os
import socket
import tempfile
from pathlib import Path

MIB = 2**20


def memory_mib() -> dict[str, float]:
    """This process's ``VmRSS``, ``VmHWM`` (from ``/proc/self/status``) and ``Pss`` (from
    ``/proc/self/smaps_rollup``), MiB."""
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) / 1024.0
    with open("/proc/self/smaps_rollup") as f:
        out["Pss"] = next(int(line.split()[1]) for line in f if line.startswith("Pss:")) / 1024.0
    return out


def _tensor_mib(tensors) -> float:
    return sum(t.numel() * t.element_size() for t in tensors) / MIB


def _instrument(stages: dict) -> None:
    """Record memory after the data, the trainer's construction and its ``fit``."""
    from recbole_ctx.data import graph_of
    from recbole_ctx.protocol import Protocol

    create_data, make_trainer = Protocol.create_data, Protocol.trainer

    def data_then_record(self, config):
        data = create_data(self, config)
        dataset = data.dataset
        stages["data"] = memory_mib()
        stages["sizes"] = {"inter_feat": _tensor_mib(dataset.inter_feat.interaction.values()),
                           "graph": graph_of(dataset).nbytes() / MIB,
                           "examples": sum(_tensor_mib(vars(ex).values())
                                           for ex in dataset.temporal_examples.values())}
        return data

    def trainer_then_record(self, config, model):
        trainer = make_trainer(self, config, model)
        stages["model"] = memory_mib()
        stages["sizes"]["parameters"] = _tensor_mib(model.parameters())
        fit = trainer.fit

        def fit_then_record(*args, **kwargs):
            result = fit(*args, **kwargs)
            stages["fit"] = memory_mib()
            return result

        trainer.fit = fit_then_record
        return trainer

    Protocol.create_data, Protocol.trainer = data_then_record, trainer_then_record


def run_rank(rank: int, data_path: str, config_dict: dict, out: str) -> None:
    """One process of the run (``rank`` -1: no DDP); writes ``out/rank<r>.json``."""
    from recbole_ctx.quick_start.quick_start import run_recbole

    stages: dict = {"start": memory_mib()}
    _instrument(stages)
    config_dict = dict(config_dict)
    if rank >= 0:
        config_dict["local_rank"] = rank
    run_recbole(config_dict.pop("model"), "hm", config_dict={"data_path": data_path, **config_dict}, saved=False)
    stages["end"] = memory_mib()
    Path(out, f"rank{max(rank, 0)}.json").write_text(json.dumps(stages))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def measure(data_path: Path, task: dict, nproc: int) -> list[dict]:
    """Per-rank memory records of one run with ``nproc`` processes (1: no DDP)."""
    import torch.multiprocessing as mp

    protocol = {k: task[k] for k in ("val_timestamp", "test_timestamp", "timedelta", "eval_k")}
    config_dict = {"model": task["model"], "load_col": {"inter": ["user_id", "item_id", "timestamp"]}, **protocol,
                   "metrics": ["MAP"], "topk": [task["eval_k"]], "valid_metric": f"MAP@{task['eval_k']}",
                   "train_batch_size": task["batch_size"], "eval_batch_size": 1024, "worker": 0, "epochs": 1,
                   "max_steps_per_epoch": task["steps"], "eval_user_sample": task["eval_users"], "seed": 0,
                   "reproducibility": False, "show_progress": False, "state": "ERROR", "device": "cpu",
                   "gpu_id": "", "checkpoint_dir": tempfile.gettempdir()}
    if nproc > 1:
        config_dict.update(world_size=nproc, nproc=nproc, ip="localhost", port=str(_free_port()), offset=0)
    os.environ["OMP_NUM_THREADS"] = str(task["threads"])
    with tempfile.TemporaryDirectory() as out:
        ctx = mp.get_context("spawn")
        ranks = range(nproc) if nproc > 1 else [-1]
        procs = [ctx.Process(target=run_rank, args=(r, str(data_path), config_dict, out)) for r in ranks]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        if any(p.exitcode for p in procs):
            raise RuntimeError(f"bench scale ddp: a rank failed (exit codes {[p.exitcode for p in procs]})")
        return [json.loads(Path(out, f"rank{r}.json").read_text()) for r in range(nproc)]


def print_table(runs: dict[int, list[dict]]) -> None:
    """One row per (processes, rank): resident MiB after each stage and the peak up to it
    (``VmRSS / VmHWM``), the final PSS; then the sum of the ranks' peaks and the held sizes."""
    stages = ("data", "model", "fit", "end")
    print(f"{'run':<8} {'rank':>4} {'start':>6} " + " ".join(f"{s + ' (peak)':>13}" for s in stages)
          + f" {'PSS end':>8}   (MiB: VmRSS after each stage, VmHWM up to it)")
    for nproc, ranks in runs.items():
        for rank, r in enumerate(ranks):
            cells = " ".join(f"{r[s]['VmRSS']:>6.0f} ({r[s]['VmHWM']:>4.0f})" for s in stages)
            print(f"{f'{nproc} proc':<8} {rank:>4} {r['start']['VmRSS']:>6.0f} {cells} {r['end']['Pss']:>8.0f}")
        print(f"{f'{nproc} proc':<8} {'sum':>4} peak RSS of all ranks {sum(r['end']['VmHWM'] for r in ranks):.0f} MiB")
    sizes = next(iter(runs.values()))[0]["sizes"]
    print("held by every rank: " + ", ".join(f"{k} {v:.0f} MiB" for k, v in sizes.items()))
