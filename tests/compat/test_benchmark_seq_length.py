"""Pre-split sequence files longer than MAX_ITEM_LIST_LENGTH keep each history's last items."""
import pytest
import torch

import recbole_ctx  # noqa: F401
from recbole.config import Config
from recbole.data import create_dataset, data_preparation
from recbole.utils import get_model

QUIET = {"show_progress": False, "state": "ERROR"}
# session -> (history, target); s3's and s6's histories (7 items) are longer than the 5 kept
ROWS = {
    "train": {"s1": ("a b", "c"), "s2": ("a", "b"), "s3": ("b c a d e g h", "f")},
    "valid": {"s4": ("a b", "d")},
    "test": {"s5": ("c", "a"), "s6": ("f e d c b h g", "a")},
}


def _config(tmp_path, model: str, max_len: int) -> Config:
    folder = tmp_path / "seq"
    folder.mkdir(exist_ok=True)
    header = "session_id:token\titem_id_list:token_seq\titem_id:token\n"
    for split, rows in ROWS.items():
        lines = [f"{s}\t{history}\t{target}" for s, (history, target) in rows.items()]
        (folder / f"seq.{split}.inter").write_text(header + "\n".join(lines) + "\n")
    return Config(model=model, dataset="seq", config_dict={
        **QUIET, "data_path": str(tmp_path), "benchmark_filename": ["train", "valid", "test"],
        "USER_ID_FIELD": "session_id", "load_col": None, "train_neg_sample_args": None,
        "alias_of_item_id": ["item_id_list"], "MAX_ITEM_LIST_LENGTH": max_len,
        "eval_args": {"order": "TO", "mode": "full"}, "hidden_size": 8, "inner_size": 16,
        "n_layers": 1, "n_heads": 1, "embedding_size": 8})


def _histories(dataset) -> dict[str, list[str]]:
    feat = dataset.inter_feat
    histories = {}
    for session, items, length in zip(feat["session_id"], feat["item_id_list"], feat["item_length"]):
        tokens = [dataset.id2token("item_id", int(i)) for i in items[: int(length)]]
        histories[dataset.id2token("session_id", int(session))] = tokens
    return histories


def test_longer_histories_keep_their_most_recent_items(tmp_path):
    dataset = create_dataset(_config(tmp_path, "SASRec", max_len=5))
    histories = _histories(dataset)
    assert histories == {"s1": ["a", "b"], "s2": ["a"], "s3": ["a", "d", "e", "g", "h"], "s4": ["a", "b"],
                         "s5": ["c"], "s6": ["d", "c", "b", "h", "g"]}
    assert dataset.field2seqlen["item_id_list"] == 5  # the padded width of the batches


def test_histories_within_the_limit_are_unchanged(tmp_path):
    dataset = create_dataset(_config(tmp_path, "SASRec", max_len=7))
    assert _histories(dataset)["s3"] == ["b", "c", "a", "d", "e", "g", "h"]
    assert dataset.field2seqlen["item_id_list"] == 7


@pytest.mark.parametrize("model_name", ["SASRec", "BERT4Rec"])
def test_position_embedding_models_train_and_rank(tmp_path, model_name):
    # Without the cut, the 7-item histories index past the 5-row position tables.
    config = _config(tmp_path, model_name, max_len=5)
    dataset = create_dataset(config)
    train, _, test = data_preparation(config, dataset)
    model = get_model(model_name)(config, train.dataset)
    batch = next(iter(train))
    model.calculate_loss(batch).backward()
    interaction, *_ = next(iter(test))
    scores = model.full_sort_predict(interaction)
    assert torch.isfinite(scores).all()
