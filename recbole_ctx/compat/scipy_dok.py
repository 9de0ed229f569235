"""scipy 1.13 removed ``dok_matrix._update``, which RecBole's graph models call."""
from __future__ import annotations


def dok_update(self, data: dict) -> None:
    """``dok_matrix._update`` (removed in scipy 1.13), used by LightGCN.get_norm_adj_mat
    (recbole/model/general_recommender/lightgcn.py:111) and NGCF, GCMC, SpectralCF,
    NCL, KGIN, MCCLK: a bulk, unchecked key -> value insert, as before.
    """
    self._dict.update(data)


def apply() -> None:
    import scipy.sparse as sp

    if not hasattr(sp.dok_matrix, "_update"):
        sp.dok_matrix._update = dok_update
