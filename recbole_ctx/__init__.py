"""recbole-ctx: a RecBole plugin with ContextGNN, NBFNet, ShallowItem, a fast SR-GNN,
a temporal k-hop sampler and dataset converters.

Importing the package applies the RecBole 1.2.1 compatibility layer
(``recbole_ctx.compat``) and registers the plugin models so that RecBole's own
``get_model`` / ``Config(model=NAME)`` find them.
"""
from recbole_ctx import compat as _compat

_compat.apply()

from recbole_ctx import model as _model  # noqa: E402  (registers the plugin models)
from recbole_ctx.utils.registry import (  # noqa: E402
    available_models,
    get_model,
    get_trainer,
    install_finder,
    register_model,
)

install_finder()

__all__ = ["get_model", "get_trainer", "register_model", "available_models"]
__version__ = "0.1.0"
