"""``recbole-ctx bench branches``: per-head shares of a ContextGNN's top-k."""
from __future__ import annotations

import math

import pytest
import torch
from recbole.utils import init_seed

from recbole_ctx.bench.branches import _block_stats, branch_breakdown, main
from recbole_ctx.trainer.fast_eval import with_fast_eval
from recbole_ctx.utils.registry import get_trainer
from support.subgraph import tiny_setup

# Three layers reach other users' items, so both heads rank some of every row's items.
DEEP = {"num_layers": 3, "fanouts": [4, 4, 4], "sample_strategy": "last", "num_classes": 64,
        "metric_decimal_place": 10}
INF = float("inf")


def test_block_stats_of_a_hand_made_block():
    # Row 0: items 1, 2 inside (pair), 3 masked history; positives 2 and 4.
    pair = torch.tensor([[-INF, 5.0, 1.0, 9.0, -INF, -INF]])
    tower = torch.tensor([[0.0, 0.0, 10.0, 8.0, 3.0, 2.0]])
    positive = torch.tensor([[False, False, True, False, True, False]])
    masked = torch.tensor([[True, False, False, True, False, False]])
    fused = torch.where(torch.isfinite(pair), pair, tower)
    stats = {name: float(v) for name, v in _block_stats(pair, tower, fused, positive, masked, k=2).items()}
    # Fused ranking: 1 (pair 5), 4 (tower 3), 5 (tower 2), 2 (pair 1): top-2 = {1, 4}.
    assert stats["locality"] == 0.5  # item 2 of the positives {2, 4} is inside
    assert stats["inside candidates"] == 2  # items 1 and 2; 3 is masked
    assert stats["pair share of top-k"] == 0.5
    assert stats["Recall@k"] == 0.5 and stats["from inside"] == 0.0 and stats["from outside"] == 0.5
    assert stats["pair only"] == 0.5  # pair ranks 1 then 2
    assert stats["tower only"] == 1.0  # tower ranks 2 then 4 (3 masked)
    assert stats["tower outside"] == 0.5  # outside the subgraph: 4 then 5
    assert (stats["pair hits"], stats["pair slots"], stats["tower hits"], stats["tower slots"]) == (0, 1, 1, 1)


def test_block_stats_rank_by_the_fusion_given():
    # A residual fusion adds the tower inside: item 2 (pair 1 + tower 10) now leads.
    pair = torch.tensor([[-INF, 5.0, 1.0, 9.0, -INF, -INF]])
    tower = torch.tensor([[0.0, 0.0, 10.0, 8.0, 3.0, 2.0]])
    positive = torch.tensor([[False, False, True, False, True, False]])
    masked = torch.tensor([[True, False, False, True, False, False]])
    fused = torch.where(torch.isfinite(pair), pair + tower, tower)
    stats = _block_stats(pair, tower, fused, positive, masked, k=2)
    assert float(stats["Recall@k"]) == 0.5 and float(stats["from inside"]) == 0.5  # top-2 = {2, 1}
    assert float(stats["pair share of top-k"]) == 1.0


def test_pair_only_counts_no_hit_beyond_the_subgraph():
    pair = torch.tensor([[-INF, 5.0, -INF, -INF]])
    tower = torch.zeros(1, 4)
    positive = torch.tensor([[False, False, True, True]])
    stats = _block_stats(pair, tower, torch.where(torch.isfinite(pair), pair, tower), positive,
                         torch.zeros(1, 4, dtype=torch.bool), k=3)
    assert float(stats["pair only"]) == 0.0  # the -inf slots of its top-3 are not hits


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A ContextGNN trained one epoch on the tiny dataset, with its best checkpoint."""
    root = tmp_path_factory.mktemp("branches")
    init_seed(0, True)
    config, net, train, valid, test = tiny_setup(root, "ContextGNN", epochs=1, **DEEP)
    trainer = with_fast_eval(get_trainer(config["MODEL_TYPE"], config["model"]))(config, net)
    trainer.fit(train, valid, saved=True)
    return config, net, trainer, test


def test_recall_is_the_trainers_and_splits_into_inside_and_outside(trained):
    config, net, trainer, test = trained
    expected = trainer.evaluate(test, load_best_model=False)["recall@5"]
    stats = branch_breakdown(net, test, k=5)
    assert stats["rows"] == test.uid_list.numel()
    assert math.isclose(stats["Recall@k"], expected, abs_tol=1e-9)
    assert math.isclose(stats["from inside"] + stats["from outside"], stats["Recall@k"], abs_tol=1e-12)
    assert 0.0 < stats["locality"] < 1.0 and 0.0 < stats["pair share of top-k"] <= 1.0


def test_main_reads_a_saved_checkpoint(trained, capsys):
    config, net, trainer, test = trained
    assert main(["--checkpoint", trainer.saved_model_file, "--k", "5"]) == 0
    table = capsys.readouterr().out.strip().splitlines()
    assert table[0].startswith("ContextGNN on tiny, test split")
    header = [c.strip() for c in table[1].strip("|").split("|")]
    row = dict(zip(header, (float(c) for c in table[3].strip("|").split("|"))))
    assert row["Recall@k"] == pytest.approx(branch_breakdown(net, test, k=5)["Recall@k"], abs=1e-4)


def test_one_head_models_rank_alone_and_split_by_the_subgraph(tmp_path):
    _, net, _, _, test = tiny_setup(tmp_path, "ShallowItem", **DEEP)
    stats = branch_breakdown(net, test, k=5)
    assert stats["tower only"] == pytest.approx(stats["Recall@k"], abs=1e-12)
    assert 0.0 < stats["locality"] < 1.0  # the same subgraphs as ContextGNN's
    assert 0.0 < stats["pair share of top-k"] < 1.0  # its slots on subgraph items
    assert stats["from inside"] + stats["from outside"] == pytest.approx(stats["Recall@k"], abs=1e-12)


def test_models_that_read_no_subgraph_are_refused(tmp_path):
    _, _, _, _, test = tiny_setup(tmp_path, "ShallowItem")
    with pytest.raises(TypeError, match="reads subgraphs"):
        branch_breakdown(torch.nn.Linear(2, 2), test, k=5)


def test_calibration_fields_count_each_heads_slots_and_hits(trained, monkeypatch):
    _, net, _, test = trained
    # k = 1: the one slot goes to the tower wherever it can (pair scores pushed far down) ...
    monkeypatch.setattr(net, "fuse", lambda pair, tower: torch.where(torch.isfinite(pair), pair - 1e3, tower))
    low = branch_breakdown(net, test, k=1)
    assert low["rows with tower slots"] == 1.0 and low["pair share q75"] == 0.0
    assert low["pair slot precision"] == 0.0  # no pair slot, no pair hit
    # ... then to the pair head wherever the row has an unmasked subgraph item.
    monkeypatch.setattr(net, "fuse", lambda pair, tower: torch.where(torch.isfinite(pair), pair + 1e3, tower))
    high = branch_breakdown(net, test, k=1)
    assert high["rows with tower slots"] == pytest.approx(1.0 - high["pair share of top-k"])
    assert high["rows with tower slots"] < 1.0 and high["pair share q75"] == 1.0
    assert high["pair share q25"] <= high["pair share q50"] <= high["pair share q75"]
    assert 0.0 < high["pair slot precision"] <= 1.0
