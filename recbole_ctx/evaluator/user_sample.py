"""``eval_user_sample``: evaluate a seeded sample of users in bounded time, with standard errors.

``eval_user_sample: ~`` (the default) evaluates every row.  An integer ``n`` keeps the rows
of ``n`` users of the split (all of them when it has fewer): each user id gets a place in
one random order of all user ids, drawn from ``config['seed']`` alone, and the split's
``n`` users placed first are evaluated.  The rule does not depend on the split or on the
process, so two runs with the same seed, the valid and the test split, and every DDP rank
evaluate by the same order (RelBench's protocol allows evaluating a user sample).

The metrics over the sample are RecBole's, computed on exactly those rows; the log states
the sample size and, for every top-k metric, its standard error over the sample: the
sample standard deviation (``ddof=1``) of the per-row metric divided by sqrt(rows).  A
row is a user in the static protocol's full sort and in sampled (``uniN``) evaluation,
and a (user, seed time) example in the temporal protocol (one per user in a split with
one seed time).
"""
from __future__ import annotations

import inspect
import math
from collections import OrderedDict
from dataclasses import dataclass
from logging import getLogger

import torch
from torch import Tensor


@dataclass(frozen=True)
class UserSample:
    """The rows an evaluation keeps.

    Attributes:
        rows: int64 [R'] indices of the kept rows, ascending (positions in the loader's own
            row order).
        users: how many distinct users those rows have.
        all_users: how many distinct users the split has.
    """

    rows: Tensor
    users: int
    all_users: int


def eval_user_sample(config) -> int | None:
    """The configured sample size (``None``: every user).

    Raises:
        ValueError: anything but ``None`` or an integer >= 1.
    """
    value = config["eval_user_sample"]
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"eval_user_sample must be ~ (all users) or an integer >= 1, got {value!r}")
    return value


def user_order(n_users: int, seed: int) -> Tensor:
    """int64 [n_users]: the place of each user id in the seeded random order."""
    generator = torch.Generator().manual_seed(seed)
    return torch.argsort(torch.randperm(n_users, generator=generator))


def sample_rows(row_users: Tensor, n_users: int, size: int, seed: int) -> UserSample:
    """The rows of the ``size`` users of ``row_users`` placed first by ``user_order(n_users, seed)``.

    Args:
        row_users: int64 [R] user id of each row (any order, users may repeat), CPU.
        n_users: number of user ids (the dataset's ``user_num``).
        size: users to keep.
        seed: the order's seed.
    """
    users = torch.unique(row_users)
    place = user_order(n_users, seed)[users]
    kept = users[torch.argsort(place)[:size]]
    rows = torch.isin(row_users, kept).nonzero().squeeze(1)
    return UserSample(rows=rows, users=int(kept.numel()), all_users=int(users.numel()))


def config_sample(config, row_users: Tensor, n_users: int) -> UserSample | None:
    """``sample_rows`` with the config's ``eval_user_sample`` and ``seed``; None for every user."""
    size = eval_user_sample(config)
    if size is None:
        return None
    return sample_rows(row_users.cpu(), n_users, size, int(config["seed"]))


def standard_errors(config, rec_topk: Tensor) -> OrderedDict:
    """Standard error of each top-k metric of ``config['metrics']`` over the rows of ``rec_topk``.

    Args:
        config: RecBole config (``metrics``, ``topk``).
        rec_topk: int64 [R, k + 1], RecBole's ``rec.topk`` rows.

    Returns:
        ``{"recall@10": se, ...}`` for the metrics RecBole averages over rows (Recall, NDCG,
        Hit, MAP, MRR, Precision); NaN for fewer than two rows.
    """
    from recbole.evaluator import Evaluator
    from recbole.evaluator.base_metric import TopkMetric
    from recbole.evaluator.collector import DataStruct

    struct = DataStruct()
    struct.set("rec.topk", rec_topk.cpu())
    result = OrderedDict()
    for name, metric in Evaluator(config).metric_class.items():
        if not isinstance(metric, TopkMetric):
            continue  # not a mean over rows: no per-row value
        pos_index, pos_len = metric.used_info(struct)
        wants_len = "pos_len" in inspect.signature(metric.metric_info).parameters
        per_row = metric.metric_info(pos_index, pos_len) if wants_len else metric.metric_info(pos_index)
        n = per_row.shape[0]
        for k in metric.topk:
            se = float(per_row[:, k - 1].std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
            result[f"{name}@{k}"] = se
    return result


def log_sample(config, sample: UserSample, rec_topk: Tensor) -> None:
    """Log the sample size and each metric's standard error (``rec_topk``: the sample's rows)."""
    places = config["metric_decimal_place"] + 1
    errors = ", ".join(f"{key} {value:.{places}f}" for key, value in standard_errors(config, rec_topk).items())
    getLogger().info(f"eval_user_sample: {sample.users} of {sample.all_users} users "
                     f"({len(rec_topk)} rows, seed {config['seed']}); standard error: {errors}")
