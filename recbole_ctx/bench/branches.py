"""``recbole-ctx bench branches``: where a trained ContextGNN's top-k comes from.

For every row of a full-sort evaluation split (a static or temporal ContextGNN
checkpoint, e.g. one a suite saved under ``<out>/saved/``) it splits equation (2) into
its two heads and reports, as means over rows:

- ``locality``: share of the row's positives inside its sampled subgraph (the items the
  pair-wise head scores; history items and ``[PAD]`` excluded, as in the evaluation);
- ``inside candidates``: number of such unmasked in-subgraph items per row;
- ``pair share of top-k``: share of the k ranked slots that hold in-subgraph items;
- ``Recall@k``: the model's own ranking (equal to the trainer's), split into the part
  from in-subgraph hits and the part from hits outside (the two add up to it);
- ``pair only`` / ``tower only``: Recall@k when the rows are ranked by one head alone
  (pair: in-subgraph items only; tower: every item), with the same weights;
- ``tower outside``: Recall@k of the tower ranking only the items outside the subgraph
  (what the tower could add if the fusion gave it slots: it is trained on those alone).

    recbole-ctx bench branches --checkpoint results/static/saved/ContextGNN-....pth [--split test] [--k 20]
"""
from __future__ import annotations

import argparse
import sys

import torch
from torch import Tensor
from tqdm import tqdm

ROW_FIELDS = ("locality", "inside candidates", "pair share of top-k", "Recall@k", "from inside", "from outside",
              "pair only", "tower only", "tower outside")


def _block_stats(pair: Tensor, tower: Tensor, positive: Tensor, masked: Tensor, k: int) -> dict[str, Tensor]:
    """Per-row statistics of one block.

    Args:
        pair: float [B, N] pair-wise scores, -inf outside the subgraph.
        tower: float [B, N] two-tower scores.
        positive: bool [B, N] the rows' positives.
        masked: bool [B, N] items the evaluation ranks last ([PAD], history).
        k: cut-off.

    Returns:
        float64 [B] per field of :data:`ROW_FIELDS`.
    """
    neg_inf = torch.tensor(float("-inf"), dtype=pair.dtype, device=pair.device)
    inside = torch.isfinite(pair) & ~masked
    pair = torch.where(inside, pair, neg_inf)
    tower = torch.where(masked, neg_inf, tower)
    fused = torch.where(inside, pair, tower)
    n_pos = positive.sum(1).clamp(min=1).double()

    def recall(scores: Tensor) -> tuple[Tensor, Tensor]:
        top = scores.topk(k, dim=1)
        hit = positive.gather(1, top.indices) & torch.isfinite(top.values)
        return hit, top.indices

    hit, top = recall(fused)
    top_inside = inside.gather(1, top)
    return {
        "locality": (positive & inside).sum(1).double() / n_pos,
        "inside candidates": inside.sum(1).double(),
        "pair share of top-k": top_inside.double().mean(1),
        "Recall@k": hit.sum(1).double() / n_pos,
        "from inside": (hit & top_inside).sum(1).double() / n_pos,
        "from outside": (hit & ~top_inside).sum(1).double() / n_pos,
        "pair only": recall(pair)[0].sum(1).double() / n_pos,
        "tower only": recall(tower)[0].sum(1).double() / n_pos,
        "tower outside": recall(torch.where(inside, neg_inf, tower))[0].sum(1).double() / n_pos,
    }


@torch.no_grad()
def branch_breakdown(model: torch.nn.Module, loader, k: int, device: torch.device | str = "cpu",
                     max_rows: int | None = None, block: int = 256, progress: bool = False) -> dict[str, float]:
    """Means over the rows of a full-sort evaluation ``loader`` (first ``max_rows``).

    ``model`` is a ContextGNN (it needs ``branch_logits``); ``loader`` one of the
    evaluation loaders built for it (RecBole's ``data_preparation`` after ``import
    recbole_ctx``), so rows get their subgraphs from the loader's builder.
    """
    from recbole_ctx.data.subgraph_loader import model_input
    from recbole_ctx.evaluator.recbole_loaders import eval_index, take_rows

    if not hasattr(model, "branch_logits"):
        raise TypeError(f"branches needs a ContextGNN (a model with two heads), got {type(model).__name__}")
    if getattr(loader, "is_sequential", False):
        raise ValueError("branches ranks user rows of a general (static or temporal) full-sort loader")
    model.eval()
    positives, history = eval_index(loader, False, device)
    n_rows = positives.n_rows if max_rows is None else min(max_rows, positives.n_rows)
    n_items = loader._dataset.item_num
    classes = torch.arange(n_items, device=device)
    sums = {name: 0.0 for name in ROW_FIELDS}
    for start in tqdm(range(0, n_rows, block), desc="branches", unit="block", disable=not progress):
        end = min(start + block, n_rows)
        batch = model_input(loader, take_rows(loader.user_df, slice(start, end))).to(device)
        sub = batch.subgraph
        pair, tower = model.branch_logits(sub, model.encode(sub), classes)
        pair, tower = pair[batch.row_seed].float(), tower[batch.row_seed].float()
        positive = torch.zeros(end - start, n_items, dtype=torch.bool, device=device)
        positive[positives.block(start, end)] = True
        masked = torch.zeros_like(positive)
        masked[:, 0] = True
        if history is not None:
            masked[history.block(start, end)] = True
        for name, values in _block_stats(pair, tower, positive, masked, k).items():
            sums[name] += float(values.sum())
    return {"rows": n_rows, **{name: total / max(n_rows, 1) for name, total in sums.items()}}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="recbole-ctx bench branches",
                                description="Locality and per-head shares of a ContextGNN checkpoint's top-k.")
    p.add_argument("--checkpoint", required=True, help="a ContextGNN checkpoint saved by RecBole's trainer")
    p.add_argument("--split", choices=("valid", "test"), default="test")
    p.add_argument("--k", type=int, default=20, help="cut-off (default 20)")
    p.add_argument("--users", type=int, default=None, help="first N rows only (default: all)")
    p.add_argument("--device", default="cpu")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    import recbole_ctx  # noqa: F401  (compat layer, plugin models)
    from recbole_ctx.compat.checkpoints import UnsafeCheckpointError
    from recbole_ctx.compat.recbole_quick_start import load_data_and_model
    from recbole_ctx.quick_start.arguments import plain_argv

    try:
        with plain_argv():
            config, model, _, _, valid, test = load_data_and_model(args.checkpoint)
    except (FileNotFoundError, UnsafeCheckpointError) as err:
        print(f"recbole-ctx bench branches: {err}", file=sys.stderr)
        return 2
    model = model.to(args.device)
    loader = valid if args.split == "valid" else test
    try:
        stats = branch_breakdown(model, loader, args.k, args.device, args.users, progress=True)
    except (TypeError, ValueError) as err:
        print(f"recbole-ctx bench branches: {err}", file=sys.stderr)
        return 2
    print(f"{config['model']} on {config['dataset']}, {args.split} split, {stats['rows']} rows, k = {args.k}")
    print("| " + " | ".join(ROW_FIELDS) + " |")
    print("|" + "---|" * len(ROW_FIELDS))
    print("| " + " | ".join(f"{stats[name]:.4f}" if name != "inside candidates" else f"{stats[name]:.0f}"
                            for name in ROW_FIELDS) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
