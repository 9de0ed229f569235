"""The pyarrow path of ``Dataset._load_feat`` gives RecBole's own frames, field by field, on
every file shape the tests and converters produce, and hands the rest to RecBole's parser."""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

import recbole_ctx  # noqa: F401  (installs the compat layer)
from recbole.config import Config
from recbole.data import create_dataset
from recbole.data.dataset.dataset import Dataset
from recbole_ctx.compat import atomic_reader, inter_num_filter, token_remap

QUIET = {"show_progress": False, "state": "ERROR", "checkpoint_dir": "saved"}
BASE = {"field_separator": "\t", "seq_separator": " ", "encoding": "utf-8", "load_col": None, "unload_col": None,
        "seq_len": None}

PLAIN = (
    "user_id:token\titem_id:token\trating:float\ttimestamp:float\ttags:token_seq\tscores:float_seq\n"
    "u1\ti1\t4\t881250949\ta b\t0.5 1.25\n"
    "u2\ti2\t\t881250950\t\t\n"  # empty cells everywhere
    "NA\tnull\tnan\t881250951.5\t a  b \t2e3  -1.5 \n"  # pandas NA strings, doubled and edge separators
    "\n"  # a blank line: skipped by both
    " u3 \t#N/A\t1e-3\t1.7976931348623157e308\tNone\tinf\n"
    "u4\ti4\t+7\t.5\tx\t-inf"  # no final newline
)
# case -> (file text or bytes, config overrides, fast path expected)
CASES = {
    "plain": (PLAIN, {}, True),
    "crlf": (PLAIN.replace("\n", "\r\n"), {}, True),
    "load_col": (PLAIN, {"load_col": {"inter": ["user_id", "timestamp", "tags"]}}, True),
    "unload_col": (PLAIN, {"unload_col": {"inter": ["rating", "scores"]}}, True),
    "seq_len": (PLAIN, {"seq_len": {"tags": 1, "scores": 1}}, True),
    "comma": (PLAIN.replace("\t", ","), {"field_separator": ","}, True),
    "seq comma": (PLAIN.replace(" ", ","), {"seq_separator": ","}, True),
    "latin-1": (("user_id:token\tcity:token\nu1\tK\u00f6ln\n").encode("latin-1"), {"encoding": "latin-1"}, True),
    "header only": ("user_id:token\ttimestamp:float\n", {}, True),
    "integer column with -0": ("user_id:token\ttimestamp:float\nu1\t5\nu2\t-0\n", {}, False),
    "float column with -0.0": ("user_id:token\ttimestamp:float\nu1\t5.5\nu2\t-0.0\n", {}, False),
    "underscore float": ("user_id:token\ttimestamp:float\nu1\t1_000\n", {}, False),
    "quoted": ('user_id:token\ttitle:token_seq\nu1\t"a\tb"\nu2\t"x ""y"""\n', {}, False),
    "quote inside": ('user_id:token\ttitle:token\nu1\tsay "hi"\n', {}, False),
    "bom": ("\ufeffuser_id:token\ttimestamp:float\nu1\t5\n".encode("utf-8"), {}, False),
    "nul byte": (b"user_id:token\ttitle:token\nu1\ta\0b\n", {}, False),
    "one column, blank-ish line": ("user_id:token\nu1\n   \nu2\n", {}, False),
    "whitespace-only line": ("user_id:token\ttimestamp:float\nu1\t5\n  \nu2\t6\n", {}, False),
    "short row": ("user_id:token\ttimestamp:float\nu1\t5\nu2\n", {}, False),
    "long row": ("user_id:token\ttimestamp:float\nu1\t5\nu2\t6\t7\n", {}, False),
    "regex separator": (PLAIN.replace("\t", "::"), {"field_separator": "::"}, False),
    "utf-16": ("user_id:token\ttimestamp:float\nu1\t5\n".encode("utf-16"), {"encoding": "utf-16"}, False),
    "not utf-8": (b"user_id:token\ttitle:token\nu1\t\xff\n", {}, False),
    "text in a float column": ("user_id:token\ttimestamp:float\nu1\tsoon\n", {}, False),
}


def _bare_dataset(config: dict) -> Dataset:
    """A ``Dataset`` holding only what ``_load_feat`` reads and writes."""
    dataset = Dataset.__new__(Dataset)
    dataset.config = {**BASE, **config}
    dataset.logger = logging.getLogger("test_atomic_reader")
    dataset.field2source, dataset.field2type, dataset.field2seqlen, dataset.field2bucketnum = {}, {}, {}, {}
    return dataset


