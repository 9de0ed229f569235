"""A tiny RecBole dataset (true atomic format, written to tmp_path) and model builders
shared by the ContextGNN / NBFNet / ShallowItem tests."""
from __future__ import annotations

from pathlib import Path

import torch
from recbole.config import Config
from recbole.data import create_dataset, data_preparation
from recbole.data.interaction import Interaction

import recbole_ctx  # noqa: F401  (registers the plugin models)
from recbole_ctx.data.subgraph_batch import SeedBatch, SubgraphBatch
from recbole_ctx.utils.registry import get_model

NUM_USERS, NUM_ITEMS, PER_USER = 12, 20, 8
TINY = {"load_col": None, "embedding_size": 8, "fanouts": [4, 4], "num_layers": 2, "num_classes": 12,
        "epochs": 2, "train_batch_size": 4, "eval_batch_size": 64, "seed": 0,
        "show_progress": False, "state": "ERROR",
        "eval_args": {"split": {"RS": [0.7, 0.15, 0.15]}, "order": "RO", "group_by": "user",
                      "mode": "full"},
        "metrics": ["Recall", "NDCG"], "topk": [5], "valid_metric": "Recall@5"}


def write_tiny_dataset(root: Path, name: str = "tiny") -> Path:
    """``<root>/<name>/<name>.inter`` (timestamps) and ``.item`` (a genre token)."""
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    gen = torch.Generator().manual_seed(0)
    lines = ["user_id:token\titem_id:token\ttimestamp:float"]
    for u in range(NUM_USERS):
        # Users prefer items of their own parity, so there is something to learn.
        items = torch.randperm(NUM_ITEMS // 2, generator=gen)[:PER_USER] * 2 + (u % 2)
        for k, i in enumerate(items.tolist()):
            lines.append(f"u{u}\ti{i}\t{1_000_000 + 3600 * (u * PER_USER + k)}")
    (folder / f"{name}.inter").write_text("\n".join(lines) + "\n")
    item_lines = ["item_id:token\tgenre:token"] + [f"i{i}\tg{i % 3}" for i in range(NUM_ITEMS)]
    (folder / f"{name}.item").write_text("\n".join(item_lines) + "\n")
    return root


def tiny_setup(root: Path, model: str, **overrides):
    """(config, model, train, valid, test) for ``model`` on the tiny dataset."""
    write_tiny_dataset(root)
    config = Config(model=model, dataset="tiny",
                    config_file_list=list(get_model(model).config_files),
                    config_dict={"data_path": str(root), "checkpoint_dir": str(root / "saved"), **TINY,
                                 **overrides})
    dataset = create_dataset(config)
    train, valid, test = data_preparation(config, dataset)
    torch.manual_seed(0)
    net = get_model(model)(config, train._dataset)
    return config, net, train, valid, test


def user_batch(train, users: list[int], hide_targets: bool = True, per_user: int = 2) -> SubgraphBatch:
    """Each user's first ``per_user`` training items (graph order) as targets, with the
    users' subgraphs from the training loader's builder."""
    graph = train.builder.sampler.graph
    et = next(et for et in graph.edge_types if et[0] == "user")
    rowptr, col = graph.rowptr[et], graph.col[et]
    targets = [col[rowptr[u]: rowptr[u] + per_user] for u in users]
    ptr = torch.tensor([0] + [len(t) for t in targets]).cumsum(0)
    seeds = SeedBatch(torch.tensor(users), torch.full((len(users),), float("inf"), dtype=torch.float64),
                      ptr, torch.cat(targets), hide_targets)
    return train.builder.training(seeds)


def user_rows(train, users: list[int]) -> SubgraphBatch:
    """Full-sort evaluation rows of ``users`` (static: every edge visible), with subgraphs."""
    return train.builder.rows(Interaction({"user_id": torch.tensor(users)}))


def train_losses(net, batch, steps: int = 15, lr: float = 0.01) -> list[float]:
    """Loss of each of ``steps`` Adam steps of ``net`` on one fixed ``batch``."""
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = net.calculate_loss(batch)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses
