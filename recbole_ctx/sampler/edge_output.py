"""The sampler's edge output: concatenating per-hop edges, and the reversed edges of
bidirectional output, each event kept once per edge type."""
from __future__ import annotations

import torch
from torch import Tensor

from recbole_ctx.sampler.tensor_ops import stable_argsort, take


def cat_edges(parts: list[tuple[Tensor, Tensor, Tensor]], device: torch.device) -> tuple[Tensor, Tensor, Tensor]:
    """(src, dst, time) of all parts; a single part is returned as is (no copy)."""
    if not parts:
        empty = torch.empty(0, dtype=torch.long, device=device)
        return empty, empty, torch.empty(0, dtype=torch.float64, device=device)
    if len(parts) == 1:
        return parts[0]
    return tuple(torch.cat([p[i] for p in parts]) for i in range(3))


def stack_edges(parts: list[tuple[Tensor, Tensor, Tensor]], device: torch.device) -> tuple[Tensor, Tensor]:
    """int64 [2, E] edge index and float64 [E] times of all (src, dst, time) parts.

    Sources and destinations are concatenated straight into the rows of the output:
    on large batches every extra copy of these arrays costs as much as a sampling step.
    """
    edge_index = torch.empty(2, sum(p[0].numel() for p in parts), dtype=torch.long, device=device)
    torch.cat([p[0] for p in parts], out=edge_index[0])
    torch.cat([p[1] for p in parts], out=edge_index[1])
    time = parts[0][2] if len(parts) == 1 else torch.cat([p[2] for p in parts])
    return edge_index, time


def reverse_parts(src: Tensor, dst: Tensor, time: Tensor, r_src: Tensor, r_dst: Tensor, r_time: Tensor,
                   hop_src: Tensor, hop_dst: Tensor, last_hop: int) -> list[tuple[Tensor, Tensor, Tensor]]:
    """The reversed edges of the reverse type to add to one type's sampled edges, each event once.

    An event is drawn from both of its ends only if both ends were expanded, i.e.
    reached before the last hop; only those edges are matched (a sort on (src, dst,
    time)), the rest pass through.  A reversed edge equal in (src, dst, time) to a
    drawn one is dropped.  Returns two (src, dst, time) parts: reversed edges that
    cannot repeat a drawn one, and the matched ones kept.
    """
    f_join = (take(hop_dst, dst) < last_hop).nonzero().squeeze(1)
    r_both = take(hop_src, r_src) < last_hop
    r_free, r_join = (~r_both).nonzero().squeeze(1), r_both.nonzero().squeeze(1)
    j_src = torch.cat([take(src, f_join), take(r_src, r_join)])
    j_dst = torch.cat([take(dst, f_join), take(r_dst, r_join)])
    j_time = torch.cat([take(time, f_join), take(r_time, r_join)])
    # Two stable sorts put equal (src, dst, time) next to each other, drawn edges first.
    # Times only need to meet their equals, not to be ordered: their bit patterns (+0.0
    # folds -0.0 into 0.0) sort as integers, which torch radix-sorts on CPU.
    order = stable_argsort((j_time + 0.0).view(torch.int64))
    num_keys = (int(hop_src.numel()) + 1) * (int(hop_dst.numel()) + 1)
    key = torch.empty(order.shape, dtype=torch.int32 if num_keys < 2**31 else torch.long, device=order.device)
    torch.add(take(j_src, order) * (int(hop_dst.numel()) + 1), take(j_dst, order), out=key)
    by_key = stable_argsort(key)
    order, key = take(order, by_key), take(key, by_key)
    t = take(j_time, order)
    repeat = torch.zeros_like(order, dtype=torch.bool)
    repeat[1:] = (key[1:] == key[:-1]) & (t[1:] == t[:-1])
    keep_rev = take(order, ((order >= f_join.numel()) & ~repeat).nonzero().squeeze(1)) - f_join.numel()
    keep_rev = take(r_join, keep_rev)
    return [(take(r_src, idx), take(r_dst, idx), take(r_time, idx)) for idx in (r_free, keep_rev)]
