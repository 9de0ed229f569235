"""One benchmark run in its own process: ``python -m recbole_ctx.bench.run_one SPEC.json OUT.json``.

A fresh process per (model, dataset, seed) gives each run its own peak-memory
reading and keeps one crashing model from taking the suite down.
"""
from __future__ import annotations

import json
import platform
import resource
import sys
import time


def main(argv: list[str]) -> int:
    spec_path, out_path = argv
    spec = json.loads(open(spec_path).read())
    import torch

    import recbole_ctx  # noqa: F401
    from recbole_ctx.quick_start import run_recbole

    start = time.perf_counter()
    result = run_recbole(spec["model"], spec["dataset"], config_dict=spec["config"], saved=True)
    wall = time.perf_counter() - start
    epochs = result["train_epoch_seconds"]
    device = "cuda" if torch.cuda.is_available() and spec["config"].get("use_gpu", True) else "cpu"
    row = {
        "valid": {k: float(v) for k, v in (result["best_valid_result"] or {}).items()},
        "test": {k: float(v) for k, v in result["test_result"].items()},
        "valid_history": result["valid_history"],
        "epochs": len(epochs),
        "train_s_per_epoch": sum(epochs) / max(len(epochs), 1),
        "wall_s": wall,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_gpu_mb": torch.cuda.max_memory_allocated() / 2**20 if device == "cuda" else 0.0,
        "device": torch.cuda.get_device_name() if device == "cuda" else f"cpu ({platform.processor() or platform.machine()})",
    }
    with open(out_path, "w") as f:
        json.dump(row, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