def _load(path: Path, config: dict, stock: bool):
    """(frame or the exception raised, the bookkeeping ``_load_feat`` left behind)."""
    dataset = _bare_dataset(config)
    try:
        if stock:
            with atomic_reader.stock_loading():
                frame = dataset._load_feat(str(path), "inter")
        else:
            frame = dataset._load_feat(str(path), "inter")
    except Exception as err:  # noqa: BLE001 -- both loaders must fail alike
        frame = err
    state = (dataset.field2source, dataset.field2type, dataset.field2seqlen, dataset.field2bucketnum)
    return frame, state


def assert_same_frame(fast: pd.DataFrame, stock: pd.DataFrame) -> None:
    """Same columns, dtypes, index and cells; sequence cells as arrays of the same dtype."""
    assert list(fast.columns) == list(stock.columns)
    assert (fast.dtypes == stock.dtypes).all(), (fast.dtypes, stock.dtypes)
    pd.testing.assert_index_equal(fast.index, stock.index)
    for column in stock.columns:
        a, b = fast[column], stock[column]
        if a.dtype == object:  # sequences (one numpy array per row), or pandas 2's strings
            for x, y in zip(a.values, b.values, strict=True):
                assert type(x) is type(y), (column, x, y)
                if not isinstance(y, np.ndarray):
                    assert x == y or (pd.isna(x) and pd.isna(y)), (column, x, y)
                    continue
                assert x.dtype == y.dtype and x.shape == y.shape, (column, x, y)
                np.testing.assert_array_equal(x, y)
                if x.dtype.kind == "f":  # bit for bit: -0.0 vs 0.0 and NaN payloads count
                    assert (x.view(np.int64) == y.view(np.int64)).all(), (column, x, y)
        else:
            pd.testing.assert_series_equal(a, b, check_exact=True)
            if a.dtype.kind == "f":
                assert (a.to_numpy().view(np.int64) == b.to_numpy().view(np.int64)).all(), column
            elif hasattr(b.array, "_pa_array"):  # Arrow-backed strings: the same Arrow type
                assert a.array._pa_array.type == b.array._pa_array.type


@pytest.mark.parametrize("case", CASES)
def test_fast_loader_matches_recbole_or_falls_back(tmp_path, case):
    content, config, fast_expected = CASES[case]
    path = tmp_path / "d.inter"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())

    cfg = {**BASE, **config}
    with open(path, encoding=cfg["encoding"], errors="replace") as f:
        header = f.readline().rstrip("\r\n").split(cfg["field_separator"])
    dtype = {h: np.float64 if h.endswith(":float") else str for h in header}
    took_fast = atomic_reader.arrow_frame(str(path), header, dtype, cfg["field_separator"], cfg["encoding"])
    assert (took_fast is not None) == fast_expected

    fast, fast_state = _load(path, config, stock=False)
    stock, stock_state = _load(path, config, stock=True)
    assert fast_state == stock_state
    if isinstance(stock, Exception):
        assert type(fast) is type(stock) and str(fast) == str(stock)
    else:
        assert not isinstance(fast, Exception), fast
        assert_same_frame(fast, stock)


