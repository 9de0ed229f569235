"""RecBole's own ``data_preparation`` gives the subgraph models the loaders that sample.

``recbole.data.utils.data_preparation`` asks ``get_dataloader(config, phase)`` for each
loader class.  After :func:`install`, models that read subgraphs get
:mod:`recbole_ctx.data.subgraph_loader`'s loaders (one builder per run, made for the
training loader and shared with the evaluation loaders); every other model gets
RecBole's.  Installed when ``recbole`` is first imported after ``import recbole_ctx``;
this module imports nothing of the data layer until a subgraph model asks.
"""
from __future__ import annotations


def install() -> None:
    """Wrap RecBole's ``get_dataloader`` (idempotent)."""
    from recbole.data import utils as data_utils

    original = data_utils.get_dataloader
    if getattr(original, "_recbole_ctx", False):
        return

    def get_dataloader(config, phase):
        from recbole_ctx.utils.registry import reads_subgraphs

        if not reads_subgraphs(config["model"]):
            return original(config, phase)
        from recbole_ctx.data import subgraph_loader

        if phase == "train":
            return subgraph_loader.train_loader
        return subgraph_loader.eval_loader(config["eval_args"]["mode"][phase if phase != "evaluation" else "test"])

    get_dataloader._recbole_ctx = True
    data_utils.get_dataloader = get_dataloader
