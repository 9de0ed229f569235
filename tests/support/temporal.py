"""A tiny temporal (RelBench-style) dataset in the converters' atomic format."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

LABEL_HEADER = ["user_id:token", "timestamp:float", "item_id:token"]
DAY = 86400.0


def write_temporal_dataset(root: Path, name: str, inter: pd.DataFrame, labels: dict[str, pd.DataFrame],
                           protocol: dict) -> dict:
    """Write ``<root>/<name>/`` (.inter, .{train,valid,test}.label) and return a RecBole config dict."""
    folder = root / name
    folder.mkdir(parents=True)
    inter.to_csv(folder / f"{name}.inter", sep="\t", index=False,
                 header=["user_id:token", "item_id:token", "timestamp:float"])
    for split, frame in labels.items():
        frame.to_csv(folder / f"{name}.{split}.label", sep="\t", index=False, header=LABEL_HEADER)
    return {"data_path": str(root), "load_col": {"inter": ["user_id", "item_id", "timestamp"]},
            "metrics": ["Recall", "NDCG"], "topk": [5], "seed": 0, "state": "ERROR",
            "checkpoint_dir": str(root / "saved"), **protocol}


def tiny_dataset(root: Path) -> dict:
    """4 users, 5 items, events on days 1..6; val T = day 4, test T = day 6, delta 2 days."""
    inter = pd.DataFrame({
        "user_id": ["u1", "u1", "u2", "u2", "u3", "u1", "u2", "u3", "u4", "u1"],
        "item_id": ["a", "b", "b", "c", "a", "c", "a", "d", "e", "a"],
        "timestamp": [1, 1.5, 2, 2.5, 3, 4.5, 5, 5.5, 6.5, 7.0],
    })
    inter["timestamp"] *= DAY
    labels = {
        "train": pd.DataFrame({"user_id": ["u1", "u2", "u2"], "timestamp": [DAY, DAY, DAY],
                               "item_id": ["b", "b", "c"]}),
        "valid": pd.DataFrame({"user_id": ["u1", "u2", "u3"], "timestamp": [4 * DAY] * 3,
                               "item_id": ["c", "a", "d"]}),
        "test": pd.DataFrame({"user_id": ["u1", "u4"], "timestamp": [6 * DAY] * 2, "item_id": ["a", "e"]}),
    }
    protocol = {"val_timestamp": 4 * DAY, "test_timestamp": 6 * DAY, "timedelta": "2 days", "eval_k": 3}
    return write_temporal_dataset(root, "tiny-temporal", inter, labels, protocol)
