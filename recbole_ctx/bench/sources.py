"""The raw sources the benchmarks read: one folder (``--data-dir``), one sub-folder per source.

Every suite and micro-benchmark that reads real data takes the same flag, ``--data-dir``
(default ``data`` in the working directory), and expects the published files in
``<data-dir>/<source>/``.  When they are missing it says which files, and where they
come from, instead of failing inside a converter.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path("data")
DATA_DIR_HELP = "folder holding the raw sources, one sub-folder each (gowalla/, diginetica/, ...); default: data"


@dataclass(frozen=True)
class Source:
    """A raw source: the files a benchmark reads and where a user gets them."""

    files: tuple[str, ...]
    origin: str


SOURCES: dict[str, Source] = {
    "gowalla": Source(("train.txt", "test.txt"),
                      "LightGCN's release, https://github.com/kuandeng/LightGCN (Data/gowalla)"),
    "amazon-book": Source(("train.txt", "test.txt"),
                          "LightGCN's release, https://github.com/kuandeng/LightGCN (Data/amazon-book)"),
    "diginetica": Source(("all_train_seq.txt", "test.txt"),
                         "GCE-GNN's preprocessed pickles, https://github.com/CCIIPLab/GCE-GNN (datasets/diginetica)"),
    # Either TGT's pickles (tst_int and whichever of trn_click/cart/fav/buy one has) or the
    # raw log: the converter tells them apart, so only the folder is required here.
    "ijcai": Source((), "TGT's pickles tst_int and trn_click, trn_cart, trn_fav, trn_buy, "
                        "https://github.com/akaxlh/TGT (Datasets/ijcai), or Tianchi's IJCAI-15 "
                        "user_log_format1.csv"),
    "rel-ml100k": Source(("manifest.yaml",),
                         "a RelBench >= 3 dataset folder (manifest.yaml, db/, tasks/); build it from "
                         "MovieLens-100k with relbench, see the README"),
}


class MissingSourceError(FileNotFoundError):
    """A benchmark's raw source is not in the data folder; the message says what goes where."""


def source_folder(data_dir: Path, name: str) -> Path:
    """``data_dir/name`` when it holds every file of source ``name``.

    Raises:
        MissingSourceError: naming the missing file, the files expected and their origin.
    """
    folder = Path(data_dir) / name
    source = SOURCES.get(name)
    required = source.files if source is not None else ()
    missing = [f for f in required if not (folder / f).is_file()]
    if not folder.is_dir() or missing:
        what = folder / missing[0] if folder.is_dir() else folder
        if source is None:
            expected = "the source's files"
        else:
            expected = f"{', '.join(required)} from {source.origin}" if required else source.origin
        raise MissingSourceError(f"{what}: not found. {name}/ should hold {expected}; pass the folder that "
                                 f"holds {name}/ with --data-dir")
    return folder
