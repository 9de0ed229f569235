"""SubgraphRecommender: scores come from the batch's subgraphs; plain rows are refused."""
from __future__ import annotations

import pytest
import torch
from recbole.data.interaction import Interaction
from support.subgraph import tiny_setup, user_rows

USERS = [1, 2, 3, 4]


def test_rows_sharing_a_seed_share_its_scores_and_predict_reads_them(tmp_path):
    _, net, train, *_ = tiny_setup(tmp_path, "ContextGNN")
    net.eval()
    rows = Interaction({"user_id": torch.tensor([3, 1, 3]), "item_id": torch.tensor([4, 5, 6])})
    batch = train.builder.rows(rows)
    assert len(batch.seeds) == 2 and batch.row_seed.tolist() == [1, 0, 1]
    with torch.no_grad():
        full = net.full_sort_predict(batch)
        alone = net.full_sort_predict(user_rows(train, [1, 3]))
        torch.testing.assert_close(full, alone[[1, 0, 1]])
        torch.testing.assert_close(net.predict(batch), full[[0, 1, 2], [4, 5, 6]])


def test_plain_interactions_are_refused_with_a_clear_error(tmp_path):
    _, net, *_ = tiny_setup(tmp_path, "ShallowItem")
    with pytest.raises(TypeError, match="SubgraphBatch"):
        net.full_sort_predict(Interaction({"user_id": torch.tensor(USERS)}))


def test_sum_aggregation_is_configurable(tmp_path):
    _, net, *_ = tiny_setup(tmp_path, "ShallowItem", aggr="sum")
    convs = [conv for layer in net.backbone.convs for conv in layer.convs.values()]
    assert convs and all(str(conv.aggr_module) == "SumAggregation()" for conv in convs)
    with pytest.raises(ValueError, match="aggr must be one of"):
        tiny_setup(tmp_path / "bad", "ShallowItem", aggr="max")
