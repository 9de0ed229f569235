"""Training-time bookkeeping for any RecBole trainer (benchmarks report it)."""
from __future__ import annotations

from typing import Any

import torch
import torch.distributed as dist


class _TrainBudgetSpent(Exception):
    """Raised at an epoch boundary once ``train_budget_s`` training seconds are spent."""


def with_epoch_timer(trainer_cls: type) -> type:
    """Subclass of ``trainer_cls`` recording the wall time of each training epoch.

    ``train_epoch_seconds`` (list of float, seconds) excludes validation, so
    benchmarks compare training cost alone.  ``valid_history`` holds one dict per
    validation pass: ``epoch`` (epochs trained so far), ``train_s`` (cumulative
    training seconds, validation excluded) and the pass's metrics — a learning curve
    against training wall-clock.

    Config key ``train_budget_s`` (float seconds, default None: no budget): after the
    first epoch, no epoch of ``fit`` starts once the cumulative training seconds have
    reached it, so the last epoch
    that does run ends past it and is validated as usual; ``fit`` then returns the
    best validation so far and the test runs at that epoch's checkpoint, exactly as
    after early stopping.  Under DDP the ranks stop together (rank 0's clock).
    """

    class TimedTrainer(trainer_cls):
        def __init__(self, config: Any, model: Any):
            super().__init__(config, model)
            self.train_epoch_seconds: list[float] = []
            self.valid_history: list[dict[str, float]] = []
            self.train_budget_s: float | None = config["train_budget_s"]
            self._budget_applies = False

        def fit(self, *args: Any, **kwargs: Any) -> tuple[float, Any]:
            # Only fit's epochs stop on the budget: other loops over _train_epoch
            # (PretrainTrainer.pretrain) have no handler for the stop.
            self._budget_applies = True
            try:
                return super().fit(*args, **kwargs)
            except _TrainBudgetSpent:
                self.logger.info(f"training budget of {self.train_budget_s:g} s spent after "
                                 f"{len(self.train_epoch_seconds)} epochs ({sum(self.train_epoch_seconds):.1f} s)")
                return self.best_valid_score, self.best_valid_result
            finally:
                self._budget_applies = False

        def _budget_spent(self) -> bool:
            # At least one epoch runs, so there is always a checkpoint to test.
            spent = (self._budget_applies and self.train_budget_s is not None and bool(self.train_epoch_seconds)
                     and sum(self.train_epoch_seconds) >= self.train_budget_s)
            if dist.is_available() and dist.is_initialized():
                flag = torch.tensor([float(spent)], device=self.device)
                dist.broadcast(flag, src=0)
                spent = bool(flag.item())
            return spent

        def _train_epoch(self, train_data: Any, epoch_idx: int, *args: Any, **kwargs: Any) -> Any:
            if self._budget_spent():
                raise _TrainBudgetSpent
            return super()._train_epoch(train_data, epoch_idx, *args, **kwargs)

        def _generate_train_loss_output(self, epoch_idx: int, s_time: float, e_time: float, losses: Any) -> str:
            # RecBole's fit calls this once per epoch with the training epoch's start and end.
            self.train_epoch_seconds.append(e_time - s_time)
            return super()._generate_train_loss_output(epoch_idx, s_time, e_time, losses)

        def _valid_epoch(self, valid_data: Any, show_progress: bool = False) -> tuple[float, dict]:
            valid_score, valid_result = super()._valid_epoch(valid_data, show_progress=show_progress)
            self.valid_history.append({"epoch": len(self.train_epoch_seconds),
                                       "train_s": sum(self.train_epoch_seconds),
                                       **{k: float(v) for k, v in valid_result.items()}})
            return valid_score, valid_result

    TimedTrainer.__name__ = TimedTrainer.__qualname__ = f"Timed{trainer_cls.__name__}"
    return TimedTrainer
