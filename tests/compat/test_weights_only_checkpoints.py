"""Every file RecBole 1.2.1 writes is read back by its own ``torch.load`` calls with
torch's ``weights_only=True`` default: trainer checkpoints (evaluate, resume),
S3Rec pretraining -> fine-tuning, and the models that load pretrained files."""
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

import recbole_ctx
from fixtures.tiny_recbole import write_tiny_dataset
from recbole.config import Config
from recbole.data import create_dataset, data_preparation
from recbole.utils import get_trainer, init_seed
from recbole_ctx.compat import UnsafeCheckpointError, load_checkpoint, plain_config, restore_config
from recbole_ctx.quick_start import build_config, run_recbole

QUIET = {"show_progress": False, "state": "ERROR", "checkpoint_dir": "saved"}


def _build(model: str, dataset: str = "ml-100k", **extra):
    """Config, model and RecBole's trainer for ``model`` on ``dataset``."""
    config = Config(model=model, dataset=dataset, config_dict={**QUIET, **extra})
    init_seed(config["seed"], config["reproducibility"])
    train, valid, test = data_preparation(config, create_dataset(config))
    model_obj = recbole_ctx.get_model(model)(config, train._dataset)
    trainer = get_trainer(config["MODEL_TYPE"], model)(config, model_obj)
    return SimpleNamespace(config=config, model=model_obj, trainer=trainer, train=train, valid=valid,
                           test=test)


def _saved(run) -> str:
    run.trainer._save_checkpoint(0, verbose=False)
    return run.trainer.saved_model_file


def _same_weights(module, state_dict, prefix=""):
    return all(torch.equal(t, state_dict[prefix + name]) for name, t in module.state_dict().items())


def test_s3rec_pretraining_then_fine_tuning(tmp_path):
    tiny = write_tiny_dataset(tmp_path)
    small = {**tiny, "hidden_size": 8, "inner_size": 16, "n_layers": 1, "n_heads": 1, "MAX_ITEM_LIST_LENGTH": 10,
             "train_batch_size": 4096, "eval_batch_size": 4096, "train_neg_sample_args": None}
    pre = _build("S3Rec", **small, train_stage="pretrain", pretrain_epochs=1, save_step=1)
    pre.trainer.pretrain(pre.train, verbose=False)
    pretrained = Path(pre.trainer.saved_model_file)
    assert pretrained.name == "S3Rec-tiny-1.pth"
    state = torch.load(pretrained, weights_only=True)
    assert state["config"]["train_stage"] == "pretrain" and state["epoch"] == 0

    fine = _build("S3Rec", **small, train_stage="finetune", pre_model_path=str(pretrained), epochs=1,
                  loss_type="CE")
    assert _same_weights(fine.model, state["state_dict"])  # s3rec.py:120 loaded it
    fine.trainer.fit(fine.train, fine.valid, saved=True)
    result = fine.trainer.evaluate(fine.test, load_best_model=False)
    with torch.no_grad():  # spoil the weights: the checkpoint must bring them back
        for param in fine.model.parameters():
            param.normal_()
    reloaded = fine.trainer.evaluate(fine.test, load_best_model=True)  # trainer.py:583
    assert reloaded == result and result["recall@10"] > 0


def test_resume_checkpoint_restores_epoch_and_optimizer():
    first = _build("BPR", embedding_size=8, epochs=1, train_batch_size=4096)
    first.trainer.fit(first.train, first.valid, saved=True)
    again = _build("BPR", embedding_size=8, epochs=2, train_batch_size=4096)
    again.trainer.resume_checkpoint(first.trainer.saved_model_file)  # trainer.py:323
    assert again.trainer.start_epoch == 1
    assert _same_weights(again.model, first.model.state_dict())
    assert again.trainer.optimizer.state_dict()["state"].keys() == first.trainer.optimizer.state_dict()["state"].keys()


def test_convncf_loads_a_bpr_checkpoint():
    bpr = _build("BPR", embedding_size=8)
    conv = _build("ConvNCF", embedding_size=8, train_method="after_pretrain", pre_model_path=_saved(bpr))
    assert torch.equal(conv.model.user_embedding.weight, bpr.model.user_embedding.weight)


def test_nais_loads_a_fism_checkpoint():
    fism = _build("FISM", embedding_size=8)
    nais = _build("NAIS", embedding_size=8, pretrain_path=_saved(fism))
    assert torch.equal(nais.model.item_src_embedding.weight, fism.model.item_src_embedding.weight)


def test_ract_stages_load_their_predecessor():
    actor = _build("RaCT", train_stage="actor_pretrain")
    critic = _build("RaCT", train_stage="critic_pretrain", pre_model_path=_saved(actor))
    assert _same_weights(critic.model.encoder, actor.model.state_dict(), prefix="encoder.")
    fine = _build("RaCT", train_stage="finetune", pre_model_path=_saved(critic))
    assert _same_weights(fine.model, critic.model.state_dict())


