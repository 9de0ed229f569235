"""Session graphs of SR-GNN (Wu et al., AAAI 2019) for a whole padded batch, in tensor ops.

RecBole's ``SRGNN`` (like the reference code) builds each session's graph in a Python
loop over the batch with numpy; here one batch is converted by sorts, cumulative sums
and scatters, so the same code runs on CPU and CUDA without leaving the device.

Layout: a batch of ``B`` sessions padded to ``L`` positions owns ``B * L`` node slots;
session ``b`` uses slots ``b * L + 0 .. b * L + n_b - 1`` for its ``n_b`` distinct items,
in ascending item-id order (the order of ``np.unique`` in the reference code). Unused
slots hold item 0 and have no edges, so they never influence a real node. Every pair of
consecutive positions is a candidate edge; padded transitions carry weight 0. All shapes
are therefore fixed by ``(B, L)``: nothing depends on the data, and no host sync is needed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

EdgeWeight = Literal["count", "binary"]
EDGE_WEIGHTS: tuple[str, ...] = ("count", "binary")


@dataclass(frozen=True)
class SessionGraphBatch:
    """Session graphs of ``B`` sessions padded to ``L`` positions.

    Attributes:
        items: int64 ``[B, L]``, item id held by each node slot (0 for unused slots).
        alias: int64 ``[B, L]``, node slot (0..L-1, within the session) of each sequence
            position; positions past the session length point at an unused slot.
        mask: bool ``[B, L]``, True at positions inside the session.
        src, dst: int64 ``[B * (L - 1)]``, flat node index (``b * L + slot``) of the
            start and end node of the transition at each position ``i -> i + 1``.
        weight_in: float ``[B * (L - 1)]``, weight of the transition in the incoming
            aggregation of ``dst`` (column-normalised adjacency ``A_in``); 0 for padding.
        weight_out: float ``[B * (L - 1)]``, weight of the transition in the outgoing
            aggregation of ``src`` (row-normalised adjacency ``A_out``); 0 for padding.
    """

    items: torch.Tensor
    alias: torch.Tensor
    mask: torch.Tensor
    src: torch.Tensor
    dst: torch.Tensor
    weight_in: torch.Tensor
    weight_out: torch.Tensor

    @property
    def num_nodes(self) -> int:
        """Number of node slots, ``B * L``."""
        return self.items.numel()


def _first_in_sorted_rows(keys: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Sort each row; mark the first element of every run of equal keys.

    Args:
        keys: int64 ``[B, L]``.

    Returns:
        ``(sorted_keys, order, first)``: the row-sorted keys ``[B, L]``, the permutation
        that sorts each row ``[B, L]`` and a bool ``[B, L]`` that is True where a sorted
        key differs from its left neighbour (always True in column 0).
    """
    sorted_keys, order = torch.sort(keys, dim=1, stable=True)
    first = torch.ones_like(sorted_keys, dtype=torch.bool)
    first[:, 1:] = sorted_keys[:, 1:] != sorted_keys[:, :-1]
    return sorted_keys, order, first


def build_session_graphs(
    item_seq: torch.Tensor, item_seq_len: torch.Tensor, edge_weight: EdgeWeight = "count"
) -> SessionGraphBatch:
    """Build the SR-GNN session graphs of a padded batch.

    Args:
        item_seq: int64 ``[B, L]``, item ids (>= 1) left-aligned, 0-padded on the right
            (RecBole's ``item_id_list``).
        item_seq_len: int64 ``[B]``, session lengths in ``1..L``.
        edge_weight: ``"count"`` (paper): an edge's weight is the number of times the
            transition occurs divided by the start node's out-degree counted with
            multiplicity (in-degree of the end node for ``A_in``); ``"binary"``
            (reference code and RecBole's ``SRGNN``): repeated transitions count once.

    Returns:
        The batch's :class:`SessionGraphBatch`, on ``item_seq``'s device.
    """
    if edge_weight not in EDGE_WEIGHTS:
        raise ValueError(f"edge_weight must be one of {EDGE_WEIGHTS}, got {edge_weight!r}")
    batch, length = item_seq.shape
    device = item_seq.device
    positions = torch.arange(length, device=device)
    mask = positions.unsqueeze(0) < item_seq_len.unsqueeze(1)

    # Padding sorts after every item id, so real items take slots 0..n_b-1 and all
    # padding positions share slot n_b (< L whenever padding exists).
    pad_key = torch.iinfo(torch.int64).max
    keys = torch.where(mask, item_seq.long(), torch.full_like(item_seq, pad_key, dtype=torch.long))
    sorted_keys, order, first = _first_in_sorted_rows(keys)
    slot_sorted = first.long().cumsum(1) - 1
    alias = torch.empty_like(slot_sorted).scatter_(1, order, slot_sorted)
    node_items = torch.where(sorted_keys == pad_key, torch.zeros_like(sorted_keys), sorted_keys)
    # Duplicate positions of one item write the same value into its slot.
    items = torch.zeros_like(node_items).scatter_(1, slot_sorted, node_items)

    offsets = (torch.arange(batch, device=device) * length).unsqueeze(1)
    src_slot, dst_slot = alias[:, :-1], alias[:, 1:]
    transition = mask[:, 1:]
    if edge_weight == "binary":
        # Keep only the first occurrence of each (src, dst) pair in the session.
        pair = torch.where(transition, src_slot * length + dst_slot, torch.full_like(src_slot, pad_key))
        _, pair_order, pair_first = _first_in_sorted_rows(pair)
        keep = torch.empty_like(pair_first).scatter_(1, pair_order, pair_first)
        transition = transition & keep
    weight = transition.to(torch.get_default_dtype()).reshape(-1)
    src = (src_slot + offsets).reshape(-1)
    dst = (dst_slot + offsets).reshape(-1)

    num_nodes = batch * length
    out_degree = torch.zeros(num_nodes, device=device, dtype=weight.dtype).index_add_(0, src, weight)
    in_degree = torch.zeros(num_nodes, device=device, dtype=weight.dtype).index_add_(0, dst, weight)
    # Padded transitions have weight 0; clamping only avoids 0/0 for them.
    weight_out = weight / out_degree[src].clamp(min=1.0)
    weight_in = weight / in_degree[dst].clamp(min=1.0)
    return SessionGraphBatch(items, alias, mask, src, dst, weight_in, weight_out)
