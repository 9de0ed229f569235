"""RecBole's data loading gives the same frames on pandas 2.x and 3.x (run under both by .ci/pandas3)."""
import warnings

import numpy as np
import pandas as pd
import pytest

import recbole_ctx  # noqa: F401
from recbole.config import Config
from recbole.data import create_dataset

QUIET = {"show_progress": False, "state": "ERROR"}


def _write_atomic(folder, name):
    folder.mkdir(parents=True)
    (folder / f"{name}.inter").write_text(
        "user_id:token\titem_id:token\ttimestamp:float\n"
        + "".join(f"u{u}\ti{(u * 7 + k) % 12}\t{u * 100 + k}\n" for u in range(10) for k in range(6))
    )
    # price is missing for i1 and i3; tags is a token_seq feature of varying length (empty for i0, i4, i8)
    (folder / f"{name}.item").write_text(
        "item_id:token\tprice:float\ttags:token_seq\tscores:float_seq\n"
        + "".join(
            f"i{i}\t{'' if i in (1, 3) else float(i)}\t{' '.join(f't{t}' for t in range(i % 4))}"
            f"\t{' '.join(str(i + t) for t in range(1 + i % 3))}\n"
            for i in range(12)
        )
    )


@pytest.fixture
def tiny(tmp_path):
    _write_atomic(tmp_path / "tiny", "tiny")
    return {**QUIET, "data_path": str(tmp_path), "load_col": None}


def test_missing_values_are_filled_and_sequences_keep_their_lengths(tiny):
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # no deprecated pandas call left on 2.x
        dataset = create_dataset(Config(model="BPR", dataset="tiny", config_dict=tiny))
    feat = dataset.item_feat.set_index("item_id")
    price = feat["price"].to_numpy()
    assert not np.isnan(price).any()
    known = [float(i) for i in range(12) if i not in (1, 3)]
    filled = [feat.loc[dataset.token2id("item_id", f"i{i}"), "price"] for i in (1, 3)]
    assert filled == pytest.approx([np.mean(known)] * 2, abs=1e-5)
    tag_tokens = set()
    for i in range(12):
        row = feat.loc[dataset.token2id("item_id", f"i{i}")]
        assert len(row["tags"]) == i % 4
        assert len(row["scores"]) == 1 + i % 3
        tag_tokens |= {dataset.id2token("tags", t) for t in row["tags"]}
    assert tag_tokens == {"t0", "t1", "t2"}  # remapped ids point back at the right tokens


def test_float_seq_normalisation_splits_per_row(tiny):
    config = Config(model="BPR", dataset="tiny", config_dict={**tiny, "normalize_field": ["scores"]})
    dataset = create_dataset(config)
    feat = dataset.item_feat.set_index("item_id")
    raw = {i: [i + t for t in range(1 + i % 3)] for i in range(12)}  # as written: max 13, min 0
    for i, values in raw.items():
        got = feat.loc[dataset.token2id("item_id", f"i{i}"), "scores"]
        assert got == pytest.approx([v / 13 for v in values])


def test_sequential_benchmark_item_list_lengths(tmp_path):
    folder = tmp_path / "seq"
    folder.mkdir()
    header = "session_id:token\titem_id_list:token_seq\titem_id:token\n"
    rows = {"train": ["s1\ta b\tc", "s2\ta\tb", "s3\tb c a\td"], "valid": ["s4\ta b\td"], "test": ["s5\tc\ta"]}
    for split, lines in rows.items():
        (folder / f"seq.{split}.inter").write_text(header + "\n".join(lines) + "\n")
    config = Config(model="GRU4Rec", dataset="seq", config_dict={
        **QUIET, "data_path": str(tmp_path), "benchmark_filename": ["train", "valid", "test"],
        "USER_ID_FIELD": "session_id", "load_col": None, "train_neg_sample_args": None, "alias_of_item_id": ["item_id_list"]})
    dataset = create_dataset(config)
    assert list(dataset.inter_feat["item_length"]) == [2, 1, 3, 2, 1]


def test_pandas_stand_ins_are_scoped_to_recbole_methods(tiny):
    from recbole_ctx.compat import pandas_data

    create_dataset(Config(model="BPR", dataset="tiny", config_dict=tiny))
    assert pd.Series.agg is pandas_data._series_agg and pd.read_csv is pandas_data._read_csv
