"""Training-time bookkeeping for any RecBole trainer (benchmarks report it)."""
from __future__ import annotations

import time
from typing import Any


def with_epoch_timer(trainer_cls: type) -> type:
    """Subclass of ``trainer_cls`` recording the wall time of each training epoch.

    ``train_epoch_seconds`` (list of float, seconds) excludes validation, so
    benchmarks compare training cost alone.
    """

    class TimedTrainer(trainer_cls):
        def __init__(self, config: Any, model: Any):
            super().__init__(config, model)
            self.train_epoch_seconds: list[float] = []

        def _train_epoch(self, train_data: Any, epoch_idx: int, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            loss = super()._train_epoch(train_data, epoch_idx, *args, **kwargs)
            self.train_epoch_seconds.append(time.perf_counter() - start)
            return loss

    TimedTrainer.__name__ = TimedTrainer.__qualname__ = f"Timed{trainer_cls.__name__}"
    return TimedTrainer
