"""``recbole-ctx models``: every model name ``run_recbole --model`` accepts, grouped by kind."""
from __future__ import annotations

import argparse
import textwrap

_WIDTH = 88


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(prog="recbole-ctx models", description=__doc__).parse_args(argv)
    from recbole_ctx.utils.registry import builtin_models_by_submodule, plugin_models

    groups = {"plugin (recbole-ctx)": sorted(plugin_models())}
    groups.update({sub.removesuffix("_recommender").replace("_", "-"): names
                   for sub, names in builtin_models_by_submodule().items()})
    for kind, names in groups.items():
        print(f"{kind} ({len(names)}):")
        print(textwrap.fill(", ".join(names), _WIDTH, initial_indent="  ", subsequent_indent="  "))
    return 0
