"""Per-node-type input encoders: entity features of a RecBole dataset to ``channels``."""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from recbole_ctx.model.layers.inits import scaled_normal_


@dataclass(frozen=True)
class FeatureColumn:
    """One feature column of a node type, for every node of that type.

    Attributes:
        name: field name (e.g. ``"age"``).
        kind: ``"token"`` (int64 [N]), ``"token_seq"`` (int64 [N, L], 0 = padding) or
            ``"float"`` (float32 [N] or [N, D]).
        values: the column, indexed by the node's global (RecBole internal) id.
        cardinality: number of token ids (token kinds only; id 0 is RecBole's padding).
    """

    name: str
    kind: str
    values: Tensor
    cardinality: int = 0


def feature_columns_from_dataset(dataset, node_type: str) -> list[FeatureColumn]:
    """Feature columns of ``"user"`` or ``"item"`` nodes from a RecBole ``Dataset``.

    Id fields are skipped (the models use no shallow user embeddings, and items get
    theirs from the item tower).  Returns ``[]`` when the dataset has no feature file.
    """
    from recbole.utils import FeatureType

    if node_type == "user":
        table, id_field = dataset.get_user_feature(), dataset.uid_field
    elif node_type == "item":
        table, id_field = dataset.get_item_feature(), dataset.iid_field
    else:
        raise ValueError(f"node_type must be 'user' or 'item', got {node_type!r}")
    columns = []
    for name in table.columns:
        if name == id_field:
            continue
        ftype = dataset.field2type[name]
        values = table[name]
        if ftype == FeatureType.TOKEN:
            columns.append(FeatureColumn(name, "token", values.long(), dataset.num(name)))
        elif ftype == FeatureType.TOKEN_SEQ:
            columns.append(FeatureColumn(name, "token_seq", values.long(), dataset.num(name)))
        elif ftype in (FeatureType.FLOAT, FeatureType.FLOAT_SEQ):
            values = torch.nan_to_num(values.float())
            columns.append(FeatureColumn(name, "float", values))
    return columns


class NodeFeatureEncoder(nn.Module):
    """Encodes one node type's features: sum of per-column encodings plus a type vector.

    The learned type vector gives featureless node types a non-zero input, so the
    backbone works on bare interaction graphs.
    """

    def __init__(self, channels: int, columns: list[FeatureColumn]):
        super().__init__()
        self.type_vector = nn.Parameter(scaled_normal_(torch.empty(channels), std=0.1))
        self.kinds: dict[str, str] = {}
        self.encoders = nn.ModuleDict()
        for col in columns:
            self.kinds[col.name] = col.kind
            # Feature tables are buffers: they move with the model to its device.
            self.register_buffer(f"table_{col.name}", col.values, persistent=False)
            if col.kind == "token":
                self.encoders[col.name] = nn.Embedding(col.cardinality, channels)
            elif col.kind == "token_seq":
                self.encoders[col.name] = nn.EmbeddingBag(col.cardinality, channels, mode="mean",
                                                          padding_idx=0)
            else:
                dim = 1 if col.values.dim() == 1 else col.values.size(1)
                self.encoders[col.name] = nn.Linear(dim, channels)

    def reset_parameters(self) -> None:
        """Re-draw every parameter as the constructor does: type vector ~ N(0, 0.1^2), then
        each column's torch default."""
        scaled_normal_(self.type_vector, std=0.1)
        for encoder in self.encoders.values():
            encoder.reset_parameters()

    def forward(self, ids: Tensor) -> Tensor:
        """Encode nodes by global id.

        Args:
            ids: int64 [N] global ids of nodes of this type.

        Returns:
            float32 [N, channels].
        """
        out = self.type_vector.expand(ids.numel(), -1)
        for name, kind in self.kinds.items():
            values = getattr(self, f"table_{name}")[ids]
            if kind == "float" and values.dim() == 1:
                values = values.unsqueeze(-1)
            out = out + self.encoders[name](values)
        return out
