"""``eval_neg_sampler``: which negatives a sampled evaluation (``eval_args: mode: uniN``) ranks.

* ``uniform`` (the default, ``configs/overall.yaml``): RecBole's own ``N`` negatives per positive, uniform over items;
* ``subgraph``: ``N`` negatives per positive drawn from the subgraph the model sampled
  for that row (the ContextGNN paper's IJCAI protocol; rule and fill-up in
  :mod:`recbole_ctx.evaluator.subgraph_negative_draw`), only for models that read subgraphs.  ``eval_neg_pool_rows: G`` (default
  1) pools the subgraph items of groups of ``G`` consecutive evaluation rows (RecBole's
  user order; groups restart with each evaluation batch), as the Kumo reference pools
  its evaluation batch of 128 users.

Both exclude the same items: RecBole's sampler's ``used_ids`` of the phase (the user's
items in train, and in valid / test up to the evaluated phase).  Ranking then is
RecBole's (``recbole_ctx.evaluator.sampled.sampled_topk``), so the metrics are the same
code for both samplers; only the candidate items differ.  Full-sort evaluations have no
negatives and are unaffected.
"""
from __future__ import annotations

import weakref
from typing import Any

import torch
from recbole.data.interaction import Interaction
from torch import Tensor

from recbole_ctx.data.subgraph_batch import SubgraphBatch, offsets
from recbole_ctx.data.subgraph_loader import model_input
from recbole_ctx.evaluator.csr import ItemCSR
from recbole_ctx.evaluator.subgraph_negative_draw import subgraph_negatives, widen_pool
from recbole_ctx.evaluator.sampled import sampled_topk
from recbole_ctx.utils.plugin_defaults import plugin_option
from recbole_ctx.utils.ranges import concat_ranges

SAMPLERS = ("uniform", "subgraph")

_USED_CACHE: "weakref.WeakKeyDictionary[Any, dict[str, ItemCSR]]" = weakref.WeakKeyDictionary()


def eval_neg_pool_rows(config) -> int:
    """``eval_neg_pool_rows``; ValueError unless a positive integer."""
    value = plugin_option(config, "eval_neg_pool_rows")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"eval_neg_pool_rows must be an integer >= 1, got {value!r}")
    return value


def eval_neg_sampler(config) -> str:
    """The configured sampler name; ValueError for other values."""
    name = str(plugin_option(config, "eval_neg_sampler"))
    if name not in SAMPLERS:
        raise ValueError(f"eval_neg_sampler must be one of {SAMPLERS}, got {name!r}")
    return name


def check_eval_neg_sampler(config, subgraphs: bool, temporal: bool) -> str:
    """Validate ``eval_neg_sampler`` against the run before any data loads; return its name.

    Args:
        config: the run's RecBole ``Config``.
        subgraphs: the model reads sampled subgraphs.
        temporal: the run follows the temporal protocol (full ranking, no negatives).

    Raises:
        ValueError: an unknown name, or ``subgraph`` for a model without subgraphs, under
            the temporal protocol, without a sampled evaluation mode, or with the fast
            evaluation switched off.
    """
    name = eval_neg_sampler(config)
    if name != "subgraph":
        if eval_neg_pool_rows(config) != 1:
            raise ValueError("eval_neg_pool_rows only applies to eval_neg_sampler: subgraph")
        return name
    eval_neg_pool_rows(config)
    model_name = config["model"]
    if temporal:
        raise ValueError("eval_neg_sampler: subgraph applies to sampled evaluation (eval_args.mode "
                         "uniN); the temporal protocol ranks every item, so it has no negatives")
    if not subgraphs:
        raise ValueError(f"eval_neg_sampler: subgraph draws negatives from the subgraphs a model samples; "
                         f"{model_name} samples none (use it with ContextGNN, NBFNet or ShallowItem, or "
                         f"evaluate {model_name} with eval_neg_sampler: uniform)")
    sampled = [p for p in ("valid", "test") if config[f"{p}_neg_sample_args"]["sample_num"] != "none"]
    if not sampled:
        raise ValueError("eval_neg_sampler: subgraph replaces the negatives of a sampled evaluation; "
                         f"set eval_args.mode to uniN (e.g. uni99), got {config['eval_args']['mode']}")
    if not plugin_option(config, "fast_eval") or not config["single_spec"]:
        raise ValueError("eval_neg_sampler: subgraph runs in the on-device evaluation only, which is off "
                         f"for this {model_name} run (fast_eval: False, or DDP)")
    return name


