"""Which events each frontier row draws: CSR positions, visible-window bisection, and
uniform k-subsets without replacement (Floyd), vectorised over rows."""
from __future__ import annotations

import torch
from torch import Tensor

from recbole_ctx.utils.ranges import concat_ranges


def bisect(time: Tensor, base: Tensor, n: Tensor, limit: Tensor, steps: int) -> None:
    """``steps`` halvings of the windows ``[base, base + n]`` towards the last event
    with ``time <= limit``, in place on ``base`` and ``n`` (int64 [R]).

    Writes into buffers allocated once: on large frontiers fresh temporaries per step
    cost more in page faults than the arithmetic.
    """
    last = time.numel() - 1
    half, probe = torch.empty_like(n), torch.empty_like(n)
    probed = torch.empty(n.shape, dtype=time.dtype, device=n.device)
    visible = torch.empty(n.shape, dtype=torch.bool, device=n.device)
    for _ in range(steps):
        torch.bitwise_right_shift(n, 1, out=half)
        n.sub_(half)
        torch.add(base, half, out=probe).clamp_(max=last)
        torch.index_select(time, 0, probe, out=probed)
        torch.le(probed, limit, out=visible)
        base.add_(half.mul_(visible))


def positions(start: Tensor, take: Tensor) -> tuple[Tensor, Tensor]:
    """CSR positions ``[start_r, start_r + take_r)`` of every row, as ``TemporalNeighborSampler._draw`` returns them:
    (position int64 [M], row int64 [M])."""
    row, pos = concat_ranges(start, take)
    return pos, row


def floyd_sample(count: Tensor, k: int, generator: torch.Generator | None) -> Tensor:
    """``k`` distinct offsets in ``[0, count_r)`` per row, uniform over k-subsets (Floyd).

    Step ``i`` draws from ``[0, count - k + i]`` and takes ``count - k + i`` itself on a
    collision.  All draws are made at once; only the collision check loops over ``k``.
    int64 [k, R]: step-major, so each step reads and writes contiguous memory.
    """
    top = (count - k).unsqueeze(0) + torch.arange(k, device=count.device).unsqueeze(1)  # inclusive bounds
    picks = torch.rand(top.shape, dtype=torch.float64, device=count.device, generator=generator)
    picks = picks.mul_(top + 1).long()
    torch.minimum(picks, top, out=picks)
    rows, tops = picks.unbind(0), top.unbind(0)  # views made once, not per step
    for i in range(1, k):
        torch.where((picks[:i] == rows[i]).any(dim=0), tops[i], rows[i], out=rows[i])
    return picks
