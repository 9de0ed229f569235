"""Notices RecBole 1.2.1 triggers that say nothing about the user's run."""
from __future__ import annotations

import warnings

# trainer.py:235 builds torch.cuda.amp.GradScaler, deprecated since torch 2.4 but
# equivalent; one warning per epoch is noise, not news.  (pytest resets filters per
# test: pyproject.toml's filterwarnings repeats these for the test runs.)
GRADSCALER_MESSAGE = r"`torch.cuda.amp.GradScaler"
# dataset.py:2202 (_dataframe_to_interaction) builds torch.LongTensor(frame[k].values),
# which shares the array; pandas' copy-on-write marks it read-only, so torch warns that
# writing through the tensor is undefined.  dataset.py:1224 drops the frame right after,
# replacing it with the Interaction: the tensor is the buffer's only user, and the
# warning (on every run) is about nothing.  Scoped to that module.
READ_ONLY_ARRAY_MESSAGE = r"The given NumPy array is not writable"
READ_ONLY_ARRAY_MODULE = r"recbole\.data\.dataset\.dataset"


def apply() -> None:
    warnings.filterwarnings("ignore", message=GRADSCALER_MESSAGE, category=FutureWarning)
    warnings.filterwarnings("ignore", message=READ_ONLY_ARRAY_MESSAGE, category=UserWarning,
                            module=READ_ONLY_ARRAY_MODULE)
