"""Ranking the rows of RecBole's evaluation loaders on the model's device.

:class:`LoaderRanker` is the fast evaluation's engine (``recbole_ctx.trainer.fast_eval``
is the trainer adapter):

- full sort: scores memory-sized blocks of users/sequences with the model's own
  ``full_sort_predict``, masks ``[PAD]`` and history from CSR indices built once per
  dataloader, ranks with ``torch.topk`` on the device and keeps only the ``rec.topk``
  hit matrix (``recbole_ctx.evaluator.fullsort``); under DDP each rank ranks a share of
  the rows and they are gathered (``recbole_ctx.evaluator.distributed``);
- sampled (``uni100``, ``pop100``, ...): iterates RecBole's own dataloader (same negatives),
  encodes each interaction once and gathers its candidates' scores
  (``recbole_ctx.evaluator.sampled``); with ``eval_neg_sampler: subgraph`` each positive
  is ranked against negatives from its own sampled subgraph instead
  (``recbole_ctx.evaluator.eval_neg_sampler``).  Sampled passes log which negatives
  they used (``negatives: <sampler> (N per row...)``).

Both rank only the rows of the users ``eval_user_sample`` keeps, when it is set
(``recbole_ctx.evaluator.user_sample``), and log the sample and the standard errors.

The subgraph models' rows get their subgraphs from the loader's builder
(``recbole_ctx.data.subgraph_loader.model_input``) block by block.
"""
from __future__ import annotations

import functools
import weakref
from collections.abc import Iterable, Iterator
from logging import getLogger
from typing import Any

import torch
from recbole.data.dataloader import FullSortEvalDataLoader, NegSampleEvalDataLoader
from recbole.data.interaction import Interaction, cat_interactions
from torch import Tensor
from tqdm import tqdm

from recbole_ctx.data.subgraph_loader import model_input, rows_only
from recbole_ctx.evaluator.csr import ItemCSR
from recbole_ctx.evaluator.distributed import ranked_over_ranks
from recbole_ctx.evaluator.fullsort import RankedRows, block_rows, fullsort_topk
from recbole_ctx.evaluator.sampled import candidate_scores, sampled_topk, source_rows
from recbole_ctx.evaluator.eval_neg_sampler import SubgraphNegativeRanker
from recbole_ctx.evaluator.user_sample import config_sample, log_sample
from recbole_ctx.utils.plugin_defaults import plugin_option

# Per-dataloader CSR indices: built on the first evaluation, reused every epoch.
EvalIndex = tuple[ItemCSR, ItemCSR | None]
_INDEX_CACHE: "weakref.WeakKeyDictionary[Any, dict[str, EvalIndex]]" = weakref.WeakKeyDictionary()


def take_rows(interaction: Interaction, index: Tensor | slice) -> Interaction:
    """Rows ``index`` of every field (``Interaction[tensor]`` goes through ``tolist``)."""
    return Interaction({key: value[index] for key, value in interaction.interaction.items()})


def row_users(eval_data: FullSortEvalDataLoader) -> Tensor:
    """int64 [R]: the user of each row of a full-sort loader (see ``eval_index``)."""
    if eval_data.is_sequential:
        return eval_data._dataset.inter_feat[eval_data._dataset.uid_field]
    return eval_data.uid_list


def eval_index(eval_data: FullSortEvalDataLoader, sequential: bool, device: torch.device,
               rows: Tensor | None = None) -> EvalIndex:
    """(positives, history) CSR over the dataloader's rows (or only ``rows``, int64
    indices into them), on ``device``; cached per loader, device and rows.

    General models: rows are ``eval_data.uid_list`` (RecBole's row order), positives and
    history are RecBole's own ``uid2positive_item`` / ``uid2history_item``.  Sequential
    models: one row per interaction of the eval dataset, its target item the positive,
    no history mask (as in RecBole).
    """
    per_device = _INDEX_CACHE.setdefault(eval_data, {})
    # A sample is keyed by its rows' bytes: another seed or size on the same loader is another index.
    key = f"{device}" if rows is None else f"{device}, rows {hash(rows.numpy().tobytes())}"
    index = slice(None) if rows is None else rows
    if key not in per_device:
        if sequential:
            items = eval_data._dataset.inter_feat[eval_data._dataset.iid_field][index]
            per_device[key] = (ItemCSR.one_per_row(items).to(device), None)
        else:
            uids = eval_data.uid_list[index].numpy()
            positives = ItemCSR.from_tensor_list(eval_data.uid2positive_item[uids])
            history = ItemCSR.from_tensor_list(eval_data.uid2history_item[uids])
            per_device[key] = (positives.to(device), history.to(device))
    return per_device[key]


