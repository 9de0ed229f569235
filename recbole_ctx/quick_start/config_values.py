"""Config values checked before any data loads: sizes, choices, metric names.

RecBole reads most values only where they are used: ``train_batch_size: 0`` trained
(200x slower), ``num_classes: 1`` or ``MAX_ITEM_LIST_LENGTH: 0`` ended in a traceback
deep in the model, ``sample_strategy: first`` in ``strategy must be one of ...`` without
the key, ``metrics: [Bogus]`` in ``NotImplementedError``.  Each rule below names the key
and where its value came from (``--key=value``, ``FILE:LINE``, or the defaults).
Keys a model does not read are checked too: a wrong value is wrong wherever it is.
"""
from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any

from recbole_ctx.quick_start.config_files import ConfigError

# key -> smallest allowed value (ints and floats alike; bools are not sizes).
AT_LEAST: dict[str, int] = {
    "train_batch_size": 1, "eval_batch_size": 1, "epochs": 1, "embedding_size": 1, "hidden_size": 1,
    "inner_size": 1, "n_heads": 1, "MAX_ITEM_LIST_LENGTH": 1, "num_classes": 2, "step": 1, "save_step": 1,
    "pretrain_epochs": 1, "eval_block_bytes": 1, "tower_topk": 1, "eval_step": 0, "stopping_step": 0, "worker": 0,
    "weight_decay": 0, "reg_weight": 0,
}
# key -> exclusive lower bound
ABOVE: dict[str, float] = {"learning_rate": 0.0, "train_budget_s": 0.0}
# probabilities of dropping: [0, 1)
PROBABILITIES = ("dropout_prob", "hidden_dropout_prob", "attn_dropout_prob", "mess_dropout", "node_dropout")


def _choices() -> dict[str, tuple[Any, ...]]:
    """Choices of keys, the plugin's from the modules that read them."""
    from recbole_ctx.data.subgraph_builder import SAMPLE_DEVICES
    from recbole_ctx.evaluator.eval_neg_sampler import SAMPLERS
    from recbole_ctx.model.contextgnn import FUSIONS
    from recbole_ctx.model.layers.tower_user import TOWER_INITS, TOWER_USERS
    from recbole_ctx.model.subgraph_recommender import AGGREGATIONS
    from recbole_ctx.sampler.temporal_sampler import STRATEGIES

    return {
        "learner": ("adam", "adamw", "sgd", "adagrad", "rmsprop", "sparse_adam"),  # any case; others fell back to Adam
        "sample_strategy": STRATEGIES, "sample_device": SAMPLE_DEVICES, "aggr": AGGREGATIONS,
        "eval_neg_sampler": SAMPLERS,
        "fusion": FUSIONS, "tower_user": TOWER_USERS, "tower_init": TOWER_INITS,
        "item_tower": ("shallow", "mlp"),  # model/contextgnn.py
        "temporal_train_on": ("labels", "inter"),  # protocol.py
    }


def _numbers(value: Any) -> Iterable[float]:
    """The numbers in a value (itself, or the items of a list); bools and others are skipped."""
    items = value if isinstance(value, (list, tuple)) else [value]
    return [v for v in items if isinstance(v, (int, float)) and not isinstance(v, bool)]


def _size_problem(key: str, value: Any) -> str | None:
    for number in _numbers(value):
        if key in AT_LEAST and number < AT_LEAST[key]:
            least = AT_LEAST[key]
            return "must be positive" if least == 1 else f"must be at least {least}"
        if key in ABOVE and number <= ABOVE[key]:
            return f"must be greater than {ABOVE[key]:g}"
        if key in PROBABILITIES and not 0 <= number < 1:
            return "is a dropout probability, it must be in [0, 1)"
    return None


