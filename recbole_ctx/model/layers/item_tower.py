"""Item side of the two-tower scores: a shallow table or a network over item features."""
from __future__ import annotations

from torch import Tensor, nn

from recbole_ctx.model.layers.node_encoder import NodeFeatureEncoder


class ItemTower(nn.Module):
    """``w_w`` for item ids.

    ``kind="shallow"`` is the paper's embedding matrix W (transductive).
    ``kind="mlp"`` is its inductive extension (sec. 4.4): an MLP over the item's input
    features ``h_w^(0)``, so items unseen in training can be ranked.

    Args:
        kind: ``"shallow"`` or ``"mlp"``.
        num_items: ``|R|``.
        channels: ``d``.
        feature_encoder: the backbone's item input encoder (``"mlp"`` only).
    """

    def __init__(self, kind: str, num_items: int, channels: int,
                 feature_encoder: NodeFeatureEncoder | None = None):
        super().__init__()
        self.kind = kind
        if kind == "shallow":
            self.table = nn.Embedding(num_items, channels)
            self.reset_parameters()  # the paper's table starts small: N(0, 0.1^2), not N(0, 1)
        elif kind == "mlp":
            if feature_encoder is None or not feature_encoder.kinds:
                raise ValueError("item_tower: mlp needs item features (an .item file and "
                                 "use_node_features: True)")
            self.features = feature_encoder
            self.mlp = nn.Sequential(nn.Linear(channels, channels), nn.ReLU(),
                                     nn.Linear(channels, channels))
        else:
            raise ValueError(f"item_tower must be 'shallow' or 'mlp', got {kind!r}")

    def reset_parameters(self) -> None:
        """Re-draw the tower's own parameters: the shallow table ~ N(0, 0.1^2), or the MLP's
        linear layers (torch's default).  The ``mlp`` tower's feature encoder belongs to the
        backbone, which resets it."""
        if self.kind == "shallow":
            nn.init.normal_(self.table.weight, std=0.1)
        else:
            for layer in self.mlp:
                if isinstance(layer, nn.Linear):
                    layer.reset_parameters()

    def forward(self, items: Tensor) -> Tensor:
        """Args: items int64 [N]. Returns: float32 [N, d]."""
        if self.kind == "shallow":
            return self.table(items)
        return self.mlp(self.features(items))
