"""Session embeddings of SR-GNN (paper eq. 6-8) and the readout variants of its ablation."""
from __future__ import annotations

from typing import Literal

import torch
from torch import nn

from recbole_ctx.model.layers.inits import uniform_reset
from recbole_ctx.model.layers.session_graph import SessionGraphBatch

Readout = Literal["hybrid", "local", "avg", "att"]
READOUTS: tuple[str, ...] = ("hybrid", "local", "avg", "att")


class SessionReadout(nn.Module):
    """Turn the node states of each session's clicks into one session vector.

    ``hybrid`` (SR-GNN): ``W3 [s_l; s_g]`` with ``s_l`` the last click and ``s_g`` the
    soft-attention sum ``sum_i alpha_i v_i``, ``alpha_i = q^T sigmoid(W1 v_n + W2 v_i + c)``;
    ``local`` (SR-GNN-L): ``s_l``; ``att`` (SR-GNN-ATT): ``s_g``; ``avg`` (SR-GNN-AVG): the
    mean of the session's click states. Sums run over clicks, so a repeated item counts
    once per click, as in the reference code.

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
        self.hidden_size = hidden_size
        if readout in ("hybrid", "att"):
            self.linear_one = nn.Linear(hidden_size, hidden_size, bias=True)
            self.linear_two = nn.Linear(hidden_size, hidden_size, bias=True)
            self.linear_three = nn.Linear(hidden_size, 1, bias=False)
        if readout == "hybrid":
            self.linear_transform = nn.Linear(2 * hidden_size, hidden_size, bias=True)

    def reset_parameters(self) -> None:
        """Every parameter ~ U(-1/sqrt(d), 1/sqrt(d)) (the SR-GNN reference code)."""
        uniform_reset(self, self.hidden_size)

    def forward(self, node_hidden: torch.Tensor, graph: SessionGraphBatch) -> torch.Tensor:
        """Session vectors.

        Args:
            node_hidden: float ``[N, d]`` node states after propagation.
            graph: the batch's session graphs (clicks, last clicks, lengths).

        Returns:
            float ``[B, d]``.
        """
        last = node_hidden[graph.last_node]
        if self.readout == "local":
            return last
        clicks = node_hidden[graph.click_node]
        if self.readout == "avg":
            return self._session_sum(clicks, graph) / graph.lengths.unsqueeze(1).to(clicks.dtype)
        alpha = self.linear_three(
            torch.sigmoid(self.linear_one(last)[graph.click_session] + self.linear_two(clicks))
        )
        global_ = self._session_sum(alpha * clicks, graph)
        if self.readout == "att":
            return global_
        return self.linear_transform(torch.cat([last, global_], dim=1))

    @staticmethod
    def _session_sum(values: torch.Tensor, graph: SessionGraphBatch) -> torch.Tensor:
        """Sum of per-click rows ``[P, d]`` within each session, ``[B, d]``."""
        out = values.new_zeros(graph.num_sessions, values.size(1))
        return out.index_add_(0, graph.click_session, values)
