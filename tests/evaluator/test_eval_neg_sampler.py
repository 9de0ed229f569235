"""``eval_neg_sampler: subgraph`` end to end on a tiny dataset: which negatives, which metrics,
and clear refusals where it cannot apply."""
from __future__ import annotations

import logging
import math

import pytest
import torch
from recbole.config import Config
from recbole.data import create_dataset, data_preparation
from recbole.utils import init_seed
from support.subgraph import TINY, tiny_setup, write_tiny_dataset

from recbole_ctx.evaluator.csr import ItemCSR
from recbole_ctx.evaluator import eval_neg_sampler as eval_neg_sampler_module
from recbole_ctx.protocol import Protocol
from recbole_ctx.evaluator.eval_neg_sampler import gather_rows, used_items
from recbole_ctx.trainer.fast_eval import with_fast_eval
from recbole_ctx.utils.registry import get_model, get_trainer

NUM = 9  # negatives per positive (tiny: 20 items, 8 per user, users only touch items of their parity)
# Several test positives per user, to check RecBole's per-user candidate layout.
SPLIT = {"RS": [0.5, 0.1, 0.4]}
SAMPLED = {"eval_args": {"split": SPLIT, "order": "RO", "group_by": "user", "mode": f"uni{NUM}"},
           "metrics": ["Hit", "NDCG"], "topk": [1, 3, 5], "valid_metric": "NDCG@5",
           "metric_decimal_place": 10, "eval_neg_sampler": "subgraph"}
# Three layers reach other users' items (with two, a user's subgraph holds only its own items).
DEEP = {"num_layers": 3, "fanouts": [4, 4, 4], "sample_strategy": "last"}


def _setup(tmp_path, **overrides):
    init_seed(0, True)  # RecBole's random split draws from the global RNGs
    return tiny_setup(tmp_path, "ContextGNN", **overrides)


def _trainer(config, net):
    return with_fast_eval(get_trainer(config["MODEL_TYPE"], config["model"]))(config, net)


def _recording(net, monkeypatch):
    """Keep every scored block's users, scores and negatives (one full-sort call and one
    negative draw per block)."""
    calls, inner_predict, inner_negatives = [], net.full_sort_predict, eval_neg_sampler_module.subgraph_negatives

    def predict(batch):
        scores = inner_predict(batch)
        calls.append([batch[net.USER_ID].clone(), scores.clone(), None])
        return scores

    def negatives(*args, **kwargs):
        drawn = inner_negatives(*args, **kwargs)
        calls[-1][2] = drawn
        return drawn

    net.full_sort_predict = predict
    monkeypatch.setattr(eval_neg_sampler_module, "subgraph_negatives", negatives)
    return calls


def _brute_force(calls, positive: dict[int, set[int]], topk: list[int]) -> dict[str, float]:
    """Hit / NDCG (RecBole's definitions) of each user's positives among its candidates."""
    per_user: dict[int, dict[int, float]] = {}
    for users, scores, negatives in calls:
        for r, u in enumerate(users.tolist()):
            cand = per_user.setdefault(u, {})
            for item in list(positive[u]) + negatives.items[r].tolist():
                cand[item] = scores[r, item].item()
    result = {}
    for k in topk:
        hits, ndcgs = [], []
        for u, cand in per_user.items():
            ranked = sorted(cand, key=lambda i: -cand[i])[:k]
            rel = [1.0 if i in positive[u] else 0.0 for i in ranked]
            ideal = sum(1 / math.log2(j + 2) for j in range(min(len(positive[u]), k)))
            hits.append(float(any(rel)))
            ndcgs.append(sum(r / math.log2(j + 2) for j, r in enumerate(rel)) / ideal)
        result[f"hit@{k}"], result[f"ndcg@{k}"] = sum(hits) / len(hits), sum(ndcgs) / len(ndcgs)
    return result


@pytest.mark.parametrize("num", [2, NUM])
def test_negatives_lie_in_each_rows_subgraph_and_metrics_equal_brute_force(tmp_path, monkeypatch, num):
    eval_args = {**SAMPLED["eval_args"], "mode": f"uni{num}"}
    config, net, train, _, test = _setup(tmp_path, **{**SAMPLED, "eval_args": eval_args}, **DEEP)
    net.eval()
    calls = _recording(net, monkeypatch)
    result = _trainer(config, net).evaluate(test, load_best_model=False)

    ds = test._dataset
    positive: dict[int, set[int]] = {}
    for u, i in zip(ds.inter_feat[ds.uid_field].tolist(), ds.inter_feat[ds.iid_field].tolist()):
        positive.setdefault(u, set()).add(i)
    used = used_items(test)
    n_rows = sum(len(p) for p in positive.values())
    assert sum(c[0].numel() for c in calls) == n_rows > len(positive)
    heads = []
    for users, _, negatives in calls:
        assert negatives.items.shape == (users.numel(), num)
        sub = train.builder.sample(users, torch.full(users.shape, float("inf"), dtype=torch.float64))
        for r, u in enumerate(users.tolist()):
            row_used = set(used.items[used.ptr[u]: used.ptr[u + 1]].tolist())
            assert positive[u] <= row_used
            drawn = negatives.items[r].tolist()
            head = int(negatives.from_subgraph[r])
            in_subgraph = set(sub.node["item"][sub.batch["item"] == r].tolist())
            assert set(drawn[:head]) <= in_subgraph and len(set(drawn[:head])) == head
            assert not set(drawn) & row_used and 0 not in drawn
            # the fill-up only happens when the subgraph had nothing else to give
            assert head == num or set(drawn[:head]) == in_subgraph - row_used - {0}
            heads.append(head)
    # both regimes occur: rows drawn entirely from their subgraph (num=2), rows filled up (num=9)
    assert any(h == num for h in heads) if num == 2 else any(0 < h < num for h in heads)
    expected = _brute_force(calls, positive, [1, 3, 5])
    assert set(result) == set(expected)
    for key, value in expected.items():
        assert result[key] == pytest.approx(value, abs=1e-9), key


