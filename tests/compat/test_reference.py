"""recbole-ctx on today's stack (pandas 2.3 or 3.x) reproduces unpatched RecBole in an old stack.

Reference numbers and the recipe that produced them: ``tests/fixtures/``.
"""
import importlib.util
import json
from pathlib import Path

import pytest

import recbole_ctx  # noqa: F401
from recbole_ctx.quick_start import run_recbole

FIXTURES = Path(__file__).parents[1] / "fixtures"
_spec = importlib.util.spec_from_file_location("recipe", FIXTURES / "compat_reference_recipe.py")
recipe = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(recipe)
REFERENCE = json.loads((FIXTURES / "compat_reference.json").read_text())


@pytest.mark.parametrize("model", sorted(recipe.REFERENCE_RUNS))
@pytest.mark.parametrize("fast_eval", [False, True])
def test_same_metrics_as_unpatched_recbole(model, fast_eval):
    config = {**recipe.COMMON, **recipe.REFERENCE_RUNS[model], "checkpoint_dir": "saved",
              "fast_eval": fast_eval}
    result = run_recbole(model, "ml-100k", config_dict=config)
    for split, key in (("valid", "best_valid_result"), ("test", "test_result")):
        got = {k: round(float(v), 4) for k, v in result[key].items()}
        assert got == pytest.approx(REFERENCE[model][split], abs=1e-4 + 1e-9), split
