"""SRGNNFast: SR-GNN (Wu et al., AAAI 2019) exact to the paper, with batched session graphs.

Registered as ``SRGNNFast`` so that RecBole's own implementation stays reachable as
``SRGNN``. Differences from RecBole's ``SRGNN`` (all on the side of the paper):

- graphs are built for the whole batch with tensor ops on the model's device
  (:mod:`recbole_ctx.model.layers.session_graph`) instead of a numpy loop per session,
  holding only real nodes and transitions (RecBole propagates over ``L`` node slots per
  session, mostly padding); propagation and readout are segment sums;
- edge weights are occurrence count / degree (paper); RecBole and the reference code
  count a repeated transition once (``edge_weight: binary`` reproduces that);
- the softmax runs over real items only (the reference scores ``embedding[1:]``);
  RecBole's ``SRGNN`` also puts the padding item 0 into the cross-entropy;
- the padding item is not a graph node (in RecBole/reference it is an isolated node
  that no output reads, so this changes nothing but work); the padding column is
  excluded from the softmax by a -inf bias;
- ``predict`` (sampled evaluation such as ``uni100``, where RecBole repeats each test
  row once per candidate) encodes every distinct session once and gathers.

Config keys (defaults in ``configs/model/SRGNNFast.yaml``): ``embedding_size`` (the
paper's d), ``step`` (propagation rounds), ``readout`` (``hybrid | local | avg | att``),
``edge_weight`` (``count | binary``), ``loss_type`` (``CE`` only: the paper's loss).
"""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F
from recbole.model.abstract_recommender import SequentialRecommender

from recbole_ctx.model.layers.inits import uniform_reset
from recbole_ctx.model.layers.session_gnn import SessionGatedGNN
from recbole_ctx.model.layers.session_graph import EDGE_WEIGHTS, build_session_graphs
from recbole_ctx.model.layers.session_readout import SessionReadout
from recbole_ctx.utils.paths import config_paths


def _required(config, key: str):
    """``config[key]``, or one clear error when the model's defaults were not loaded."""
    value = config[key]
    if value is None:
        raise ValueError(
            f"SRGNNFast: config field {key!r} is missing; load configs/model/SRGNNFast.yaml "
            f"(run_recbole does) or set it explicitly"
        )
    return value


def real_item_cross_entropy(session: torch.Tensor, item_weight: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean softmax cross-entropy of ``target`` over items ``1..n_items-1`` (item 0 is padding).

    Args:
        session: float ``[B, d]`` session vectors.
        item_weight: float ``[n_items, d]`` item embedding table, row 0 the padding item.
        target: int64 ``[B]`` target item ids in ``1..n_items-1``.

    Returns:
        float scalar.
    """
    # A -inf bias on the padding column gives the loss and gradients of scoring
    # item_weight[1:] (softmax puts exactly 0 there), but the backward of a slice would
    # allocate a dense gradient for the whole table and copy the sliced part into it.
    padding_bias = session.new_zeros(item_weight.size(0))
    padding_bias[0] = -math.inf
    return F.cross_entropy(F.linear(session, item_weight, padding_bias), target)


class SRGNNFast(SequentialRecommender):
    """SR-GNN session encoder scored by dot product against every item embedding."""

    config_files = config_paths("model/SRGNNFast.yaml")

    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        if config["loss_type"] != "CE":
            raise ValueError(
                f"SRGNNFast: config field loss_type must be 'CE' (the paper's softmax "
                f"cross-entropy), got {config['loss_type']!r}"
            )
        self.embedding_size = _required(config, "embedding_size")
        self.edge_weight = _required(config, "edge_weight")
        if self.edge_weight not in EDGE_WEIGHTS:
            raise ValueError(f"SRGNNFast: config field edge_weight must be one of {EDGE_WEIGHTS}, "
                             f"got {self.edge_weight!r}")
        self.item_embedding = nn.Embedding(self.n_items, self.embedding_size)
        self.gnn = SessionGatedGNN(self.embedding_size, _required(config, "step"))
        self.readout = SessionReadout(self.embedding_size, _required(config, "readout"))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Reference code: every parameter ~ U(-1/sqrt(d), 1/sqrt(d)), the item table's first
        and then the layers' (what ``gnn.reset_parameters()`` and ``readout.reset_parameters()``
        draw, in the same order)."""
        uniform_reset(self, self.embedding_size)

    def forward(self, item_seq: torch.Tensor, item_seq_len: torch.Tensor) -> torch.Tensor:
        """Session vectors ``s_h``.

        Args:
            item_seq: int64 ``[B, L]`` right-padded item ids.
            item_seq_len: int64 ``[B]`` session lengths (>= 1).

        Returns:
            float ``[B, d]``.
        """
        # Columns past the longest session in the batch are pure padding.
        item_seq = item_seq[:, : int(item_seq_len.max())]
        graph = build_session_graphs(item_seq, item_seq_len, self.edge_weight)
        return self.readout(self.gnn(self.item_embedding(graph.items), graph), graph)

    def _encode_distinct(self, item_seq: torch.Tensor, item_seq_len: torch.Tensor) -> torch.Tensor:
        """``forward`` computed once per distinct (sequence, length) row, gathered back.

        Args and result as :meth:`forward`. Correct for any row order: sampled evaluation
        in RecBole 1.2.1 stacks the candidates block-wise (all rows, then all rows again).
        """
        keys = torch.cat([item_seq, item_seq_len.unsqueeze(1)], dim=1)
        distinct, inverse = torch.unique(keys, dim=0, return_inverse=True)
        return self.forward(distinct[:, :-1], distinct[:, -1])[inverse]

    def calculate_loss(self, interaction) -> torch.Tensor:
        """Mean softmax cross-entropy of the target over items ``1..n_items-1``."""
        seq_output = self.forward(interaction[self.ITEM_SEQ], interaction[self.ITEM_SEQ_LEN])
        return real_item_cross_entropy(seq_output, self.item_embedding.weight, interaction[self.POS_ITEM_ID])

    def predict(self, interaction) -> torch.Tensor:
        """Score of ``interaction[ITEM_ID]`` for each row, float ``[B]``."""
        seq_output = self._encode_distinct(interaction[self.ITEM_SEQ], interaction[self.ITEM_SEQ_LEN])
        return (seq_output * self.item_embedding(interaction[self.ITEM_ID])).sum(dim=1)

    def full_sort_predict(self, interaction) -> torch.Tensor:
        """Scores of every item (column 0 is padding; RecBole's evaluator masks it), ``[B, n_items]``."""
        seq_output = self.forward(interaction[self.ITEM_SEQ], interaction[self.ITEM_SEQ_LEN])
        return seq_output @ self.item_embedding.weight.t()
