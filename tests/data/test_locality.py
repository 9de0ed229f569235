"""Locality score (ContextGNN eq. 1) and the ``recbole-ctx locality`` command."""
from __future__ import annotations

import pytest
import torch
import yaml
from recbole.config import Config

import recbole_ctx  # noqa: F401  (RecBole compatibility)
from recbole_ctx.data import TemporalDataset, TemporalExamples, graph_of
from recbole_ctx.data.locality_score import locality_per_example
from recbole_ctx.quick_start.locality import main
from recbole_ctx.sampler.temporal_graph import TemporalGraph

RATE = ("user", "rate", "item")


def test_locality_counts_targets_within_k_hops_up_to_t():
    # u0 -a(t1)- ; u1 -a(t1), b(t2), c(t9) ; u0's 3-hop items up to T=5: a (hop 1), b (hop 3)
    graph = TemporalGraph.from_edges({"user": 2, "item": 4}, {RATE: (
        torch.tensor([0, 1, 1, 1]), torch.tensor([0, 0, 1, 2]),
        torch.tensor([1.0, 1.0, 2.0, 9.0], dtype=torch.float64))})
    examples = TemporalExamples(
        user=torch.tensor([0, 0]), seed_time=torch.tensor([5.0, 0.5], dtype=torch.float64),
        target_ptr=torch.tensor([0, 4, 5]), target_item=torch.tensor([0, 1, 2, 3, 0]))
    assert locality_per_example(graph, examples, k=1).tolist() == [0.25, 0.0]
    assert locality_per_example(graph, examples, k=3).tolist() == [0.5, 0.0]
    assert locality_per_example(graph, examples, k=3, batch_size=1).tolist() == [0.5, 0.0]


def test_locality_cli_on_tiny_dataset(tiny_config, tmp_path, capsys):
    folder = tmp_path / "tiny-temporal"
    keys = ("load_col", "val_timestamp", "test_timestamp", "timedelta", "eval_k")
    (folder / "tiny-temporal.yaml").write_text(yaml.safe_dump({k: tiny_config[k] for k in keys}))
    assert main(["--dataset", "tiny-temporal", "--data-path", str(tmp_path), "--k", "1", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    table = {line.split()[0]: line.split()[1:] for line in lines[2:]}
    # valid (T = day 4): u1 -> c (u1 -b- u2 -c: 3 hops), u2 -> a (u2 -b- u1 -a: 3 hops),
    # u3 -> d (d has no event before day 5.5): k=1 0/3, k=3 2/3.
    # test (T = day 6): u1 -> a (seen at day 1), u4 -> e (no event before day 6.5): 1/2 and 1/2.
    assert table["val"] == ["0.000", "0.667", "3"]
    assert table["test"] == ["0.500", "0.500", "2"]


def test_locality_cli_rejects_static_dataset(tmp_path, capsys):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "static.inter").write_text("user_id:token\titem_id:token\nu\ta\n")
    assert main(["--dataset", "static", "--data-path", str(tmp_path)]) == 2
    assert "not temporal" in capsys.readouterr().err


def test_locality_rejects_k_zero(tiny_config):
    dataset = TemporalDataset(Config(model="BPR", dataset="tiny-temporal", config_dict=tiny_config))
    with pytest.raises(ValueError, match="k must be >= 1"):
        locality_per_example(graph_of(dataset), dataset.temporal_examples["valid"], k=0)
