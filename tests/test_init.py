"""``import recbole_ctx`` is light, and still sets RecBole up for any code that imports it next."""
import subprocess
import sys
import textwrap

import pytest


def _python(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.strip()


def test_import_loads_neither_torch_nor_recbole():
    assert _python("""
        import sys
        import recbole_ctx
        print(sorted(m for m in ("torch", "recbole", "numpy", "pandas") if m in sys.modules))
    """) == "[]"


@pytest.mark.parametrize("order", ["plugin first", "recbole first"])
def test_recbole_config_sees_compat_layer_and_plugin_models(order):
    first = "import recbole_ctx\nimport recbole" if order == "plugin first" else "import recbole\nimport recbole_ctx"
    out = _python(first + """
import numpy as np
from recbole.config import Config
from recbole.utils import get_model
config = Config(model="ContextGNN", dataset="ml-100k", config_dict={"state": "ERROR"})
print(config["model"], get_model("ContextGNN").__module__, np.float is np.float64)
""")
    assert out.splitlines()[-1] == "ContextGNN recbole_ctx.model.contextgnn True"


def test_public_functions_load_on_first_use():
    assert _python("""
        import recbole_ctx
        print(recbole_ctx.get_model("ContextGNN").__name__, "ContextGNN" in recbole_ctx.available_models())
    """).splitlines()[-1] == "ContextGNN True"
    with pytest.raises(AttributeError):
        import recbole_ctx

        recbole_ctx.no_such_name  # noqa: B018


@pytest.mark.parametrize("module", ["recbole_ctx.data.subgraph_batch", "recbole_ctx.data.subgraph_loader",
                                    "recbole_ctx.model.contextgnn", "recbole_ctx.protocol"])
def test_any_module_imports_first_in_a_fresh_process(module):
    """The set-up that runs when recbole loads must not re-enter a half-imported plugin module."""
    assert _python(f"import {module}\nprint('ok')").splitlines()[-1] == "ok"


def test_recboles_own_data_preparation_gives_subgraph_models_their_loaders():
    assert _python("""
        import recbole_ctx
        from recbole.data.utils import get_dataloader
        from recbole.config import Config
        config = Config(model="ContextGNN", dataset="ml-100k", config_dict={"state": "ERROR"})
        print(get_dataloader(config, "train").__name__, get_dataloader(config, "valid").__name__)
    """).splitlines()[-1] == "train_loader subgraph_eval_loader"
