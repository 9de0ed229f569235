"""The IJCAI suite names the negative sampler of every number it reports."""
from __future__ import annotations

from recbole_ctx.bench.suite import load_suite
from recbole_ctx.evaluator.eval_neg_sampler import SAMPLERS
from recbole_ctx.utils.paths import CONFIG_DIR


def test_every_model_label_names_its_negative_sampler():
    suite = load_suite(CONFIG_DIR / "bench" / "sequential-ijcai.yaml")
    # The paper's 99 negatives per target: eval_args has one home, the ijcai.yaml the converter
    # writes (mode uni99, tests/dataset_converters/test_ijcai.py); a suite value would replace it whole.
    assert [d.convert[0] for d in suite.datasets] == ["ijcai"] and "eval_args" not in suite.protocol
    used = set()
    for model in suite.models:
        sampler = model.config.get("eval_neg_sampler", "uniform")
        pool = model.config.get("eval_neg_pool_rows", 1)
        expected = f"[{sampler}]" if pool == 1 else f"[{sampler}: pool {pool} rows]"
        assert sampler in SAMPLERS and model.label.endswith(expected), model.label
        used.add(sampler)
    assert used == set(SAMPLERS)
    for label in suite.reference["ijcai"]:
        assert label.endswith("]"), label
