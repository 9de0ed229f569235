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
  (what the tower could add if the fusion gave it slots);
- calibration of the fusion: ``pair slot precision`` / ``tower slot precision``, the hit
  rate of the top-k slots each head won (pooled over rows; a calibrated fusion gives the
  last slots of both similar odds), and the per-user split of the slots: the share of rows
  whose top-k holds at least one tower item (``rows with tower slots``) and the quartiles
  of the per-row pair share (``pair share q25/q50/q75``).

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
CALIBRATION_FIELDS = ("pair slot precision", "tower slot precision", "rows with tower slots",
                      "pair share q25", "pair share q50", "pair share q75")


def _block_stats(pair: Tensor, tower: Tensor, fused: Tensor, positive: Tensor, masked: Tensor,
                 k: int) -> dict[str, Tensor]:
    """Per-row statistics of one block.

    Args:
        pair: float [B, N] pair-wise scores, -inf outside the subgraph.
        tower: float [B, N] two-tower scores.
        fused: float [B, N] the model's own routing of the two (its ``fuse``).
        positive: bool [B, N] the rows' positives.
        masked: bool [B, N] items the evaluation ranks last ([PAD], history).
        k: cut-off.

    Returns:
        float64 [B] per field of :data:`ROW_FIELDS`, and the rows' hit and slot counts
        per head (``pair hits``, ``pair slots``, ``tower hits``, ``tower slots``).
    """
    neg_inf = torch.tensor(float("-inf"), dtype=pair.dtype, device=pair.device)
    inside = torch.isfinite(pair) & ~masked
    pair = torch.where(inside, pair, neg_inf)
    tower = torch.where(masked, neg_inf, tower)
    fused = torch.where(masked, neg_inf, fused)
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
        "pair hits": (hit & top_inside).sum(1).double(),
        "pair slots": top_inside.sum(1).double(),
        "tower hits": (hit & ~top_inside).sum(1).double(),
        "tower slots": (~top_inside).sum(1).double(),
    }


@torch.no_grad()
def branch_breakdown(model: torch.nn.Module, loader, k: int, device: torch.device | str = "cpu",
                     max_rows: int | None = None, block: int = 256, progress: bool = False) -> dict[str, float]:
    """Means over the rows of a full-sort evaluation ``loader`` (first ``max_rows``).

    ``model`` is a ContextGNN (it needs ``branch_logits`` and ``fuse``); ``loader`` one of the
    evaluation loaders built for it (RecBole's ``data_preparation`` after ``import
    recbole_ctx``), so rows get their subgraphs from the loader's builder.
    """
    from recbole_ctx.data.subgraph_loader import model_input
    from recbole_ctx.evaluator.recbole_loaders import eval_index, take_rows

    if not hasattr(model, "seed_pair_logits"):
        raise TypeError(f"branches needs a model that reads subgraphs (ContextGNN, ShallowItem, NBFNet), "
                        f"got {type(model).__name__}")
    if getattr(loader, "is_sequential", False):
        raise ValueError("branches ranks user rows of a general (static or temporal) full-sort loader")
    model.eval()
    positives, history = eval_index(loader, False, device)
    n_rows = positives.n_rows if max_rows is None else min(max_rows, positives.n_rows)
    n_items = loader._dataset.item_num
    classes = torch.arange(n_items, device=device)
    sums = {name: 0.0 for name in ROW_FIELDS + ("pair hits", "pair slots", "tower hits", "tower slots")}
    pair_shares = []
    for start in tqdm(range(0, n_rows, block), desc="branches", unit="block", disable=not progress):
        end = min(start + block, n_rows)
        batch = model_input(loader, take_rows(loader.user_df, slice(start, end))).to(device)
        sub = batch.subgraph
        pair, tower, fused = _heads(model, sub, classes)
        pair, tower, fused = pair[batch.row_seed].float(), tower[batch.row_seed].float(), fused[batch.row_seed].float()
        positive = torch.zeros(end - start, n_items, dtype=torch.bool, device=device)
        positive[positives.block(start, end)] = True
        masked = torch.zeros_like(positive)
        masked[:, 0] = True
        if history is not None:
            masked[history.block(start, end)] = True
        stats = _block_stats(pair, tower, fused, positive, masked, k)
        for name, values in stats.items():
            sums[name] += float(values.sum())
        pair_shares.append(stats["pair share of top-k"])
    out = {"rows": n_rows, **{name: sums[name] / max(n_rows, 1) for name in ROW_FIELDS}}
    shares = torch.cat(pair_shares) if pair_shares else torch.zeros(1, dtype=torch.float64)
    out["pair slot precision"] = sums["pair hits"] / max(sums["pair slots"], 1.0)
    out["tower slot precision"] = sums["tower hits"] / max(sums["tower slots"], 1.0)
    out["rows with tower slots"] = float((shares < 1).double().mean())
    for q in (25, 50, 75):
        out[f"pair share q{q}"] = float(shares.quantile(q / 100))
    return out


def _heads(model: torch.nn.Module, sub, classes: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(pair, tower, fused) float [S, C] per seed of ``sub``.

    A ContextGNN gives its two heads and its own fusion.  A one-head model's scores are
    all three, the pair head restricted to the seed's subgraph: ``pair share`` is then its
    share of top-k slots on subgraph items and ``tower outside`` its ranking of the items
    outside (ShallowItem alone, to set beside ContextGNN's tower).
    """
    h = model.encode(sub)
    if hasattr(model, "branch_logits"):
        pair, tower = model.branch_logits(sub, h, classes)
        return pair, tower, model.fuse(pair, tower)
    scores = model.class_logits(sub, h, classes)
    inside = model.seed_pair_logits(sub, h, h["item"].new_zeros(h["item"].shape), classes)  # 0 in, -inf out
    return scores + inside, scores, scores


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
    from recbole_ctx.compat import CheckpointError
    from recbole_ctx.quick_start.loading import load_data_and_model
    from recbole_ctx.quick_start.arguments import plain_argv

    try:
        with plain_argv():
            config, model, _, _, valid, test = load_data_and_model(args.checkpoint)
    except CheckpointError as err:
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
    for fields in (ROW_FIELDS, CALIBRATION_FIELDS):
        print("| " + " | ".join(fields) + " |")
        print("|" + "---|" * len(fields))
        print("| " + " | ".join(f"{stats[name]:.4f}" if name != "inside candidates" else f"{stats[name]:.0f}"
                                for name in fields) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
