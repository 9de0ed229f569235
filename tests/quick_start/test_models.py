"""``recbole-ctx models`` lists every model by kind, a few names per line."""
from recbole_ctx.quick_start.models import main


def test_models_lists_plugin_and_builtin_models_by_kind(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("plugin (recbole-ctx) (4):\n  ContextGNN, NBFNet, SRGNNFast, ShallowItem\n")
    assert "sequential (" in out and "Caser" in out and "LightGCN" in out
    assert max(len(line) for line in out.splitlines()) <= 88
