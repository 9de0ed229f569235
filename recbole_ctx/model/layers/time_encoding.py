"""Relative-time encoding of subgraph nodes with respect to their seed's time."""
from __future__ import annotations

import math

import torch
from torch import Tensor, nn

_SECONDS_PER_DAY = 86_400.0


class RelativeTimeEncoder(nn.Module):
    """Sinusoidal encoding of ``seed_time - node_time`` (in days) followed by a linear map.

    Non-finite differences (static protocol: seed time +inf, or nodes without any
    timestamped edge) encode to the zero vector before the linear layer, so such
    nodes receive only the layer's bias: time then carries no signal, as intended.
    """

    def __init__(self, channels: int, num_frequencies: int = 8, max_period_days: float = 3650.0):
        super().__init__()
        # Geometric periods from 1 day to ``max_period_days`` cover both recency and seasonality.
        periods = torch.logspace(0.0, math.log10(max_period_days), num_frequencies)
        self.register_buffer("angular", 2.0 * math.pi / periods, persistent=False)
        self.lin = nn.Linear(2 * num_frequencies + 1, channels)

    def reset_parameters(self) -> None:
        """Re-draw the linear map (torch's default initialisation, as constructed)."""
        self.lin.reset_parameters()

    def forward(self, delta_seconds: Tensor) -> Tensor:
        """Encode time differences.

        Args:
            delta_seconds: float [N], seed time minus node time in seconds (>= 0, may be inf).

        Returns:
            float32 [N, channels].
        """
        finite = torch.isfinite(delta_seconds)
        days = torch.where(finite, delta_seconds, torch.zeros_like(delta_seconds)) / _SECONDS_PER_DAY
        days = days.to(self.lin.weight.dtype).unsqueeze(-1)
        phase = days * self.angular
        feats = torch.cat([phase.sin(), phase.cos(), torch.log1p(days.clamp(min=0.0))], dim=-1)
        feats = feats * finite.unsqueeze(-1).to(feats.dtype)
        return self.lin(feats)
