"""The dataset's graph store: edge types from ``.inter`` behaviours and the ``.edge`` file, the per-dataset cache."""
from __future__ import annotations

import math

import torch
from recbole.config import Config

import recbole_ctx  # noqa: F401  (RecBole compatibility)
from recbole_ctx.data import TemporalDataset
from recbole_ctx.data.graph_from_dataset import graph_from_dataset


def test_from_dataset_behaviors_and_edge_file(tiny_config, tmp_path):
    folder = tmp_path / "tiny-temporal"
    inter = (folder / "tiny-temporal.inter").read_text().splitlines()
    behaviors = ["click", "buy"] * 5
    lines = [inter[0] + "\tbehavior:token"] + [f"{row}\t{b}" for row, b in zip(inter[1:], behaviors)]
    (folder / "tiny-temporal.inter").write_text("\n".join(lines) + "\n")
    (folder / "tiny-temporal.edge").write_text(
        "src_type:token\tsrc_id:token\tdst_type:token\tdst_id:token\ttimestamp:float\trelation:token\n"
        "item\ta\tgenre\tdrama\t\thas_genre\n"
        "item\tb\tgenre\tcomedy\t\thas_genre\n"
        "customers\tu1\tuser\tu2\t100.5\tfollows\n"
        "customers\tghost\tuser\tu2\t100.5\tfollows\n")
    config = Config(model="BPR", dataset="tiny-temporal", config_dict={
        **tiny_config, "load_col": {"inter": ["user_id", "item_id", "timestamp", "behavior"]},
        "src_entity": "customers"})  # the converter names user rows by their table
    dataset = TemporalDataset(config)
    g = graph_from_dataset(dataset)
    assert set(g.edge_types) == {
        ("user", "click", "item"), ("item", "rev_click", "user"), ("user", "buy", "item"),
        ("item", "rev_buy", "user"), ("item", "has_genre", "genre"), ("genre", "rev_has_genre", "item"),
        ("user", "follows", "user"), ("user", "rev_follows", "user")}
    assert g.num_nodes == {"user": dataset.user_num, "item": dataset.item_num, "genre": 2}
    assert g.num_edges(("user", "click", "item")) == 5
    assert g.time[("item", "has_genre", "genre")].tolist() == [-math.inf, -math.inf]
    u1, u2 = dataset.token2id("user_id", ["u1", "u2"])
    follows = ("user", "follows", "user")
    assert g.num_edges(follows) == 1  # the row naming an unknown user is dropped
    assert g.col[follows].tolist() == [u2] and int(g.rowptr[follows][u1 + 1] - g.rowptr[follows][u1]) == 1
    # event times are float64 Unix seconds, not RecBole's float32
    assert g.time[("user", "click", "item")].dtype == torch.float64
    assert sorted(g.time[("user", "click", "item")].tolist()) == [86400.0, 172800.0, 259200.0, 432000.0, 561600.0]
