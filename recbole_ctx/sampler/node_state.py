"""The sampler's bookkeeping of the nodes reached so far, per node type and seed."""
from __future__ import annotations

import torch
from torch import Tensor

from recbole_ctx.sampler.tensor_ops import radix_padded, take


class NodeState:
    """Per node type: the (seed, global id) pairs reached so far, in local-id order.

    A pair is stored as the key ``seed * N_t + gid``: int32 when the key space fits
    (sorting int32 is about twice as fast as int64 on CPU), else int64.
    """

    def __init__(self, num_nodes: dict[str, int], seed_type: str, seed_nodes: Tensor,
                 device: torch.device):
        self.num_nodes = num_nodes
        self.device = device
        batch = max(seed_nodes.numel(), 1)
        self.key_dtype = {t: torch.int32 if batch * n < 2**31 else torch.int64 for t, n in num_nodes.items()}
        self.keys = {t: torch.empty(0, dtype=self.key_dtype[t], device=device) for t in num_nodes}
        # per node type: (gid, seed) of each batch of new nodes, and the hop of each batch
        self.chunks: dict[str, list[tuple[Tensor, Tensor]]] = {t: [] for t in num_nodes}
        self.chunk_hops: dict[str, list[int]] = {t: [] for t in num_nodes}
        seed = torch.arange(seed_nodes.numel(), device=device)
        seed_keys = (seed * num_nodes[seed_type] + seed_nodes).to(self.key_dtype[seed_type])
        self.frontier = {seed_type: self._append(seed_type, seed_keys, hop=0)}

    def _append(self, node_type: str, new_keys: Tensor, hop: int, last_hop: bool = False
                ) -> tuple[Tensor, Tensor, Tensor]:
        """Register new (unique, unseen) keys; returns their (gid, seed, local id).

        After the last hop no key is looked up again, so the key list is not extended.
        """
        n = self.num_nodes[node_type]
        first = self.keys[node_type].numel()
        local = torch.arange(first, first + new_keys.numel(), device=self.device)
        seed = torch.div(new_keys, n, rounding_mode="floor")
        gid = (new_keys - seed * n).long()
        seed = seed.long()
        self.chunks[node_type].append((gid, seed))
        self.chunk_hops[node_type].append(hop)
        if not last_hop:
            self.keys[node_type] = torch.cat([self.keys[node_type], new_keys])
        return gid, seed, local

    def candidate_keys(self, node_type: str, seed: Tensor, row: Tensor, gid: Tensor) -> Tensor:
        """Keys ``seed[row] * N_t + gid`` of candidate nodes of ``node_type``, in its key dtype.

        Args:
            seed: int64 [R] seed index of each frontier row.
            row: int64 [M] frontier row of each candidate.
            gid: int64 [M] global id of each candidate.
        """
        keys = torch.empty(gid.shape, dtype=self.key_dtype[node_type], device=self.device)
        return torch.add(take(seed * self.num_nodes[node_type], row), gid, out=keys)

    def add(self, hop: int, candidates: list[tuple[str, Tensor]], last_hop: bool = False) -> list[Tensor]:
        """Map candidate keys (from :meth:`candidate_keys`, per edge type) to local ids.

        Keys not seen before become nodes of this ``hop`` and the next frontier.  One
        ``unique`` over known and candidate keys both deduplicates the candidates and
        finds the known ones.
        """
        self.frontier = {}
        out: list[Tensor | None] = [None] * len(candidates)
        for node_type in dict.fromkeys(t for t, _ in candidates):
            idx = [i for i, (t, _) in enumerate(candidates) if t == node_type]
            known = self.keys[node_type]
            keys = torch.cat([known] + [candidates[i][1] for i in idx])
            padded = radix_padded(keys)
            uniq, inverse = torch.unique(padded, return_inverse=True)
            if padded is not keys:  # the padding is the largest key: drop its slot
                uniq, inverse = uniq[:-1], inverse[: keys.numel()]
            local_of = torch.full((uniq.numel(),), -1, dtype=torch.long, device=self.device)
            local_of.index_copy_(0, inverse[: known.numel()], torch.arange(known.numel(), device=self.device))
            new_slot = (local_of < 0).nonzero().squeeze(1)
            front = self._append(node_type, take(uniq, new_slot), hop, last_hop)
            self.frontier[node_type] = front
            local_of.index_copy_(0, new_slot, front[2])
            local = take(local_of, inverse[known.numel():])
            sizes = [candidates[i][1].numel() for i in idx]
            for i, part in zip(idx, torch.split(local, sizes)):
                out[i] = part
        return out

    def result(self, node_type: str) -> tuple[Tensor, Tensor, Tensor]:
        """int64 [N_t] global id, seed index and hop of every node, in local-id order."""
        chunks = self.chunks[node_type]
        if not chunks:
            empty = torch.empty(0, dtype=torch.long, device=self.device)
            return empty, empty.clone(), empty.clone()
        sizes = torch.tensor([c[0].numel() for c in chunks], device=self.device)
        hop = torch.repeat_interleave(torch.tensor(self.chunk_hops[node_type], device=self.device), sizes)
        if len(chunks) == 1:
            return chunks[0][0], chunks[0][1], hop
        return torch.cat([c[0] for c in chunks]), torch.cat([c[1] for c in chunks]), hop