def metric_problem(names: Any) -> str | None:
    """Why ``names`` (RecBole's ``metrics`` value) is not a list of RecBole metric names, or ``None``."""
    from recbole.evaluator import metric_types
    from recbole.evaluator import metrics as metric_module

    if isinstance(names, str):
        names = [names]
    if not isinstance(names, (list, tuple)) or not names:
        return "must be a metric name or a non-empty list of them, e.g. [Recall, NDCG]"
    canonical = {name.lower(): name for name in dir(metric_module) if name.lower() in metric_types}
    for name in names:
        if not isinstance(name, str) or name.lower() not in metric_types:
            close = difflib.get_close_matches(str(name).lower(), list(canonical), n=1, cutoff=0.6)
            known = ", ".join(sorted(canonical.values()))
            hint = f"did you mean {canonical[close[0]]!r}?" if close else f"known: {known}"
            return f"unknown metric {name!r}; {hint}"
    return None


def _valid_metric_problem(config: Any) -> str | None:
    from recbole.evaluator import metric_types
    from recbole.utils import EvaluatorType

    valid = str(config["valid_metric"]).lower()
    topk = config["topk"] or []
    topk = [topk] if isinstance(topk, int) else list(topk)
    if config["eval_k"] is not None:
        topk.append(config["eval_k"])  # temporal tasks add their k (protocol.py)
    computed = set()
    for name in map(str.lower, config["metrics"]):
        if metric_types.get(name) == EvaluatorType.RANKING:
            computed |= {f"{name}@{k}" for k in topk}
        else:
            computed.add(name)
    if valid not in computed:
        return f"is not computed by this run; metrics x topk give {', '.join(sorted(computed))}"
    return None


def check_config(config: Any, where: Callable[[str], str]) -> None:
    """Check the values of RecBole ``config`` (a built ``Config``).

    Args:
        where: key -> how to name it in a message (``--epochs=0``, ``my.yaml:3: epochs``).

    Raises:
        ConfigError: the first value that breaks a rule.
    """
    values = config.final_config_dict
    for key, value in values.items():
        problem = _size_problem(key, value)
        if problem:
            raise ConfigError(f"{where(key)}: {key} {problem}")
    for key, choices in _choices().items():
        value = values.get(key)
        if key == "learner" and isinstance(value, str):
            value = value.lower()  # trainer.py:176 compares learner.lower()
        if value is not None and value not in choices:
            raise ConfigError(f"{where(key)}: {key} must be one of {', '.join(map(str, choices))}, got {value!r}")
    from recbole.utils import ModelType

    if config["MODEL_TYPE"] == ModelType.SEQUENTIAL and values.get("loss_type") not in (None, "BPR", "CE"):
        raise ConfigError(f"{where('loss_type')}: loss_type must be BPR or CE for sequential models, "
                          f"got {values['loss_type']!r}")
    eval_args = values.get("eval_args") or {}
    if eval_args.get("order") not in (None, "RO", "TO"):
        raise ConfigError(f"{where('eval_args')}: eval_args.order must be RO or TO, got {eval_args['order']!r}")
    split = eval_args.get("split")
    if split is not None and (not isinstance(split, dict) or len(split) != 1 or not set(split) <= {"RS", "LS"}):
        raise ConfigError(f"{where('eval_args')}: eval_args.split must be {{RS: [train, valid, test ratios]}} or "
                          f"{{LS: valid_and_test | test_only}}, got {split!r}")
    if eval_args.get("group_by") not in (None, "user", "none"):
        raise ConfigError(f"{where('eval_args')}: eval_args.group_by must be user or none, "
                          f"got {eval_args['group_by']!r}")
    problem = metric_problem(values.get("metrics"))
    if problem:
        raise ConfigError(f"{where('metrics')}: metrics: {problem}")
    problem = _valid_metric_problem(config)
    if problem:
        raise ConfigError(f"{where('valid_metric')}: valid_metric {config['valid_metric']!r} {problem}")


def check_ddp_arguments(nproc: int, world_size: int, group_offset: int) -> None:
    """``run_recbole``'s own DDP options: ``--nproc=0`` trained nothing and exited 0."""
    if nproc < 1:
        raise ConfigError(f"--nproc={nproc}: must be at least 1 (processes to start)")
    if world_size != -1 and world_size < 1:
        raise ConfigError(f"--world_size={world_size}: must be -1 (= nproc) or at least 1")
    if group_offset < 0:
        raise ConfigError(f"--group_offset={group_offset}: must be at least 0")