def test_a_pool_of_consecutive_rows_draws_from_the_groups_subgraphs(tmp_path, monkeypatch):
    group = 4
    config, net, train, _, test = _setup(tmp_path, **SAMPLED, **DEEP, eval_neg_pool_rows=group)
    net.eval()
    calls = _recording(net, monkeypatch)
    _trainer(config, net).evaluate(test, load_best_model=False)
    used = used_items(test)
    wider = False
    for users, _, negatives in calls:
        sub = train.builder.sample(users, torch.full(users.shape, float("inf"), dtype=torch.float64))
        own = [set(sub.node["item"][sub.batch["item"] == r].tolist()) for r in range(users.numel())]
        for r, u in enumerate(users.tolist()):
            start = r - r % group
            pool = set().union(*own[start: start + group]) - {0}
            pool -= set(used.items[used.ptr[u]: used.ptr[u + 1]].tolist())
            head = set(negatives.items[r, : negatives.from_subgraph[r]].tolist())
            assert head <= pool and (len(head) == NUM or head == pool)
            wider |= not head <= own[r]
    assert wider


def test_same_seed_same_result_and_the_sampler_is_logged(tmp_path, caplog):
    config, net, _, valid, _ = _setup(tmp_path, **SAMPLED, **DEEP)
    net.eval()
    trainer = _trainer(config, net)
    with caplog.at_level(logging.INFO):
        first = trainer.evaluate(valid, load_best_model=False)
    assert first == trainer.evaluate(valid, load_best_model=False)
    assert any(f"negatives: subgraph ({NUM} per row, pool: own subgraph)" in m for m in caplog.messages)


def test_uniform_sampler_is_logged_too(tmp_path, caplog):
    config, net, _, valid, _ = _setup(tmp_path, **{**SAMPLED, "eval_neg_sampler": "uniform"})
    with caplog.at_level(logging.INFO):
        _trainer(config, net).evaluate(valid, load_best_model=False)
    assert any(f"negatives: uniform ({NUM} per row" in m for m in caplog.messages)


def test_used_items_equal_recboles_sampler_used_ids(tmp_path):
    _, _, _, valid, test = _setup(tmp_path, **SAMPLED)
    for data in (valid, test):
        csr = used_items(data)
        for u, expected in enumerate(data._sampler.used_ids):
            assert set(csr.items[csr.ptr[u]: csr.ptr[u + 1]].tolist()) == set(expected)


def test_gather_rows_in_any_order_with_repeats():
    csr = ItemCSR.from_lengths(torch.tensor([2, 0, 3]), torch.tensor([5, 6, 7, 8, 9]))
    owner, items = gather_rows(csr, torch.tensor([2, 1, 0, 2]))
    assert owner.tolist() == [0, 0, 0, 2, 2, 3, 3, 3] and items.tolist() == [7, 8, 9, 5, 6, 7, 8, 9]


def _builtin(tmp_path, model: str, **overrides):
    write_tiny_dataset(tmp_path)
    config = Config(model=model, dataset="tiny",
                    config_dict={"data_path": str(tmp_path), "checkpoint_dir": str(tmp_path / "saved"), **TINY,
                                 **overrides})
    train, _, _ = data_preparation(config, create_dataset(config))
    return config, get_model(model)(config, train._dataset)


def test_builtin_models_get_a_clear_error(tmp_path):
    config, net = _builtin(tmp_path, "BPR", **SAMPLED)
    with pytest.raises(ValueError, match="BPR samples none.*ContextGNN, NBFNet or ShallowItem"):
        Protocol.resolve(config)


@pytest.mark.parametrize("overrides, match", [
    ({"eval_neg_sampler": "popular"}, "must be one of"),
    ({"eval_args": {**SAMPLED["eval_args"], "mode": "full"}}, "set eval_args.mode to uniN"),
    ({"fast_eval": False}, "on-device evaluation only"),
    ({"eval_neg_pool_rows": 0}, "integer >= 1"),
    ({"eval_neg_sampler": "uniform", "eval_neg_pool_rows": 128}, "only applies to eval_neg_sampler"),
])
def test_misconfigured_subgraph_sampler_is_refused_before_training(tmp_path, overrides, match):
    config, net, *_ = _setup(tmp_path, **{**SAMPLED, **overrides})
    with pytest.raises(ValueError, match=match):
        Protocol.resolve(config)

