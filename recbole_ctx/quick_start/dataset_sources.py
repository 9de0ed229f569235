"""What to say when ``--dataset=NAME`` has no data: the closest names, and for the
benchmarks this project knows, which files go where and where they come from."""
from __future__ import annotations

import difflib
from pathlib import Path

LIGHTGCN_DATA = "https://github.com/kuandeng/LightGCN"
# Benchmarks converted on first use: the published LightGCN files, dropped into the folder.
LIGHTGCN_SETS = ("gowalla", "amazon-book", "yelp2018")


def missing_dataset_message(dataset: str, data_path: Path, available: list[str]) -> str:
    """One paragraph: what is missing, the closest available names, how to get the data."""
    parts = [f"dataset {dataset!r}: no atomic files in {data_path}."]
    others = [a.lower() for a in available if a != dataset]  # an empty folder of that name is listed too
    close = difflib.get_close_matches(dataset.lower(), others, n=3, cutoff=0.6)
    if close:
        by_lower = {a.lower(): a for a in available}
        parts.append(f"Did you mean {' or '.join(repr(by_lower[c]) for c in close)}?")
    parts.append(f"Available: {', '.join(available)}.")
    if dataset in LIGHTGCN_SETS:
        parts.append(f"Put LightGCN's train.txt and test.txt ({LIGHTGCN_DATA}, Data/{dataset}) into {data_path}/: "
                     "they are converted on first use.")
    else:
        parts.append(f"Convert raw data with `recbole-ctx convert <relbench|ijcai|lightgcn|sessions> SRC "
                     f"--out {data_path.parent}` (README: Getting the data).")
    return " ".join(parts)
