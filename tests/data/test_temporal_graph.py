"""The CSR graph store: layout, reverse relations, static edges, building from RecBole."""
from __future__ import annotations

import math

import pytest
import torch
from recbole.config import Config

import recbole_ctx  # noqa: F401  (RecBole compatibility)
from recbole_ctx.data import TemporalDataset
from recbole_ctx.data.temporal_graph import TemporalGraph

RATE = ("user", "rate", "item")


def test_rows_sorted_by_time_and_reverse_added():
    src, dst = torch.tensor([1, 0, 1, 1, 0]), torch.tensor([0, 2, 1, 2, 0])
    time = torch.tensor([5.0, 3.0, 1.0, 3.0, 4.0], dtype=torch.float64)
    g = TemporalGraph.from_edges({"user": 3, "item": 3}, {RATE: (src, dst, time)})
    assert g.edge_types == [RATE, ("item", "rev_rate", "user")]
    assert g.rowptr[RATE].tolist() == [0, 2, 5, 5]
    assert g.col[RATE].tolist() == [2, 0, 1, 2, 0]
    assert g.time[RATE].tolist() == [3.0, 4.0, 1.0, 3.0, 5.0]
    rev = ("item", "rev_rate", "user")
    assert g.rowptr[rev].tolist() == [0, 2, 3, 5]
    assert g.time[rev].tolist() == [4.0, 5.0, 1.0, 3.0, 3.0]
    assert g.max_time() == 5.0 and g.nbytes() == (4 + 4) * 8 + 2 * 5 * 16


def test_static_edges_are_minus_inf():
    g = TemporalGraph.from_edges({"user": 1, "item": 2}, {RATE: (
        torch.tensor([0, 0]), torch.tensor([0, 1]), torch.tensor([math.nan, 2.0], dtype=torch.float64))})
    assert g.time[RATE].tolist() == [-math.inf, 2.0]
    g = TemporalGraph.from_edges({"user": 1, "item": 2}, {RATE: (torch.tensor([0]), torch.tensor([1]), None)})
    assert g.time[RATE].tolist() == [-math.inf] and g.max_time() == -math.inf


@pytest.mark.parametrize("edges, message", [
    ({RATE: (torch.tensor([0]), torch.tensor([5]), None)}, "dst id out of range"),
    ({RATE: (torch.tensor([-1]), torch.tensor([0]), None)}, "src id out of range"),
    ({("user", "rate", "movie"): (torch.tensor([0]), torch.tensor([0]), None)}, "unknown node type"),
    ({RATE: (torch.tensor([0, 0]), torch.tensor([0]), None)}, "same shape"),
])
def test_bad_edges(edges, message):
    with pytest.raises(ValueError, match=message):
        TemporalGraph.from_edges({"user": 1, "item": 2}, edges)


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
    g = TemporalGraph.from_dataset(dataset)
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
