"""``bench srgnn``'s speed mode: every model trains the same prefetched batches, taking turns,
with its own trainer's optimizer and with one common optimizer, next to the scoring floor."""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from recbole.model.abstract_recommender import SequentialRecommender
from tqdm import tqdm

from recbole_ctx.model.srgnnfast import real_item_cross_entropy
from recbole_ctx.trainer.session_trainer import build_adam

BASELINE = "SRGNN"


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class ScoringFloor(SequentialRecommender):
    """The training step every full-softmax session model shares, with a trivial encoder.

    The session vector is the embedding of the last click, scored against every item
    exactly as in SRGNNFast (:func:`real_item_cross_entropy`), so a step costs the scoring
    products, the cross-entropy and the optimizer over the item table, and nothing else:
    no model with this output layer can train faster.
    """

    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        self.item_embedding = torch.nn.Embedding(self.n_items, config["embedding_size"])

    def calculate_loss(self, interaction) -> torch.Tensor:
        """Softmax cross-entropy of the target given the last click, float scalar."""
        last = self.gather_indexes(interaction[self.ITEM_SEQ].unsqueeze(2), interaction[self.ITEM_SEQ_LEN] - 1)
        session = self.item_embedding(last.squeeze(1))
        return real_item_cross_entropy(session, self.item_embedding.weight, interaction[self.POS_ITEM_ID])


FLOOR = "floor (scoring+CE+optimizer)"
OWN, COMMON = "own trainer's optimizer", "common optimizer (RecBole's Adam)"


@dataclass
class SpeedRun:
    """One (model, optimizer) pair of the speed table and its accumulated timings (s)."""

    model_name: str
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    wall: float = 0.0
    cpu: float = 0.0

    @property
    def optimizer_name(self) -> str:
        return type(self.optimizer).__name__ + (" fused" if self.optimizer.defaults.get("fused") else "")


def common_optimizer(model: torch.nn.Module, config) -> torch.optim.Optimizer:
    """The Adam RecBole's ``Trainer`` builds for ``learner: adam`` (torch's default kernel)."""
    return torch.optim.Adam(model.parameters(), lr=config["learning_rate"], weight_decay=config["weight_decay"])


def own_optimizer(model_name: str, model: torch.nn.Module, config) -> torch.optim.Optimizer:
    """The optimizer of the trainer ``run_recbole`` would pick for ``model_name``.

    The floor gets SessionTrainer's, the bound for SRGNNFast's own-trainer row.
    """
    import recbole_ctx

    if model_name == FLOOR:
        return build_adam(model.parameters(), config["learning_rate"], config["weight_decay"])
    return recbole_ctx.get_trainer(config["MODEL_TYPE"], model_name)(config, model).optimizer


def _train_step(model: torch.nn.Module, optimizer: torch.optim.Optimizer, interaction) -> None:
    optimizer.zero_grad()
    model.calculate_loss(interaction).backward()
    optimizer.step()


def time_training_steps(runs: list[SpeedRun], batches: list, device: torch.device, rounds: int) -> None:
    """Add each run's wall and process-CPU seconds for the steps on ``batches[1:]``.

    ``batches[0]`` warms up allocators and kernels. The timed batches are split into
    ``rounds`` chunks and the runs take turns chunk by chunk, so that load from other
    processes on a shared machine falls on all runs alike. Every run sees the same batches.
    """
    for run in runs:
        run.model.train()
        _train_step(run.model, run.optimizer, batches[0])
    for chunk in np.array_split(np.arange(1, len(batches)), rounds):
        for run in tqdm(runs, desc=f"steps {chunk[0]}-{chunk[-1]}", leave=False):
            _synchronize(device)
            wall, cpu = time.perf_counter(), time.process_time()
            for i in chunk:
                _train_step(run.model, run.optimizer, batches[i])
            _synchronize(device)
            run.wall += time.perf_counter() - wall
            run.cpu += time.process_time() - cpu


def _prefetch(train_data, count: int, device: torch.device) -> list:
    """The first ``count`` training batches (cycling through the loader), on ``device``."""
    if len(train_data) == 0:
        raise ValueError("the training data holds no batch")
    batches = []
    while len(batches) < count:
        for interaction in train_data:
            batches.append(interaction.to(device))
            if len(batches) == count:
                break
    return batches


def _speed_runs(seed: int, configs: dict, dataset, settings: tuple[str, ...] = (OWN, COMMON)
                ) -> dict[str, dict[str, SpeedRun]]:
    """Per optimizer setting, per model (and the floor), its run; one run serves both
    settings when a model's own optimizer is the common one."""
    import recbole_ctx

    runs: dict[str, dict[str, SpeedRun]] = {setting: {} for setting in settings}
    for model_name, config in configs.items():
        make = ScoringFloor if model_name == FLOOR else recbole_ctx.get_model(model_name)
        built = {}
        for setting in settings:
            torch.manual_seed(seed)  # both settings start from the same weights
            model = make(config, dataset).to(config["device"])
            optimizer = own_optimizer(model_name, model, config) if setting == OWN else common_optimizer(model, config)
            built[setting] = SpeedRun(model_name, model, optimizer)
        if OWN in built and COMMON in built:
            own, common = built[OWN].optimizer, built[COMMON].optimizer
            if type(own) is type(common) and own.defaults == common.defaults:
                built[COMMON] = built[OWN]
        for setting, run in built.items():
            runs[setting][model_name] = run
    return runs


def _speed_table(runs: dict[str, SpeedRun], steps: int, batches_per_epoch: int) -> pd.DataFrame:
    """Seconds per 1,000 steps (wall and process CPU), extrapolated epoch, ratio to the baseline."""
    table = pd.DataFrame([{
        "model": name, "optimizer": run.optimizer_name,
        "s/1000 steps": 1000 * run.wall / steps, "cpu s/1000 steps": 1000 * run.cpu / steps,
        "s/epoch (extrapolated)": run.wall / steps * batches_per_epoch,
    } for name, run in runs.items()]).set_index("model")
    if BASELINE in table.index:
        table[f"speed-up vs {BASELINE}"] = table.loc[BASELINE, "s/1000 steps"] / table["s/1000 steps"]
    return table


def measure_speed(configs: dict, train_data, test_data, device: torch.device, steps: int, rounds: int,
                  seed: int, settings: tuple[str, ...] = (OWN, COMMON), evaluate: bool = False
                  ) -> dict[str, pd.DataFrame]:
    """Per optimizer setting, the speed table of ``configs``' models (name -> RecBole config).

    Every model trains the same ``steps`` prefetched batches of ``train_data`` (after one
    warm-up batch), the models taking turns in ``rounds`` chunks; with ``evaluate``, the
    own-optimizer table gains test HR@20 / MRR@20 (fractions) of the models after those steps.
    """
    from recbole.trainer import Trainer

    runs = _speed_runs(seed, configs, train_data.dataset, settings)
    distinct = list({id(run): run for by_model in runs.values() for run in by_model.values()}.values())
    time_training_steps(distinct, _prefetch(train_data, steps + 1, device), device, rounds)
    tables = {setting: _speed_table(by_model, steps, len(train_data)) for setting, by_model in runs.items()}
    if evaluate and OWN in runs:
        for model_name, run in runs[OWN].items():
            if model_name != FLOOR:
                result = Trainer(configs[model_name], run.model).evaluate(test_data, load_best_model=False)
                tables[OWN].loc[model_name, ["test hr@20", "test mrr@20"]] = [result["hit@20"], result["mrr@20"]]
    return tables
