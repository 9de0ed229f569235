"""RecBole 1.2.1's own ``rec.topk`` computation (``Collector.eval_batch_collect``), verbatim
in substance, as the reference the fast paths are checked against."""
import torch


def recbole_rec_topk(scores: torch.Tensor, positive_u: torch.Tensor, positive_i: torch.Tensor,
                     k: int) -> torch.Tensor:
    _, topk_idx = torch.topk(scores, k, dim=-1)
    pos_matrix = torch.zeros_like(scores, dtype=torch.int)
    pos_matrix[positive_u, positive_i] = 1
    pos_len_list = pos_matrix.sum(dim=1, keepdim=True)
    pos_idx = torch.gather(pos_matrix, dim=1, index=topk_idx)
    return torch.cat((pos_idx, pos_len_list), dim=1)
