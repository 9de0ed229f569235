"""Each compat fix has a test that fails without it."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp
import torch

import recbole_ctx  # noqa: F401
from recbole.config import Config
from recbole.data import create_dataset, data_preparation
from recbole_ctx.compat import UnsafeCheckpointError, load_checkpoint
from recbole_ctx.quick_start import build_config, run_recbole

QUIET = {"show_progress": False, "state": "ERROR"}


def test_config_builds_on_numpy2_and_aliases_keep_numpy1_meaning():
    config = Config(model="BPR", dataset="ml-100k", config_dict=QUIET)
    assert config["model"] == "BPR"
    assert np.float is np.float64 and np.long is np.int_ and np.bool is np.bool_


def test_lightgcn_norm_adj_equals_coo_construction():
    config = build_config("LightGCN", "ml-100k", config_dict={**QUIET, "embedding_size": 8})
    dataset = create_dataset(config)
    train, _, _ = data_preparation(config, dataset)
    model = recbole_ctx.get_model("LightGCN")(config, train._dataset)
    n_u, n_i = model.n_users, model.n_items
    inter = model.interaction_matrix.tocoo()
    rows = np.concatenate([inter.row, inter.col + n_u])
    cols = np.concatenate([inter.col + n_u, inter.row])
    adj = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_u + n_i, n_u + n_i)).tocsr()
    deg = np.asarray(adj.sum(axis=1)).ravel() + 1e-7
    d = sp.diags(deg ** -0.5)
    expected = torch.tensor((d @ adj @ d).toarray(), dtype=torch.float32)
    assert torch.allclose(model.norm_adj_matrix.to_dense(), expected, atol=1e-6)


def _write_atomic(folder, name):
    folder.mkdir(parents=True)
    (folder / f"{name}.inter").write_text(
        "user_id:token\titem_id:token\ttimestamp:float\n"
        + "".join(f"u{u}\ti{(u * 7 + k) % 12}\t{u * 100 + k}\n" for u in range(10) for k in range(6))
    )
    # price is missing for i1 and i3; tags is a token_seq feature of varying length
    (folder / f"{name}.item").write_text(
        "item_id:token\tprice:float\ttags:token_seq\n"
        + "".join(
            f"i{i}\t{'' if i in (1, 3) else float(i)}\t{' '.join(f't{t}' for t in range(i % 4))}\n"
            for i in range(12)
        )
    )


def test_missing_float_values_are_filled_and_token_seq_loads(tmp_path):
    _write_atomic(tmp_path / "tiny", "tiny")
    config = Config(model="BPR", dataset="tiny",
                    config_dict={**QUIET, "data_path": str(tmp_path), "load_col": None})
    dataset = create_dataset(config)
    feat = dataset.item_feat.set_index("item_id")
    price = feat["price"].to_numpy()
    assert not np.isnan(price).any()
    known = [float(i) for i in range(12) if i not in (1, 3)]
    filled = [feat.loc[dataset.token2id("item_id", f"i{i}"), "price"] for i in (1, 3)]
    assert filled == pytest.approx([np.mean(known)] * 2, abs=1e-5)
    for i in range(12):
        assert len(feat.loc[dataset.token2id("item_id", f"i{i}"), "tags"]) == i % 4


def _tiny_bpr_run():
    cfg = {**QUIET, "epochs": 1, "embedding_size": 8, "train_batch_size": 4096, "checkpoint_dir": "saved"}
    return cfg, run_recbole("BPR", "ml-100k", config_dict=cfg)


def test_checkpoint_reloads_in_new_process_with_weights_only(tmp_path):
    cfg, result = _tiny_bpr_run()
    path = result["saved_model_file"]
    checkpoint = torch.load(path, weights_only=True)
    assert checkpoint["config"]["model"] == "BPR" and checkpoint["epoch"] == 0
    expected = checkpoint["state_dict"]["user_embedding.weight"][:3].sum().item()
    script = textwrap.dedent(f"""
        import recbole_ctx
        from recbole.data import create_dataset, data_preparation
        from recbole_ctx.compat import load_checkpoint
        from recbole_ctx.quick_start import build_config
        ckpt = load_checkpoint({str(path)!r})
        config = build_config("BPR", "ml-100k", config_dict={cfg!r})
        train, _, _ = data_preparation(config, create_dataset(config))
        model = recbole_ctx.get_model("BPR")(config, train._dataset)
        model.load_state_dict(ckpt["state_dict"])
        print(model.user_embedding.weight[:3].sum().item())
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert float(out.stdout.strip().splitlines()[-1]) == pytest.approx(expected, rel=1e-6)


class _Payload:
    def __reduce__(self):
        return (print, ("arbitrary code ran",))


def test_tampered_checkpoint_is_refused(tmp_path):
    path = tmp_path / "evil.pth"
    torch.save({"state_dict": {}, "config": _Payload()}, path)
    with pytest.raises(UnsafeCheckpointError, match="refused to load"):
        load_checkpoint(str(path))
    # RecBole's own loading (Trainer.evaluate / resume_checkpoint) refuses it too.
    with pytest.raises(Exception, match="[Ww]eights only load failed"):
        torch.load(path)


def test_anomaly_detection_switched_on_by_recbole_import_is_off():
    import recbole.model.sequential_recommender  # noqa: F401

    assert not torch.is_anomaly_enabled()
