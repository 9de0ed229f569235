"""The temporal data path: label files, examples, loaders, evaluation, relbench parity."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from recbole.config import Config
from recbole.data.dataset import Dataset

import recbole_ctx  # noqa: F401  (RecBole compatibility)
from recbole_ctx.data import SubgraphBatch, TemporalDataset
from recbole_ctx.data.temporal_task import TemporalProtocol
from recbole_ctx.evaluator.temporal import evaluate_temporal
from recbole_ctx.protocol import Protocol

DAY = 86400.0


def make_config(config_dict, model="BPR", dataset="tiny-temporal", **extra):
    return Config(model=model, dataset=dataset, config_dict={**config_dict, **extra})


def create_temporal_data(config):
    return Protocol.resolve(config).create_data(config)


SUBGRAPH_MODEL = {"model": "ShallowItem", "embedding_size": 8, "num_layers": 2, "fanouts": [4, 4],
                  "sample_strategy": "last", "target_ratio": 0.2}


def examples_as_tokens(dataset, examples):
    users = dataset.id2token("user_id", examples.user.numpy())
    out = []
    for i, user in enumerate(users):
        items = examples.target_item[examples.target_ptr[i]:examples.target_ptr[i + 1]].numpy()
        out.append((str(user), float(examples.seed_time[i]), sorted(dataset.id2token("item_id", items).tolist())))
    return out


def test_examples_and_ids_match_plain_dataset(tiny_config):
    config = make_config(tiny_config, temporal_train_on="labels")
    dataset = TemporalDataset(config)
    plain = Dataset(make_config(tiny_config))
    for field in ("user_id", "item_id"):
        assert list(dataset.field2id_token[field][: len(plain.field2id_token[field])]) == \
            list(plain.field2id_token[field])
    assert examples_as_tokens(dataset, dataset.temporal_examples["train"]) == [
        ("u1", DAY, ["b"]), ("u2", DAY, ["b", "c"])]
    assert examples_as_tokens(dataset, dataset.temporal_examples["valid"]) == [
        ("u1", 4 * DAY, ["c"]), ("u2", 4 * DAY, ["a"]), ("u3", 4 * DAY, ["d"])]
    assert dataset.protocol == TemporalProtocol(4 * DAY, 6 * DAY, 2 * DAY, 3)


def test_label_only_tokens_get_fresh_ids(tiny_config, tmp_path):
    path = tmp_path / "tiny-temporal" / "tiny-temporal.test.label"
    path.write_text(path.read_text() + f"newcomer\t{6 * DAY}\tnew-item\n")
    dataset = TemporalDataset(make_config(tiny_config))
    assert dataset.user_num == 6 and dataset.item_num == 7
    assert ("newcomer", 6 * DAY, ["new-item"]) in examples_as_tokens(dataset, dataset.temporal_examples["test"])


@pytest.mark.parametrize("split, content, message", [
    ("valid", None, r"tiny-temporal\.valid\.label: label file missing"),
    ("test", "user_id:token\ttimestamp:float\tmovie:token\nu1\t1.0\ta\n", r"line 1: header .* lacks .*item_id:token"),
    ("train", "user_id:token\ttimestamp:float\titem_id:token\nu1\t1.0\ta\nu2\tsoon\tb\n",
     r"train\.label, line 3: timestamp 'soon' is not a finite number"),
])
def test_bad_label_files(tiny_config, tmp_path, split, content, message):
    path = tmp_path / "tiny-temporal" / f"tiny-temporal.{split}.label"
    if content is None:
        path.unlink()
    else:
        path.write_text(content)
    with pytest.raises(ValueError, match=message):
        TemporalDataset(make_config(tiny_config))


def test_missing_protocol_key(tiny_config):
    config = dict(tiny_config)
    del config["eval_k"]
    with pytest.raises(ValueError, match=r"lacks \['eval_k'\]"):
        TemporalDataset(make_config(config))


def test_train_loader_yields_every_example_once(tiny_config):
    config = make_config(tiny_config, **SUBGRAPH_MODEL, train_batch_size=1)
    dataset, train, valid, test = create_temporal_data(config)
    seen = []
    for batch in train:
        assert isinstance(batch, SubgraphBatch) and batch.seeds.seed_time.dtype == torch.float64
        assert bool((torch.cat(list(batch.subgraph.edge_time.values())) <= batch.seeds.seed_time).all())
        seen.append((int(batch.seeds.user), float(batch.seeds.seed_time), batch.seeds.target_item.tolist()))
    ex = dataset.temporal_examples["train"]
    expected = [(int(ex.user[i]), float(ex.seed_time[i]), ex.target_item[ex.target_ptr[i]:ex.target_ptr[i + 1]].tolist())
                for i in range(len(ex))]
    assert sorted(seen) == sorted(expected)
    assert config["topk"] == [3, 5] and {"MAP", "MRR", "Hit"} <= set(config["metrics"])


def test_evaluation_does_not_mask_history(tiny_config):
    """Test rows: u1 -> a (u1 had `a` before T), u4 -> e.  Ranking `a` first must count."""
    config = make_config(tiny_config)
    dataset, _, _, test = create_temporal_data(config)
    a = int(dataset.token2id("item_id", "a"))

    def score(batch):
        s = -torch.arange(dataset.item_num, dtype=torch.float).repeat(batch["user_id"].numel(), 1)
        s[:, a] = 10.0  # then b, c: `e` (u4's target) is ranked last
        return s

    result = evaluate_temporal(score, test, config)
    assert result["hit@3"] == 0.5 and result["map@3"] == 0.5 and result["mrr@3"] == 0.5


def test_builtin_models_train_on_events_up_to_validation(tiny_config):
    labels = create_temporal_data(make_config(tiny_config, **SUBGRAPH_MODEL))
    config = make_config(tiny_config, model="BPR")
    dataset, train, valid, _ = create_temporal_data(config)
    assert dataset.item_num == labels[0].item_num and dataset.user_num == labels[0].user_num
    assert float(dataset.inter_feat["timestamp"].max()) <= 4 * DAY and len(dataset.inter_feat) == 5
    assert examples_as_tokens(dataset, valid.examples) == examples_as_tokens(labels[0], labels[2].examples)
    from recbole.model.general_recommender import BPR

    model = BPR(config, train._dataset)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for batch in train:
        optimizer.zero_grad()
        model.calculate_loss(batch).backward()
        optimizer.step()
    result = evaluate_temporal(model.full_sort_predict, valid, config)
    assert set(result) == {f"{m}@{k}" for m in ("recall", "ndcg", "hit", "map", "mrr") for k in (3, 5)}


def popularity_scorer(dataset):
    """Deterministic, user-dependent, tie-free scores: popularity up to T plus a hash."""
    inter = dataset.inter_feat
    item, time = inter["item_id"], inter["timestamp"]
    n = dataset.item_num

    def score(batch):
        before = (time.unsqueeze(0) <= batch["seed_time"].unsqueeze(1)).double()
        pop = torch.zeros(batch["user_id"].numel(), n, dtype=torch.float64).index_add_(1, item, before)
        ids = torch.arange(n, dtype=torch.float64)
        noise = torch.remainder(batch["user_id"].double().unsqueeze(1) * 7919 + ids * 104729, 1000) / 1000
        return pop + 0.9 * noise + ids * 1e-7

    return score


@pytest.mark.parametrize("split, relbench_split", [("valid", "val"), ("test", "test")])
def test_map_equals_relbench(rel_ml100k, split, relbench_split):
    config_dict, task = rel_ml100k
    config = make_config(config_dict, dataset="rel-ml100k-user-movie-rate", eval_batch_size=64)
    dataset, _, valid, test = create_temporal_data(config)
    loader = {"valid": valid, "test": test}[split]
    ours = evaluate_temporal(popularity_scorer(dataset), loader, config)

    score = popularity_scorer(dataset)
    ranked, keys = [], []
    for batch in loader:
        top = torch.topk(score(batch), task.eval_k, dim=1).indices
        ranked.append(dataset.id2token("item_id", top.numpy()).astype(np.int64))
        keys += zip(dataset.id2token("user_id", batch["user_id"].numpy()).astype(np.int64).tolist(),
                    batch["seed_time"].tolist())
    ranked = np.concatenate(ranked)
    table = task.get_table(relbench_split, mask_input_cols=False)
    row_of = {key: i for i, key in enumerate(keys)}
    order = [row_of[(u, t.timestamp())] for u, t in zip(table.df["user_id"], table.df["timestamp"])]
    assert len(order) == len(keys)
    expected = task.evaluate(ranked[order], table)["map"]
    assert ours["map@10"] == pytest.approx(expected, abs=1e-4)  # RecBole rounds to 4 decimals
    assert ours["map@10"] > 0.01


@pytest.mark.parametrize("content, message", [
    ("user_id:token\ttimestamp:float\titem_id:token\nu1\t1.0\ta\nu2\t2.0\tb\textra\n",
     r"tiny-temporal\.train\.label: .*line 3"),
    ("user_id:token\ttimestamp:float\titem_id:token\nu1\t1.0\ta\n\t2.0\tb\n", r"train\.label, line 3: empty user_id"),
])
def test_malformed_label_lines(tiny_config, tmp_path, content, message):
    (tmp_path / "tiny-temporal" / "tiny-temporal.train.label").write_text(content)
    with pytest.raises(ValueError, match=message):
        TemporalDataset(make_config(tiny_config))


def test_short_label_line(tiny_config, tmp_path):
    (tmp_path / "tiny-temporal" / "tiny-temporal.valid.label").write_text(
        "user_id:token\ttimestamp:float\titem_id:token\nu1\t1.0\n")
    with pytest.raises(ValueError, match=r"valid\.label, line 2: empty item_id"):
        TemporalDataset(make_config(tiny_config))


@pytest.mark.parametrize("split, time", [("train", 3 * DAY), ("valid", 5 * DAY), ("test", 5 * DAY)])
def test_label_windows_must_respect_split_boundaries(tiny_config, tmp_path, split, time):
    """train day 3 + 2 days passes val (day 4); valid day 5 + 2 passes test (day 6); test before day 6."""
    path = tmp_path / "tiny-temporal" / f"tiny-temporal.{split}.label"
    path.write_text(f"user_id:token\ttimestamp:float\titem_id:token\nu1\t{time}\ta\n")
    with pytest.raises(ValueError, match=rf"{split}\.label: seed times span .* would leak"):
        TemporalDataset(make_config(tiny_config))