def test_random_floats_parse_bit_for_bit(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(5000) * 10.0 ** rng.integers(-300, 300, 5000)
    cells = [repr(float(v)) for v in x] + [f"{v:.25g}" for v in x[:500]] + [str(v) for v in rng.integers(-2**62, 2**62, 500)]
    path = tmp_path / "d.inter"
    path.write_text("item_id:token\tprice:float\n" + "".join(f"i{k}\t{c}\n" for k, c in enumerate(cells)))
    assert atomic_reader.arrow_frame(str(path), ["item_id:token", "price:float"],
                                     {"item_id:token": str, "price:float": np.float64}, "\t", "utf-8") is not None
    fast, _ = _load(path, {}, stock=False)
    stock, _ = _load(path, {}, stock=True)
    assert_same_frame(fast, stock)


# ---- whole datasets: create_dataset with either loader holds the same contents ----

def _snapshot(config: Config) -> dict:
    """Everything ``create_dataset`` built that a model reads: fields, vocabularies, tensors."""
    dataset = create_dataset(config)
    feats = {}
    for name in ("inter_feat", "user_feat", "item_feat"):
        feat = getattr(dataset, name, None)
        if isinstance(feat, pd.DataFrame):
            feats[name] = feat.copy()
        else:  # an Interaction (sequential datasets convert theirs while building)
            feats[name] = None if feat is None else {k: v.clone() for k, v in feat.interaction.items()}
    return {
        "feats": feats,
        "types": dict(dataset.field2type), "sources": dict(dataset.field2source), "seqlen": dict(dataset.field2seqlen),
        "id_token": {k: (v.dtype.str, v.tolist()) for k, v in dataset.field2id_token.items()},
        "token_id": {k: dict(v) for k, v in dataset.field2token_id.items()},
        "files": getattr(dataset, "file_size_list", None),
    }


def assert_same_dataset(config: Config) -> None:
    with atomic_reader.stock_loading(), inter_num_filter.stock_filtering(), token_remap.stock_remapping():
        stock = _snapshot(config)  # RecBole's own, throughout
    fast = _snapshot(config)
    for name, tensors in stock["feats"].items():
        if tensors is None or isinstance(tensors, pd.DataFrame):
            assert type(fast["feats"][name]) is type(tensors), name
            if tensors is not None:
                assert_same_frame(fast["feats"][name], tensors)
            continue
        assert tensors.keys() == fast["feats"][name].keys(), name
        for field, value in tensors.items():
            other = fast["feats"][name][field]
            assert value.dtype == other.dtype and torch.equal(value, other), (name, field)
    del stock["feats"], fast["feats"]
    assert fast == stock


def _converted(tmp_path: Path, argv: list[str], name: str) -> Path:
    from dataset_converters.cli import main

    out = tmp_path / "out"
    assert main([*argv, "--out", str(out), "--name", name]) == 0
    return out


def _config(model: str, out: Path, name: str, **extra) -> Config:
    return Config(model=model, dataset=name, config_file_list=[str(out / name / f"{name}.yaml")],
                  config_dict={**QUIET, "data_path": str(out), **extra})


def test_ml100k_all_columns():
    assert_same_dataset(Config(model="BPR", dataset="ml-100k", config_dict={**QUIET, "load_col": None}))


def test_session_converter_output_with_benchmark_files(shared_data, tmp_path):
    log = shared_data / "diginetica-raw-sample" / "sample_train-item-views.csv"
    out = _converted(tmp_path, ["sessions", str(log)], "digi")
    assert_same_dataset(_config("GRU4Rec", out, "digi"))


def test_relbench_converter_output(shared_data, tmp_path):
    out = _converted(tmp_path, ["relbench", str(shared_data / "rel-ml100k")], "rel")
    assert_same_dataset(_config("BPR", out, "rel"))
    for path in sorted((out / "rel").glob("rel.*")):  # .label and .edge files too, read as RecBole would
        if path.suffix != ".yaml":
            fast, fast_state = _load(path, {}, stock=False)
            stock, stock_state = _load(path, {}, stock=True)
            assert fast_state == stock_state
            assert_same_frame(fast, stock)


def test_lightgcn_converter_output(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.txt").write_text("".join(f"{u} " + " ".join(str((u * 3 + k) % 17) for k in range(6)) + "\n"
                                           for u in range(20)))
    (src / "test.txt").write_text("".join(f"{u} {(u * 5) % 17}\n" for u in range(20)))
    out = _converted(tmp_path, ["lightgcn", str(src)], "lg")
    assert_same_dataset(_config("BPR", out, "lg"))


def test_ijcai_converter_output(tmp_path):
    src = tmp_path / "user_log_format1.csv"
    src.write_text("user_id,item_id,cat_id,seller_id,brand_id,time_stamp,action_type\n"
                   + "".join(f"{u},{i},1,2,,{1101 + i},{(u + i) % 4}\n" for u in range(12) for i in range(6)))
    out = _converted(tmp_path, ["ijcai", str(src)], "tmall")
    assert_same_dataset(_config("BPR", out, "tmall"))


def test_float_sequences_with_empty_cells(tmp_path):
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "tiny.inter").write_text("user_id:token\titem_id:token\ttimestamp:float\n"
                                       + "".join(f"u{u}\ti{(u * 7 + k) % 12}\t{u * 100 + k}\n"
                                                 for u in range(10) for k in range(6)))
    (folder / "tiny.item").write_text(
        "item_id:token\tprice:float\ttags:token_seq\tscores:float_seq\n"
        + "".join(f"i{i}\t{'' if i in (1, 3) else float(i)}\t{' '.join(f't{t}' for t in range(i % 4))}"
                  f"\t{' '.join(str(i + t) for t in range(i % 3))}\n" for i in range(12)))
    assert_same_dataset(Config(model="BPR", dataset="tiny",
                               config_dict={**QUIET, "data_path": str(tmp_path), "load_col": None}))
