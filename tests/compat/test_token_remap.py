"""The Arrow remap gives RecBole's ids and vocabularies: order of first appearance across
every file sharing a field, [PAD] for missing tokens, sequences left to RecBole."""
from __future__ import annotations

import pyarrow as pa

import recbole_ctx  # noqa: F401  (installs the compat layer)
from recbole.config import Config
from recbole_ctx.compat import token_remap
from test_atomic_reader import QUIET, assert_same_dataset


def _write(folder):
    folder.mkdir()
    # u9 appears in .user before any event; row 4 misses its shop (a NaN token: [PAD]); RecBole
    # itself drops rows 3 and 5, which miss their item and user
    (folder / "r.inter").write_text("user_id:token\titem_id:token\tshop:token\ttimestamp:float\n"
                                    "u2\ti5\ts1\t1\nu1\ti5\ts2\t2\nu2\t\ts1\t3\nu3\ti1\t\t4\n\ti2\ts3\t5\nu1\ti9\ts1\t6\n")
    (folder / "r.user").write_text("user_id:token\tcity:token\nu9\tc1\nu1\tc2\nu2\tc1\n")
    (folder / "r.item").write_text("item_id:token\ttags:token_seq\ni1\tt1 t2\ni5\t\ni7\tt2\n")


def test_same_ids_as_recbole(tmp_path):
    _write(tmp_path / "r")
    config = Config(model="BPR", dataset="r", config_dict={**QUIET, "data_path": str(tmp_path), "load_col": None})
    assert_same_dataset(config)


def test_chunked_arrow_columns_keep_first_appearance_order():
    """Arrow string columns of several chunks, shared by two frames: one id space."""
    from types import SimpleNamespace

    import pandas as pd
    from recbole.utils import FeatureType

    chunked = pa.chunked_array([["b", "a", None], ["c", "b"]], type=pa.large_string())
    first = pd.DataFrame({"u": pd.array(chunked, dtype=pd.StringDtype("pyarrow", na_value=float("nan")))})
    second = pd.DataFrame({"u": pd.array(["d", "a"], dtype=pd.StringDtype("pyarrow", na_value=float("nan")))})
    remapper = SimpleNamespace(field2id_token={}, field2token_id={})  # what remap reads of a Dataset
    token_remap.remap(remapper, [(first, "u", FeatureType.TOKEN), (second, "u", FeatureType.TOKEN)])
    assert first["u"].tolist() == [1, 2, 0, 3, 1] and second["u"].tolist() == [4, 2]
    assert remapper.field2id_token["u"].tolist() == ["[PAD]", "b", "a", "c", "d"]
    assert remapper.field2token_id["u"] == {"[PAD]": 0, "b": 1, "a": 2, "c": 3, "d": 4}


def _two_pass(tokens):
    import pyarrow.compute as pc

    uniques = pc.unique(tokens).drop_null()
    return uniques.to_pylist(), (pc.fill_null(pc.index_in(tokens, value_set=uniques), -1).to_numpy() + 1).tolist()


def test_one_pass_encoding_equals_unique_then_index_in(monkeypatch):
    import pyarrow.compute as pc

    tokens = pa.chunked_array([["b", None, "a"], [], ["c", "a", None, "d"], ["b"]])
    want = _two_pass(tokens)
    uniques, codes = token_remap._encode(tokens)
    assert (uniques.to_pylist(), codes.tolist()) == want == (["b", "a", "c", "d"], [1, 0, 2, 3, 2, 0, 4, 1])
    empty = token_remap._encode(pa.chunked_array([], type=pa.string()))
    assert len(empty[0]) == 0 and empty[1].size == 0
    # a pyarrow giving each chunk a dictionary of its own: the two-pass form
    monkeypatch.setattr(pc, "dictionary_encode", lambda t: pa.chunked_array([c.dictionary_encode() for c in t.chunks]))
    uniques, codes = token_remap._encode(tokens)
    assert (uniques.to_pylist(), codes.tolist()) == want
