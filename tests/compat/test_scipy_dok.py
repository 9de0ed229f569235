import numpy as np
import scipy.sparse as sp
import torch

import recbole_ctx
from recbole.data import create_dataset, data_preparation
from recbole_ctx.quick_start import build_config

QUIET = {"show_progress": False, "state": "ERROR"}


def test_lightgcn_norm_adj_equals_coo_construction():
    config = build_config("LightGCN", "ml-100k", config_dict={**QUIET, "embedding_size": 8})
    train, _, _ = data_preparation(config, create_dataset(config))
    model = recbole_ctx.get_model("LightGCN")(config, train._dataset)
    n_u, n_i = model.n_users, model.n_items
    inter = model.interaction_matrix.tocoo()
    rows = np.concatenate([inter.row, inter.col + n_u])
    cols = np.concatenate([inter.col + n_u, inter.row])
    adj = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_u + n_i, n_u + n_i)).tocsr()
    deg = np.asarray(adj.sum(axis=1)).ravel() + 1e-7
    d = sp.diags(deg ** -0.5)
    expected = torch.tensor((d @ adj @ d).toarray(), dtype=torch.float32)
    assert torch.allclose(model.norm_adj_matrix.to_dense(), expected, atol=1e-6)