def test_kd_dagfm_distillation_loads_the_teacher():
    teacher = _build("KD_DAGFM", phase="teacher_training")
    student = _build("KD_DAGFM", phase="distillation", warm_up=_saved(teacher))
    assert _same_weights(student.model, teacher.model.state_dict())


def test_neumf_loads_its_dumped_parts():
    sizes = {"mf_embedding_size": 8, "mlp_embedding_size": 8, "mlp_hidden_size": [8]}
    paths = {"mf_pretrain_path": "mf.pth", "mlp_pretrain_path": "mlp.pth"}
    mf = _build("NeuMF", **sizes, **paths, mf_train=True, mlp_train=False)
    mf.model.dump_parameters()
    mlp = _build("NeuMF", **sizes, **paths, mf_train=False, mlp_train=True)
    mlp.model.dump_parameters()
    both = _build("NeuMF", **sizes, **paths, use_pretrain=True)  # neumf.py:84
    assert torch.equal(both.model.user_mf_embedding.weight, mf.model.user_mf_embedding.weight)
    assert torch.equal(both.model.item_mlp_embedding.weight, mlp.model.item_mlp_embedding.weight)


def test_decision_tree_checkpoint_is_plain_data(tmp_path):
    from recbole.trainer.trainer import DecisionTreeTrainer

    config = Config(model="BPR", dataset="ml-100k", config_dict=QUIET)
    trainer = SimpleNamespace(config=config, cur_step=3, best_valid_score=0.5, temp_best_file="booster.json",
                              saved_model_file=str(tmp_path / "tree.pth"))
    DecisionTreeTrainer._save_checkpoint(trainer, 2)  # lightgbm/xgboost themselves are not needed
    state = torch.load(trainer.saved_model_file, weights_only=True)
    assert state["state_dict"] == "booster.json" and state["config"]["model"] == "BPR"


def test_restore_config_round_trips_the_plain_config():
    config = Config(model="BERT4Rec", dataset="ml-100k", config_dict={**QUIET, "train_neg_sample_args": None})
    restored = restore_config(plain_config(config))
    assert isinstance(restored, Config) and restored.model == "BERT4Rec"
    for key, value in config.final_config_dict.items():
        expected = list(value) if isinstance(value, tuple) else value
        assert restored[key] == expected, key
    assert "gpu_id" in str(restored)  # RecBole's own printing works


def test_checkpoint_reloads_in_new_process_with_weights_only():
    cfg = {**QUIET, "epochs": 1, "embedding_size": 8, "train_batch_size": 4096}
    path = run_recbole("BPR", "ml-100k", config_dict=cfg)["saved_model_file"]
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


def test_build_config_is_unchanged_by_the_restore_path():
    config = build_config("BPR", "ml-100k", config_dict=QUIET)
    assert restore_config(plain_config(config))["metrics"] == config["metrics"]


def test_other_parameter_of_every_kind_survives_a_weights_only_load(tmp_path):
    import numpy as np
    import scipy.sparse as sp
    from recbole.model.abstract_recommender import AbstractRecommender

    from recbole_ctx.compat.weights_only_checkpoints import plain_other_parameter

    class Holder(AbstractRecommender):
        """``seed`` picks every value, so a holder built to load into starts unlike the saved one."""

        def __init__(self, seed: int):
            super().__init__()
            torch.manual_seed(seed)
            self.layer = torch.nn.Linear(2, 2)  # a submodule: its weights live in the state dict
            self.cache = torch.full((3,), float(seed))
            self.similarity = np.arange(6.0).reshape(2, 3) * seed
            self.matrix = sp.random(4, 5, density=0.5, format="csc", random_state=seed)
            self.ripple = {seed: [np.array([seed, 2]), np.array([3])]}
            self.empty = None if seed == 1 else "not yet loaded"
            self.other_parameter_name = ["layer", "cache", "similarity", "matrix", "ripple", "empty"]

    saved = Holder(1)
    path = tmp_path / "holder.pth"
    torch.save({"state_dict": saved.state_dict(), "other_parameter": plain_other_parameter(saved)}, path)
    checkpoint = torch.load(path, weights_only=True)
    loaded = Holder(2)
    assert not torch.equal(loaded.layer.weight, saved.layer.weight)  # else the test shows nothing
    loaded.load_state_dict(checkpoint["state_dict"])
    loaded.load_other_parameter(checkpoint["other_parameter"])
    assert isinstance(loaded.layer, torch.nn.Linear) and torch.equal(loaded.layer.weight, saved.layer.weight)
    assert torch.equal(loaded.cache, saved.cache) and loaded.empty is None
    assert isinstance(loaded.similarity, np.ndarray)
    np.testing.assert_array_equal(loaded.similarity, saved.similarity)
    assert loaded.matrix.format == "csc" and (loaded.matrix != saved.matrix).nnz == 0
    assert list(loaded.ripple) == [1]
    np.testing.assert_array_equal(loaded.ripple[1][0], [1, 2])
