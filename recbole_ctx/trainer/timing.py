"""Training-time bookkeeping for any RecBole trainer (benchmarks report it)."""
from __future__ import annotations

from typing import Any


def with_epoch_timer(trainer_cls: type) -> type:
    """Subclass of ``trainer_cls`` recording the wall time of each training epoch.

    ``train_epoch_seconds`` (list of float, seconds) excludes validation, so
    benchmarks compare training cost alone.  ``valid_history`` holds one dict per
    validation pass: ``epoch`` (epochs trained so far), ``train_s`` (cumulative
    training seconds, validation excluded) and the pass's metrics — a learning curve
    against training wall-clock.
    """

    class TimedTrainer(trainer_cls):
        def __init__(self, config: Any, model: Any):
            super().__init__(config, model)
            self.train_epoch_seconds: list[float] = []
            self.valid_history: list[dict[str, float]] = []

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