SampledBatch = tuple[Interaction, Tensor, Tensor, Tensor]


def sampled_batch_of_users(batch: SampledBatch, uid_field: str, users: Tensor) -> SampledBatch | None:
    """The rows and positives of ``batch`` whose user is in ``users`` (int64 [U]), user slots
    renumbered from 0 in order (RecBole's layout); None when it has none of them."""
    interaction, row_idx, positive_u, positive_i = batch
    keep_row = torch.isin(interaction[uid_field], users)
    if not bool(keep_row.any()):
        return None
    keep_slot = torch.zeros(int(positive_u[-1]) + 1, dtype=torch.bool)
    keep_slot[row_idx[keep_row]] = True
    new_slot = torch.cumsum(keep_slot, 0) - 1
    keep_pos = keep_slot[positive_u]
    return (take_rows(interaction, keep_row.nonzero().squeeze(1)), new_slot[row_idx[keep_row]],
            new_slot[positive_u[keep_pos]], positive_i[keep_pos])


def merged_sampled_batches(batches: Iterable[SampledBatch], max_users: int) -> Iterator[SampledBatch]:
    """Concatenate consecutive ``NegSampleEvalDataLoader`` batches up to ``max_users`` users
    (or one batch, if that alone has more).

    RecBole sizes those batches by ``eval_batch_size`` rows, i.e. a handful of users at
    101 rows each; ranking them one by one is per-call overhead.  User slots
    (``row_idx``, ``positive_u``) are shifted so each merged batch keeps RecBole's layout.
    """
    pending: list[SampledBatch] = []
    n_users = 0

    def merge() -> SampledBatch:
        offsets = torch.tensor([0] + [int(b[2][-1]) + 1 for b in pending[:-1]]).cumsum(0).tolist()
        return (cat_interactions([b[0] for b in pending]),
                torch.cat([b[1] + off for b, off in zip(pending, offsets)]),
                torch.cat([b[2] + off for b, off in zip(pending, offsets)]),
                torch.cat([b[3] for b in pending]))

    for batch in batches:
        users = int(batch[2][-1]) + 1
        if pending and n_users + users > max_users:
            yield merge()
            pending, n_users = [], 0
        pending.append(batch)
        n_users += users
    if pending:
        yield merge()


