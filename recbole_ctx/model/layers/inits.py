"""Parameter initialisers shared by the layers (in the manner of ``torch_geometric.nn.inits``)."""
from __future__ import annotations

import math

import torch
from torch import Tensor, nn


def scaled_normal_(weight: Tensor, std: float) -> Tensor:
    """Fill ``weight`` in place with ``N(0, std^2)`` values, drawn as a standard normal then
    scaled.  ``nn.init.normal_(weight, std=std)`` has the same distribution but, below 16
    values, draws other numbers from the same seed; this keeps every fixed-seed result and
    test reference that started from ``torch.randn(d) * std``."""
    nn.init.normal_(weight)
    with torch.no_grad():
        return weight.mul_(std)


def uniform_reset(module: nn.Module, channels: int) -> None:
    """Every parameter of ``module`` ~ U(-1/sqrt(channels), 1/sqrt(channels)), in
    ``module.parameters()`` order (the SR-GNN reference code's initialisation)."""
    bound = 1.0 / math.sqrt(channels)
    for weight in module.parameters():
        nn.init.uniform_(weight, -bound, bound)
