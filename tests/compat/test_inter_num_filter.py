"""The vectorised interaction-count filter keeps and drops exactly what RecBole's Counter loop does."""
from __future__ import annotations

import pytest

import recbole_ctx  # noqa: F401  (installs the compat layer)
from recbole.config import Config
from recbole_ctx.compat import inter_num_filter
from test_atomic_reader import QUIET, _snapshot, assert_same_frame


def _write(folder):
    """Users u0..u29 with 1..30 events, items by popularity, and .user / .item rows for ids
    without events (u90, i90) and for all others."""
    folder.mkdir()
    rows = [(f"u{u}", f"i{(u * 7 + k) % (3 + u)}", u * 100 + k) for u in range(30) for k in range(u + 1)]
    (folder / "f.inter").write_text("user_id:token\titem_id:token\ttimestamp:float\n"
                                    + "".join(f"{u}\t{i}\t{t}\n" for u, i, t in rows))
    (folder / "f.user").write_text("user_id:token\tage:float\n" + "".join(f"u{u}\t{u}\n" for u in [*range(30), 90]))
    (folder / "f.item").write_text("item_id:token\tprice:float\n" + "".join(f"i{i}\t{i}\n" for i in [*range(33), 90]))


INTERVALS = {
    "sample.yaml default": ("[0,inf)", "[0,inf)"),
    "at least one event": ("[1,inf)", "[1,inf)"),  # every .inter id passes; u90 / i90 of .user / .item do not
    "k-core, several rounds": ("[5,inf)", "[8,inf)"),
    "upper bounds": ("[2,20]", "(1,40)"),
    "open left end": ("(0,inf)", "(3,inf)"),  # upstream checks .user ids with count 0 against `< 0` only
    "two intervals": ("[1,3];[10,inf)", "[0,inf)"),
    "users only": ("[6,inf)", None),
    "illegal interval": ("[2,9]", "x"),  # "x" parses to no interval: items unfiltered
}


@pytest.mark.parametrize("case", INTERVALS)
def test_same_dataset_as_recboles_filter(tmp_path, case):
    _write(tmp_path / "f")
    users, items = INTERVALS[case]
    config = Config(model="BPR", dataset="f", config_dict={
        **QUIET, "data_path": str(tmp_path), "load_col": None,
        "user_inter_num_interval": users, "item_inter_num_interval": items})
    with inter_num_filter.stock_filtering():
        stock = _snapshot(config)
    fast = _snapshot(config)
    for name, frame in stock["feats"].items():
        assert_same_frame(fast["feats"][name], frame)
    del stock["feats"], fast["feats"]
    assert fast == stock
    if case == "k-core, several rounds":
        assert len(stock["id_token"]["user_id"]) < 31  # the case does drop users
