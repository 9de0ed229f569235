"""Gated graph propagation of SR-GNN (paper eq. 1-5) as segment sums over a batch's edges."""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from recbole_ctx.model.layers.inits import uniform_reset
from recbole_ctx.model.layers.session_graph import SessionGraphBatch


class SessionGatedGNN(nn.Module):
    """``step`` rounds of the SR-GNN gated update on all nodes of a batch at once.

    Parameter names and shapes follow the reference code's ``GNN`` (``linear_edge_in``,
    ``linear_edge_out``, ``b_iah``, ``b_oah``, ``w_ih``, ``w_hh``, ``b_ih``, ``b_hh``),
    so its weights load by name. The dense ``A_in @ H`` / ``A_out @ H`` products of the
    reference become one weighted ``index_add_`` over the batch's transitions each.

    The update is paper eq. 5, ``v = (1 - z) * v_prev + z * v_new``. The reference code
    (not RecBole) writes ``z * v_prev + (1 - z) * v_new``; the two are the same model
    up to the sign of the update-gate weights.
    """

    def __init__(self, hidden_size: int, step: int = 1):
        super().__init__()
        if step < 1:
            raise ValueError(f"step must be >= 1, got {step}")
        self.step = step
        self.hidden_size = hidden_size
        gate_size = 3 * hidden_size
        # Zeros, not random: the constructor draws only what the Linear layers draw, so the
        # owner's reset_parameters() (SRGNNFast's) gets the same random stream as before.
        self.w_ih = nn.Parameter(torch.zeros(gate_size, 2 * hidden_size))
        self.w_hh = nn.Parameter(torch.zeros(gate_size, hidden_size))
        self.b_ih = nn.Parameter(torch.zeros(gate_size))
        self.b_hh = nn.Parameter(torch.zeros(gate_size))
        self.b_iah = nn.Parameter(torch.zeros(hidden_size))
        self.b_oah = nn.Parameter(torch.zeros(hidden_size))
        self.linear_edge_in = nn.Linear(hidden_size, hidden_size, bias=True)
        self.linear_edge_out = nn.Linear(hidden_size, hidden_size, bias=True)

    def reset_parameters(self) -> None:
        """Every parameter ~ U(-1/sqrt(d), 1/sqrt(d)) (the SR-GNN reference code), in
        registration order."""
        uniform_reset(self, self.hidden_size)

    def _aggregate(self, hidden: torch.Tensor, graph: SessionGraphBatch) -> torch.Tensor:
        """Paper eq. 1: ``a = [A_in H_in v; A_out H_out v] + b`` for every node, ``[N, 2d]``."""
        # Weights are cast so index_add_ sees one dtype under autocast / double precision.
        weight_in = graph.weight_in.to(hidden.dtype).unsqueeze(1)
        weight_out = graph.weight_out.to(hidden.dtype).unsqueeze(1)
        msg_in = self.linear_edge_in(hidden)[graph.src] * weight_in
        msg_out = self.linear_edge_out(hidden)[graph.dst] * weight_out
        input_in = torch.zeros_like(hidden).index_add_(0, graph.dst, msg_in) + self.b_iah
        input_out = torch.zeros_like(hidden).index_add_(0, graph.src, msg_out) + self.b_oah
        return torch.cat([input_in, input_out], dim=1)

    def forward(self, hidden: torch.Tensor, graph: SessionGraphBatch) -> torch.Tensor:
        """Propagate node states.

        Args:
            hidden: float ``[N, d]`` initial node states (item embeddings of the nodes),
                ``N = graph.num_nodes``.
            graph: the batch's session graphs.

        Returns:
            float ``[N, d]`` node states after ``step`` rounds.
        """
        for _ in range(self.step):
            gi = F.linear(self._aggregate(hidden, graph), self.w_ih, self.b_ih)
            gh = F.linear(hidden, self.w_hh, self.b_hh)
            i_r, i_z, i_n = gi.chunk(3, dim=1)
            h_r, h_z, h_n = gh.chunk(3, dim=1)
            reset = torch.sigmoid(i_r + h_r)
            update = torch.sigmoid(i_z + h_z)
            candidate = torch.tanh(i_n + reset * h_n)
            hidden = (1 - update) * hidden + update * candidate
        return hidden
