"""``predict_with_subgraph_negatives``: the scores of ``full_sort_predict`` and negatives from
the same subgraph."""
from __future__ import annotations

import torch
from recbole.data.interaction import Interaction
from support.subgraph import tiny_setup

USERS = [1, 2, 3, 4]


def test_scores_equal_full_sort_and_negatives_come_from_each_rows_subgraph(tmp_path):
    _, net, *_ = tiny_setup(tmp_path, "ContextGNN", num_layers=3, fanouts=[4, 4, 4], sample_strategy="last")
    net.eval()
    rows = Interaction({"user_id": torch.tensor(USERS)})
    exclude_row, exclude_item = torch.tensor([0, 1, 2, 3]), torch.tensor([1, 2, 3, 4])
    with torch.no_grad():
        scores, neg = net.predict_with_subgraph_negatives(rows, exclude_row, exclude_item, 3,
                                                          torch.Generator().manual_seed(0))
        torch.testing.assert_close(scores, net.full_sort_predict(rows))
    sub = net.sample(torch.tensor(USERS), torch.full((4,), float("inf"), dtype=torch.float64))
    assert neg.items.shape == (4, 3) and bool((neg.from_subgraph > 0).any())
    for r in range(4):
        head = neg.items[r, : neg.from_subgraph[r]].tolist()
        assert set(head) <= set(sub.node["item"][sub.batch["item"] == r].tolist())
        assert exclude_item[r].item() not in neg.items[r].tolist()
