"""Two-process DDP runs on CPU (gloo) of a subgraph model on the tiny dataset, for tests/trainer/test_ddp.py.

Each rank takes one training epoch (one step: a batch of ``TRAIN_BATCH`` users split
over the ranks) with RecBole's stock ``Trainer`` and evaluates the test split, then
writes its seeds, parameters and metrics to ``<out>/rank<r>.pt``.
"""
from __future__ import annotations

from pathlib import Path

import torch
from recbole.config import Config
from recbole.data import create_dataset, data_preparation
from recbole.trainer import Trainer
from recbole.utils import init_seed

import recbole_ctx  # noqa: F401  (compat: gloo on CPU; loaders that sample)
from recbole_ctx.data.subgraph_loader import SubgraphTrainLoader
from recbole_ctx.trainer.fast_eval import with_fast_eval
from recbole_ctx.utils.registry import get_model
from support.subgraph import NUM_USERS, TINY

MODEL = "ShallowItem"
TRAIN_BATCH = NUM_USERS  # one step per epoch, in one process or over two ranks
# SGD, not Adam: Adam's first step moves every weight by about +-lr whatever the size of
# its gradient, so a gradient that is zero up to rounding (which differs between one and
# two processes) would flip a weight by 2 lr.
SETTINGS = {**TINY, "train_batch_size": TRAIN_BATCH, "num_classes": 10**6, "shuffle": False,
            "sample_strategy": "last", "learner": "sgd", "learning_rate": 0.5, "use_gpu": False}


def run(root: Path, ddp: dict | None) -> dict:
    """Train one epoch and evaluate; ``ddp``: RecBole's DDP keys (local_rank, world_size, ...)."""
    config = Config(model=MODEL, dataset="tiny", config_file_list=list(get_model(MODEL).config_files),
                    config_dict={"data_path": str(root), **SETTINGS, **(ddp or {})})
    init_seed(config["seed"], True)
    dataset = create_dataset(config)
    train, valid, test = data_preparation(config, dataset)
    seeds = torch.cat([b.seeds.user for b in SubgraphTrainLoader(config, train._dataset, train.builder,
                                                                  shuffle=False)])
    init_seed(config["seed"], True)
    model = get_model(MODEL)(config, train._dataset)
    initial = {k: v.detach().clone() for k, v in model.state_dict().items()}
    trainer = with_fast_eval(Trainer)(config, model)
    trainer._train_epoch(train, 0)
    result = trainer.evaluate(test, load_best_model=False)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    moved = max(float((state[k] - initial[k]).abs().max()) for k in state)
    return {"seeds": seeds, "state": state, "moved": moved, "metrics": dict(result)}


def rank_main(rank: int, root: str, port: int, out: str) -> None:
    ddp = {"local_rank": rank, "world_size": 2, "nproc": 2, "ip": "127.0.0.1", "port": port, "offset": 0}
    torch.save(run(Path(root), ddp), Path(out) / f"rank{rank}.pt")
    torch.distributed.destroy_process_group()
