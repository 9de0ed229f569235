"""Low-pass item vectors: the top singular subspace of the normalised interaction matrix."""
from __future__ import annotations

import numpy as np
import torch

from recbole_ctx.data.spectral import spectral_item_vectors


def _random_pairs(num_users: int, num_items: int, per_user: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    users = torch.arange(num_users).repeat_interleave(per_user)
    items = torch.randint(1, num_items, (num_users * per_user,), generator=gen)
    return users, items


def _dense_projection(users, items, num_users, num_items, k):
    matrix = np.zeros((num_users, num_items))
    matrix[users.numpy(), items.numpy()] = 1.0
    du, di = matrix.sum(1), matrix.sum(0)
    with np.errstate(divide="ignore"):
        norm = matrix / np.sqrt(np.outer(np.where(du > 0, du, 1), np.where(di > 0, di, 1)))
    _, _, vt = np.linalg.svd(norm)
    return vt[:k].T @ vt[:k], di


def test_vectors_span_the_top_singular_subspace_scaled_by_sqrt_degree():
    # Large enough for the iterative solver (min side > 4 * dim).
    users, items = _random_pairs(300, 120, 12, seed=1)
    vectors, degree = spectral_item_vectors(users, items, 300, 120, dim=8)
    projection, di = _dense_projection(users, items, 300, 120, 8)
    torch.testing.assert_close(degree, torch.from_numpy(di).float())
    v = vectors.double().numpy() / np.sqrt(np.where(di > 0, di, 1))[:, None]
    np.testing.assert_allclose(v @ v.T, projection, atol=1e-5)


def test_small_graphs_use_the_dense_solver_and_pad_beyond_the_rank():
    users, items = _random_pairs(5, 9, 3, seed=2)
    vectors, _ = spectral_item_vectors(users, items, 5, 9, dim=16)
    assert vectors.shape == (9, 16)
    assert torch.count_nonzero(vectors[:, 4:]) == 0  # rank <= min(5, 9) - 1 = 4
    projection, di = _dense_projection(users, items, 5, 9, 4)
    v = vectors[:, :4].double().numpy() / np.sqrt(np.where(di > 0, di, 1))[:, None]
    np.testing.assert_allclose(v @ v.T, projection, atol=1e-6)


def test_repeated_interactions_count_once_and_the_result_is_deterministic():
    users, items = _random_pairs(300, 120, 12, seed=3)
    once, degree = spectral_item_vectors(users, items, 300, 120, dim=6)
    twice, degree2 = spectral_item_vectors(torch.cat([users, users]), torch.cat([items, items]), 300, 120, dim=6)
    torch.testing.assert_close(degree, degree2)
    torch.testing.assert_close(once, twice)
