"""Quick start: ``run_recbole`` for plugin and built-in models."""
from recbole_ctx.quick_start.quick_start import build_config, run, run_recbole

__all__ = ["build_config", "run", "run_recbole"]
