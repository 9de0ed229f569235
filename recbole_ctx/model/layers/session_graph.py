"""Session graphs of SR-GNN (Wu et al., AAAI 2019) for a whole padded batch, in tensor ops.

RecBole's ``SRGNN`` (like the reference code) builds each session's graph in a Python
loop over the batch with numpy and runs the GNN on ``L`` node slots per session, most of
them padding. Here one batch is converted by sorts, cumulative sums and boolean masks into
one compact graph holding only the real nodes and transitions, so the same code runs on
CPU and CUDA without leaving the device and no work is spent on padding.

Layout: session ``b`` with ``n_b`` distinct items owns the nodes
``offset_b .. offset_b + n_b - 1`` (``offset_b = n_0 + ... + n_{b-1}``), in ascending
item-id order (the order of ``np.unique`` in the reference code). Clicks (real sequence
positions) and transitions are listed session by session, in sequence order. Sizes
depend on the data: the three selections (nodes, transitions, clicks) each read a count
back to the host (on CUDA, a synchronisation each).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

EdgeWeight = Literal["count", "binary"]
EDGE_WEIGHTS: tuple[str, ...] = ("count", "binary")


@dataclass(frozen=True)
class SessionGraphBatch:
    """Session graphs of ``B`` sessions with ``N`` nodes, ``P`` clicks and ``E`` transitions in all.

    Attributes:
        items: int64 ``[N]``, item id of each node.
        src, dst: int64 ``[E]``, start and end node of each transition (one entry per
            occurrence; ``binary`` graphs keep the first occurrence only).
        weight_in: float ``[E]``, weight of the transition in the incoming aggregation
            of ``dst`` (column-normalised adjacency ``A_in``).
        weight_out: float ``[E]``, weight of the transition in the outgoing aggregation
            of ``src`` (row-normalised adjacency ``A_out``).
        click_node: int64 ``[P]``, node of each click.
        click_session: int64 ``[P]``, session (0..B-1) of each click.
        last_node: int64 ``[B]``, node of each session's last click.
        lengths: int64 ``[B]``, clicks per session.
    """

    items: torch.Tensor
    src: torch.Tensor
    dst: torch.Tensor
    weight_in: torch.Tensor
    weight_out: torch.Tensor
    click_node: torch.Tensor
    click_session: torch.Tensor
    last_node: torch.Tensor
    lengths: torch.Tensor

    @property
    def num_nodes(self) -> int:
        """Number of nodes ``N`` over all sessions."""
        return self.items.numel()

    @property
    def num_sessions(self) -> int:
        """Number of sessions ``B``."""
        return self.lengths.numel()


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


def _inverse_degree(index: torch.Tensor, num_nodes: int, dtype: torch.dtype) -> torch.Tensor:
    """``1 / degree[index]`` where ``degree`` counts the entries of ``index`` per node, ``[E]``."""
    degree = torch.bincount(index, minlength=num_nodes).to(dtype)
    return degree[index].reciprocal()


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
    mask = torch.arange(length, device=device).unsqueeze(0) < item_seq_len.unsqueeze(1)

    # Padding sorts after every item id, so a session's distinct items come first.
    pad_key = torch.iinfo(torch.int64).max
    keys = torch.where(mask, item_seq.long(), torch.full_like(item_seq, pad_key, dtype=torch.long))
    sorted_keys, order, first = _first_in_sorted_rows(keys)
    new_node = first & (sorted_keys != pad_key)
    nodes_per_session = new_node.sum(1)
    node_offset = nodes_per_session.cumsum(0) - nodes_per_session
    # Sorted padding positions get the session's highest node index: valid, and read
    # by no click or transition.
    node_sorted = new_node.cumsum(1) - 1 + node_offset.unsqueeze(1)
    position_node = torch.empty_like(node_sorted).scatter_(1, order, node_sorted)
    items = sorted_keys[new_node]  # row-major order is node order

    transition = mask[:, 1:]
    src, dst = position_node[:, :-1], position_node[:, 1:]
    if edge_weight == "binary":
        # Keep only the first occurrence of each (src, dst) pair in the session.
        pair = torch.where(transition, src * items.numel() + dst, torch.full_like(src, pad_key))
        _, pair_order, pair_first = _first_in_sorted_rows(pair)
        transition = transition & torch.empty_like(pair_first).scatter_(1, pair_order, pair_first)
    src, dst = src[transition], dst[transition]

    # Each listed occurrence carries 1 / degree, so repeated transitions sum to count / degree.
    dtype = torch.get_default_dtype()
    click_session, click_position = mask.nonzero(as_tuple=True)
    return SessionGraphBatch(
        items=items,
        src=src,
        dst=dst,
        weight_in=_inverse_degree(dst, items.numel(), dtype),
        weight_out=_inverse_degree(src, items.numel(), dtype),
        click_node=position_node[click_session, click_position],
        click_session=click_session,
        last_node=position_node[torch.arange(batch, device=device), item_seq_len - 1],
        lengths=item_seq_len,
    )