class LoaderRanker:
    """Ranks an evaluation loader's rows for ``model`` on ``device``.

    Args:
        model: the recommender (its ``full_sort_predict`` scores every item).
        config: the run's config (``topk``, ``eval_block_bytes``, ``seed``, field names).
        device: where scoring and ranking run.
        with_items: also return the ranked item ids (for ``rec.items`` metrics).
        neg_sampler: ``uniform`` or ``subgraph`` (sampled evaluation's negatives).
    """

    def __init__(self, model: torch.nn.Module, config, device: torch.device, with_items: bool, neg_sampler: str):
        self.model, self.config, self.device = model, config, device
        self.with_items, self.neg_sampler = with_items, neg_sampler

    def block_size(self, n_items: int) -> int:
        """Rows per block within ``eval_block_bytes``."""
        return block_rows(n_items, int(plugin_option(self.config, "eval_block_bytes")))

    def _scores(self, eval_data, interaction: Interaction, n_items: int) -> Tensor:
        """float [B, n_items] from ``full_sort_predict`` (general models return it flat) of
        ``interaction``'s rows, with their subgraphs for the models that read them."""
        batch = model_input(eval_data, interaction).to(self.device)
        return self.model.full_sort_predict(batch).view(len(interaction), n_items)

    def _score_rows(self, eval_data, interaction: Interaction, rows: Tensor, n_items: int) -> Tensor:
        return self._scores(eval_data, take_rows(interaction, rows), n_items)

    def full_sort(self, eval_data: FullSortEvalDataLoader, show_progress: bool = False) -> RankedRows:
        """Every row of a full-sort loader ranked against all items (under DDP: a share per
        rank, gathered)."""
        dataset = eval_data._dataset
        n_items = dataset.item_num
        sample = config_sample(self.config, row_users(eval_data), dataset.user_num)
        rows = None if sample is None else sample.rows
        positives, history = eval_index(eval_data, eval_data.is_sequential, self.device, rows)

        def index(start: int, end: int) -> Tensor | slice:
            return slice(start, end) if rows is None else rows[start:end]

        if eval_data.is_sequential:
            def score_block(start: int, end: int) -> Tensor:
                raw = dataset[index(start, end)]
                interaction = eval_data.transform(dataset, raw)
                if not torch.equal(interaction[dataset.iid_field], raw[dataset.iid_field]):
                    raise ValueError(f"transform {self.config['transform']!r} changed the target items "
                                     "that full-sort evaluation ranks; set fast_eval: False")
                return self._scores(eval_data, interaction, n_items)
        else:
            def score_block(start: int, end: int) -> Tensor:
                return self._scores(eval_data, take_rows(eval_data.user_df, index(start, end)), n_items)
        def rank_rows(start: int, end: int) -> RankedRows:
            return fullsort_topk(
                score_block, positives, max(self.config["topk"]), history,
                block_size=self.block_size(n_items), mask_padding=True,
                with_items=self.with_items, progress=show_progress,
                row_range=(start, end),
            )

        ranked = ranked_over_ranks(rank_rows, positives.n_rows)
        if sample is not None:
            log_sample(self.config, sample, ranked.rec_topk)
        return ranked

    def sampled(self, eval_data: NegSampleEvalDataLoader, show_progress: bool = False) -> RankedRows:
        """Every positive of a sampled (``uniN``) loader ranked against its negatives:
        RecBole's, or with ``eval_neg_sampler: subgraph`` its own subgraph's."""
        n_items = eval_data._dataset.item_num
        k = max(self.config["topk"])
        block_size = self.block_size(n_items)
        iid_field = self.config["ITEM_ID_FIELD"]
        with_items = self.with_items
        hits, ranked = [], []
        ranker = None
        if self.neg_sampler == "subgraph":
            ranker = SubgraphNegativeRanker(self.model, eval_data, int(self.config["seed"]))
        with rows_only(eval_data):  # subgraphs are sampled for the rows scored, below
            batches = list(tqdm(eval_data, total=len(eval_data), desc="sampled eval", disable=not show_progress))
        uid_field = self.config["USER_ID_FIELD"]
        all_users = eval_data._dataset.inter_feat[uid_field]
        sample = config_sample(self.config, all_users, eval_data._dataset.user_num)
        if sample is not None:
            users = torch.unique(all_users[sample.rows])
            batches = [b for b in (sampled_batch_of_users(b, uid_field, users) for b in batches) if b is not None]
        for interaction, row_idx, positive_u, positive_i in merged_sampled_batches(batches, block_size):
            interaction = interaction.to(self.device)
            row_idx, positive_u, positive_i = (t.to(self.device) for t in (row_idx, positive_u, positive_i))
            sources, source_of = source_rows(row_idx, positive_u, eval_data.times)
            if ranker is not None:
                positives = take_rows(interaction, sources)
                block_hits, block_items = ranker.rank(positives, positive_u, positive_i, k, block_size)
            else:
                items = interaction[iid_field]
                score_rows = functools.partial(self._score_rows, eval_data, interaction, n_items=n_items)
                cand = candidate_scores(score_rows, sources, source_of, items, block_size)
                block_hits, block_items = sampled_topk(cand, row_idx, items, positive_u, positive_i,
                                                       n_items, k)
            hits.append(block_hits)
            if with_items:
                ranked.append(block_items)
        args = eval_data.neg_sample_args
        uniform = f"negatives: {args['distribution']} ({args['sample_num']} per row, RecBole's sampler)"
        getLogger().info(ranker.label() if ranker is not None else uniform)
        result = RankedRows(torch.cat(hits).cpu(), torch.cat(ranked).cpu() if with_items else None)
        if sample is not None:
            log_sample(self.config, sample, result.rec_topk)
        return result
