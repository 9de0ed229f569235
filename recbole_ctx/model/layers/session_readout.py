"""Session embeddings of SR-GNN (paper eq. 6-8) and the readout variants of its ablation."""
from __future__ import annotations

from typing import Literal

import torch
from torch import nn

Readout = Literal["hybrid", "local", "avg", "att"]
READOUTS: tuple[str, ...] = ("hybrid", "local", "avg", "att")


class SessionReadout(nn.Module):
    """Turn per-position node states into one session vector.

    ``hybrid`` (SR-GNN): ``W3 [s_l; s_g]`` with ``s_l`` the last click and ``s_g`` the
    soft-attention sum ``sum_i alpha_i v_i``, ``alpha_i = q^T sigmoid(W1 v_n + W2 v_i + c)``;
    ``local`` (SR-GNN-L): ``s_l``; ``att`` (SR-GNN-ATT): ``s_g``; ``avg`` (SR-GNN-AVG): the
    mean of the session's position states. Sums run over positions, so a repeated item
    counts once per click, as in the reference code.

    Layer names follow the reference code (``linear_one`` = W1, ``linear_two`` = W2 with
    the bias ``c``, ``linear_three`` = q, ``linear_transform`` = W3); only the layers a
    readout uses are created. ``linear_transform`` takes ``[s_l; s_g]`` in the paper's
    order (the reference code concatenates ``[s_g; s_l]``).
    """

    def __init__(self, hidden_size: int, readout: Readout = "hybrid"):
        super().__init__()
        if readout not in READOUTS:
            raise ValueError(f"readout must be one of {READOUTS}, got {readout!r}")
        self.readout = readout
        if readout in ("hybrid", "att"):
            self.linear_one = nn.Linear(hidden_size, hidden_size, bias=True)
            self.linear_two = nn.Linear(hidden_size, hidden_size, bias=True)
            self.linear_three = nn.Linear(hidden_size, 1, bias=False)
        if readout == "hybrid":
            self.linear_transform = nn.Linear(2 * hidden_size, hidden_size, bias=True)

    def forward(
        self, seq_hidden: torch.Tensor, mask: torch.Tensor, item_seq_len: torch.Tensor
    ) -> torch.Tensor:
        """Session vectors.

        Args:
            seq_hidden: float ``[B, L, d]`` node state at each sequence position.
            mask: bool ``[B, L]``, True inside the session.
            item_seq_len: int64 ``[B]`` session lengths (>= 1).

        Returns:
            float ``[B, d]``.
        """
        rows = torch.arange(seq_hidden.size(0), device=seq_hidden.device)
        last = seq_hidden[rows, item_seq_len - 1]
        if self.readout == "local":
            return last
        weights = mask.unsqueeze(2).to(seq_hidden.dtype)
        if self.readout == "avg":
            return (seq_hidden * weights).sum(1) / item_seq_len.unsqueeze(1).to(seq_hidden.dtype)
        alpha = self.linear_three(
            torch.sigmoid(self.linear_one(last).unsqueeze(1) + self.linear_two(seq_hidden))
        )
        global_ = (alpha * seq_hidden * weights).sum(1)
        if self.readout == "att":
            return global_
        return self.linear_transform(torch.cat([last, global_], dim=1))
