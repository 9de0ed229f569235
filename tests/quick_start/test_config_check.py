"""``run_recbole`` refuses bad config input before any data loads: one line ``run_recbole:
WHERE: problem`` naming the key, value or file (and YAML line), exit 2, no traceback --
for built-in models (BPR, SASRec) and the plugin's alike.  Good input still runs."""
from __future__ import annotations

import subprocess
import sys

import pytest

from support.atomic import run_cli_in_process, write_static

QUIET = ["--state=ERROR", "--show_progress=False"]

# case -> (model, extra arguments, files to write {name: text}, words the error line holds)
CASES = {
    "zero batch": ("BPR", ["--train_batch_size=0"], {}, "--train_batch_size=0: train_batch_size must be positive"),
    "zero eval batch": ("BPR", ["--eval_batch_size=0"], {}, "eval_batch_size must be positive"),
    "zero epochs": ("BPR", ["--epochs=0"], {}, "--epochs=0: epochs must be positive"),
    "negative embedding": ("BPR", ["--embedding_size=-8"], {}, "embedding_size must be positive"),
    "zero learning rate": ("BPR", ["--learning_rate=0"], {}, "learning_rate must be greater than 0"),
    "dropout of one": ("SASRec", ["--hidden_dropout_prob=1.0"], {}, "hidden_dropout_prob is a dropout probability"),
    "zero nproc": ("BPR", ["--nproc=0"], {}, "--nproc=0: must be at least 1"),
    "num_classes one": ("ContextGNN", ["--num_classes=1"], {}, "--num_classes=1: num_classes must be at least 2"),
    "num_classes zero": ("ContextGNN", ["--num_classes=0"], {}, "num_classes must be at least 2"),
    "max length zero": ("SRGNNFast", ["--MAX_ITEM_LIST_LENGTH=0"], {}, "MAX_ITEM_LIST_LENGTH must be positive"),
    "sasrec max length": ("SASRec", ["--MAX_ITEM_LIST_LENGTH=0"], {}, "MAX_ITEM_LIST_LENGTH must be positive"),
    "strategy": ("ContextGNN", ["--sample_strategy=first"], {}, "sample_strategy must be one of"),
    "learner": ("BPR", ["--learner=adamm"], {}, "--learner=adamm: learner must be one of"),
    "sasrec loss": ("SASRec", ["--loss_type=XE"], {}, "loss_type must be BPR or CE"),
    "misspelt key": ("BPR", ["--epoch=1"], {}, "--epoch=1: unknown config key 'epoch'; did you mean 'epochs'?"),
    "misspelt key sasrec": ("SASRec", ["--n_layer=1"], {}, "did you mean 'n_layers'"),
    "bogus metric": ("BPR", ["--metrics=['Bogus']"], {}, "--metrics=['Bogus']: metrics: unknown metric 'Bogus'"),
    "metric typo": ("BPR", ["--metrics=['Recal']"], {}, "did you mean 'Recall'?"),
    "valid metric": ("BPR", ["--valid_metric=NDCG@5"], {}, "valid_metric 'NDCG@5' is not computed"),
    "eval split": ("BPR", ["--eval_args={'split':{'XS':[0.8,0.1,0.1]}}"], {}, "eval_args.split must be"),
    "eval order": ("BPR", ["--eval_args={'order':'XX'}"], {}, "eval_args.order must be RO or TO"),
    "world size": ("BPR", ["--world_size=0"], {}, "--world_size=0: must be -1"),
    "topk zero": ("BPR", ["--topk=[0]"], {}, "topk must be a positive integer"),
    "missing config file": ("BPR", ["--config_files=missing.yaml"], {}, "missing.yaml: no such file"),
    "config not yaml": ("BPR", ["--config_files=bad.yaml"], {"bad.yaml": "epochs: 1\nmetrics: [Recall, NDCG\n"},
                        "bad.yaml:2: not YAML"),
    "config not a mapping": ("BPR", ["--config_files=list.yaml"], {"list.yaml": "- epochs\n- 1\n"},
                             "list.yaml:1: not a mapping"),
    "config typo": ("BPR", ["--config_files=typo.yaml"], {"typo.yaml": "epochs: 1\nlerning_rate: 0.1\n"},
                    "typo.yaml:2: unknown config key 'lerning_rate'; did you mean 'learning_rate'?"),
    "config bad value": ("BPR", ["--config_files=zero.yaml"], {"zero.yaml": "\n\ntrain_batch_size: 0\n"},
                         "zero.yaml:3: train_batch_size must be positive"),
    "dataset yaml not yaml": ("BPR", [], {"data/tiny/tiny.yaml": "load_col: {inter: [user_id\n"},
                              "tiny.yaml:1: not YAML"),
}


@pytest.fixture
def run_cli(tmp_path, monkeypatch, capsys):
    """``run_cli(model, args) -> (status, stderr lines)``: ``run_recbole`` in process on a
    tiny dataset (``sys.argv``, which the command rewrites for RecBole, is restored)."""
    write_static(tmp_path / "data")

    def run(model: str, args: list[str]) -> tuple[int, list[str]]:
        return run_cli_in_process([f"--model={model}", "--dataset=tiny", f"--data_path={tmp_path / 'data'}",
                                   *QUIET, *args], monkeypatch, capsys)

    return run


@pytest.mark.parametrize("case", CASES)
def test_bad_config_is_one_line_before_data_loads(tmp_path, run_cli, case):
    model, args, files, words = CASES[case]
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    status, lines = run_cli(model, args)
    assert status == 2 and len(lines) == 1, lines
    assert lines[0].startswith("run_recbole: ") and words in lines[0], lines[0]


def test_unknown_key_without_a_close_match_is_warned_and_the_run_goes_on(run_cli):
    status, lines = run_cli("BPR", ["--my_own_setting=3", "--embedding_size=4", "--epochs=1"])
    assert status == 0
    assert any("warning: --my_own_setting=3: config key 'my_own_setting' is read by neither" in line
               for line in lines), lines


def test_keys_recbole_reads_without_listing_them_pass(run_cli):
    # read in RecBole's code (config["..."]) or listed in another model's properties file
    status, lines = run_cli("BPR", ["--enable_amp=False", "--n_layers=2", "--save_dataset=False", "--epochs=1"])
    assert status == 0 and not [line for line in lines if "warning" in line], lines


def test_refusal_in_a_real_process(tmp_path):
    write_static(tmp_path / "data")
    proc = subprocess.run([sys.executable, "-m", "recbole_ctx.quick_start.cli", "--model=BPR", "--dataset=tiny",
                           f"--data_path={tmp_path / 'data'}", "--epoch=1"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 2 and not proc.stdout
    assert proc.stderr.strip() == "run_recbole: --epoch=1: unknown config key 'epoch'; did you mean 'epochs'?"


def test_keys_of_the_datasets_own_yaml_pass(tmp_path, run_cli):
    (tmp_path / "data" / "tiny" / "tiny.yaml").write_text("converter_note: made by hand\n")
    status, lines = run_cli("BPR", ["--converter_note=again", "--epochs=1"])
    assert status == 0 and not [line for line in lines if "warning" in line], lines