def used_items(eval_data) -> ItemCSR:
    """Per user id, the items RecBole's sampler never draws for ``eval_data``'s phase.

    Equal to ``eval_data._sampler.used_ids`` (sets of the user's items in every split up
    to and including the phase), built with tensor operations and cached per dataloader.

    Returns:
        ItemCSR with one row per user id (CPU).
    """
    sampler = eval_data._sampler
    if sampler is None or not hasattr(sampler, "datasets"):
        raise ValueError("eval_neg_sampler: subgraph needs RecBole's per-phase Sampler "
                         f"(general models), got {type(sampler).__name__}")
    cached = _USED_CACHE.setdefault(eval_data, {})
    if sampler.phase not in cached:
        upto = sampler.datasets[: sampler.phases.index(sampler.phase) + 1]
        user = torch.cat([d.inter_feat[sampler.uid_field] for d in upto]).long()
        item = torch.cat([d.inter_feat[sampler.iid_field] for d in upto]).long()
        keys = torch.unique(user * sampler.item_num + item)
        lengths = torch.bincount(keys // sampler.item_num, minlength=sampler.user_num)
        cached[sampler.phase] = ItemCSR.from_lengths(lengths, keys % sampler.item_num)
    return cached[sampler.phase]


def row_subgraph_items(batch: SubgraphBatch) -> tuple[Tensor, Tensor]:
    """Every item node of each row's subgraph (rows sharing a seed share its items).

    Returns:
        (row int64 [M], item id int64 [M]) on the batch's device; an item reached twice
        by one seed appears twice.
    """
    sub = batch.subgraph
    seed_of_node = sub.batch.get("item", batch.row_seed[:0])
    item = sub.node.get("item", batch.row_seed[:0])
    order = torch.sort(seed_of_node, stable=True).indices
    ptr = offsets(torch.bincount(seed_of_node, minlength=sub.num_seeds))
    start = ptr[batch.row_seed]
    row, position = concat_ranges(start, ptr[batch.row_seed + 1] - start)
    return row, item[order][position]


def gather_rows(csr: ItemCSR, rows: Tensor) -> tuple[Tensor, Tensor]:
    """Entries of arbitrary rows ``rows`` (int64 [R], any order, repeats allowed).

    Returns:
        (index in [0, R) of the requested row, item id), both int64 on ``csr.items``' device.
    """
    rows_cpu = rows.cpu()
    start = csr.ptr[rows_cpu]
    owner, position = concat_ranges(start, csr.ptr[rows_cpu + 1] - start)
    device = csr.items.device
    return owner.to(device), csr.items[position.to(device)]


class SubgraphNegativeRanker:
    """Ranks each positive of a sampled evaluation against negatives from its own subgraph.

    One instance per evaluation pass; it counts how many negative slots had to be
    filled uniformly because a subgraph held too few admissible items.

    Args:
        model: a model that reads subgraphs (``full_sort_predict`` of a ``SubgraphBatch``).
        eval_data: the subgraph models' ``NegSampleEvalDataLoader`` (its builder samples the
            rows' subgraphs, its sampler's phase gives the excluded items, its
            ``neg_sample_args['sample_num']`` the negatives per row).
        seed: seeds the negatives' generator, so a pass is reproducible.
    """

    def __init__(self, model: torch.nn.Module, eval_data, seed: int):
        self.model = model
        self.eval_data = eval_data
        self.num = int(eval_data.neg_sample_args["sample_num"])
        self.n_items = eval_data._dataset.item_num
        device = next(model.parameters()).device
        self.excluded = used_items(eval_data).to(device)
        self.generator = torch.Generator(device=device).manual_seed(int(seed))
        self.pool_rows = eval_neg_pool_rows(eval_data.config)
        self.rows = self.short_rows = self.filled_slots = 0

    def rank(self, positives: Interaction, positive_u: Tensor, positive_i: Tensor, k: int, block_size: int
             ) -> tuple[Tensor, Tensor]:
        """``rec.topk`` hits of one batch.

        Args:
            positives: Interaction of the P positive rows (user field, optional seed time).
            positive_u: int64 [P] user slot of each positive (RecBole's ``positive_u``).
            positive_i: int64 [P] item of each positive.
            k: largest cut-off; block_size: rows scored at once.

        Returns:
            ``sampled_topk`` of the positives and their negatives: (int64 [users, k + 1],
            int64 [users, k]).
        """
        user = positives[self.model.USER_ID]
        cand_items, cand_scores = [], []
        # Blocks hold whole pool groups, so a group never straddles two model calls.
        step = max(self.pool_rows, block_size // self.pool_rows * self.pool_rows)
        for start in range(0, user.numel(), step):
            end = min(start + step, user.numel())
            ex_row, ex_item = gather_rows(self.excluded, user[start:end])
            block = Interaction({key: value[start:end] for key, value in positives.interaction.items()})
            batch = model_input(self.eval_data, block)
            scores = self.model.full_sort_predict(batch).view(end - start, self.n_items)
            pool = widen_pool(*row_subgraph_items(batch), end - start, self.n_items, self.pool_rows)
            negatives = subgraph_negatives(*pool, ex_row.to(scores.device), ex_item.to(scores.device),
                                           end - start, self.n_items, self.num, self.generator)
            # Column 0 is the positive, as in RecBole's layout (positives before negatives).
            items = torch.cat((positive_i[start:end].unsqueeze(1), negatives.items), dim=1)
            cand_items.append(items)
            cand_scores.append(scores.gather(1, items))
            self.short_rows += int((negatives.from_subgraph < self.num).sum())
            self.filled_slots += int((self.num - negatives.from_subgraph).sum())
        self.rows += user.numel()
        items = torch.cat(cand_items)
        row_idx = positive_u.unsqueeze(1).expand_as(items)
        return sampled_topk(torch.cat(cand_scores).flatten(), row_idx.flatten(), items.flatten(),
                            positive_u, positive_i, self.n_items, k)

    def label(self) -> str:
        """One line naming the sampler and how often the uniform fill-up was needed."""
        slots = self.rows * self.num
        pool = "own subgraph" if self.pool_rows == 1 else f"subgraphs of {self.pool_rows} consecutive rows"
        return (f"negatives: subgraph ({self.num} per row, pool: {pool}); {self.short_rows}/{self.rows} "
                f"rows had fewer admissible subgraph items and were filled uniformly "
                f"({self.filled_slots}/{slots} slots = {self.filled_slots / max(slots, 1):.1%})")

