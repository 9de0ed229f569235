"""Shared base of ContextGNN, NBFNet and ShallowItem: backbone, loss and scoring.

A training example is RelBench's multi-label ``(user, seed time T, target items)``.
The three protocols differ only in how the data layer makes examples
(``recbole_ctx.data``): temporal (targets in ``(T, T + delta]``, events after T
hidden), static (``T = +inf``, a share of each user's training items become targets
each epoch and their edges are hidden) and next-item (as temporal).  Batches arrive
as :class:`~recbole_ctx.data.subgraph_batch.SubgraphBatch`: the subgraphs are already
sampled, so the model never touches the graph store.

Heads only implement :meth:`encode` (which inputs to inject before the backbone)
and :meth:`class_logits` (scores of a set of candidate items); training and
full-sort inference are shared.
"""
from __future__ import annotations

import torch
from recbole.model.abstract_recommender import GeneralRecommender
from recbole.utils import InputType
from torch import Tensor

from recbole_ctx.data.graph_from_dataset import graph_of
from recbole_ctx.data.subgraph_batch import SeedBatch, SubgraphBatch
from recbole_ctx.model.backbone import HeteroSubgraphGNN
from recbole_ctx.model.layers.class_set import build_class_set
from recbole_ctx.model.layers.node_encoder import feature_columns_from_dataset
from recbole_ctx.sampler.subgraph import SampledSubgraph
from recbole_ctx.utils.paths import config_paths


AGGREGATIONS = ("mean", "sum")


def _subgraph_batch(batch) -> SubgraphBatch:
    if not isinstance(batch, SubgraphBatch):
        raise TypeError(f"the subgraph models read batches that hold sampled subgraphs (SubgraphBatch), got "
                        f"{type(batch).__name__}: build the loaders with recbole_ctx's run_recbole or RecBole's "
                        "data_preparation after `import recbole_ctx`")
    return batch


class SubgraphRecommender(GeneralRecommender):
    """Base class; subclasses implement :meth:`encode` and :meth:`class_logits`.

    Config keys: ``embedding_size`` (d), ``num_layers`` (k), ``aggr`` (``mean`` | ``sum``,
    each relation's neighbourhood aggregation), ``num_classes`` (C of the sampled
    softmax), ``use_node_features``; the data layer reads ``fanouts`` and
    ``sample_strategy``.
    """

    input_type = InputType.POINTWISE
    reads_subgraphs = True  # the data layer attaches sampled subgraphs to every batch
    config_files = config_paths("shared/subgraph_backbone.yaml")

    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        self.channels = int(config["embedding_size"])
        self.num_classes = config["num_classes"]  # unused by NBFNet, which has no softmax
        graph = graph_of(dataset)  # node and edge types; the data layer samples from it
        columns = {}
        if config["use_node_features"]:
            columns = {"user": feature_columns_from_dataset(dataset, "user"),
                       "item": feature_columns_from_dataset(dataset, "item")}
        aggr = config["aggr"]
        if aggr not in AGGREGATIONS:
            raise ValueError(f"aggr must be one of {AGGREGATIONS}, got {aggr!r}")
        self.backbone = HeteroSubgraphGNN(graph.node_types, graph.edge_types, self.channels,
                                          int(config["num_layers"]), columns, aggr=aggr)

    # -- subclasses ---------------------------------------------------------------------
    def encode(self, sub: SampledSubgraph) -> dict[str, Tensor]:
        """``h^(k)`` per node type (float32 [N_t, d]) after the head's input injection."""
        raise NotImplementedError

    def class_logits(self, sub: SampledSubgraph, h: dict[str, Tensor], classes: Tensor,
                     seeds: SeedBatch | None = None) -> Tensor:
        """Scores of every seed against candidate items.

        Args:
            sub: the sampled subgraphs of the ``B`` seeds.
            h: output of :meth:`encode`.
            classes: int64 [C] distinct item ids.
            seeds: the ``B`` seeds (their known items when training); heads that read a
                seed's whole history (``tower_filter``) need it while training.

        Returns:
            float32 [B, C].
        """
        raise NotImplementedError

    # -- shared -------------------------------------------------------------------------
    def seed_pair_logits(self, sub: SampledSubgraph, h: dict[str, Tensor], item_vectors: Tensor,
                         classes: Tensor, item_bias: Tensor | None = None) -> Tensor:
        """Pair-wise scores ``h_v . h_w (+ bias_w)`` scattered to [B, C]; -inf for items outside.

        Args:
            item_vectors: float [N_item, d] per subgraph item node (e.g. ``h["item"]``).
            classes: int64 [C] distinct item ids.
            item_bias: optional float [N_item] added per subgraph item node.

        Returns:
            float32 [B, C]; an item reached twice by one seed keeps its best score.
        """
        num_seeds = sub.num_seeds
        out = torch.full((num_seeds, classes.numel()), float("-inf"), device=classes.device,
                         dtype=item_vectors.dtype)
        if sub.num_nodes("item") == 0:
            return out
        position = torch.full((self.n_items,), -1, dtype=torch.long, device=classes.device)
        position[classes] = torch.arange(classes.numel(), device=classes.device)
        seed_of_item = sub.batch["item"]
        pos = position[sub.node["item"]]
        inside = pos >= 0
        score = (h["user"][:num_seeds][seed_of_item] * item_vectors).sum(-1)
        if item_bias is not None:
            score = score + item_bias
        flat = seed_of_item[inside] * classes.numel() + pos[inside]
        return out.view(-1).scatter_reduce(0, flat, score[inside].to(out.dtype), reduce="amax").view_as(out)

    def calculate_loss(self, batch: SubgraphBatch) -> Tensor:
        """Sampled-softmax cross-entropy, averaged over the batch's (example, target) pairs."""
        batch = _subgraph_batch(batch)
        seeds, sub = batch.seeds, batch.subgraph
        h = self.encode(sub)
        subgraph_items = sub.node.get("item", seeds.target_item[:0])
        classes = build_class_set(self.n_items, seeds.target_item, subgraph_items, int(self.num_classes))
        position = torch.full((self.n_items,), -1, dtype=torch.long, device=classes.device)
        position[classes] = torch.arange(classes.numel(), device=classes.device)
        known = None
        if seeds.known_item is not None:
            pos = position[seeds.known_item]
            inside = pos >= 0
            known = (seeds.known_example()[inside], pos[inside])
        target = (seeds.target_example(), position[seeds.target_item])
        loss = 0.0
        for weight, logits in self.training_logits(sub, h, classes, seeds):
            if known is not None:
                logits = logits.index_put(known, torch.tensor(float("-inf"), device=logits.device,
                                                              dtype=logits.dtype))
            loss = loss + weight * -torch.log_softmax(logits.float(), dim=-1)[target].mean()
        return loss

    def training_logits(self, sub: SampledSubgraph, h: dict[str, Tensor], classes: Tensor,
                        seeds: SeedBatch) -> list[tuple[float, Tensor]]:
        """(weight, logits float32 [B, C]) per softmax term of the loss; one term by default."""
        return [(1.0, self.class_logits(sub, h, classes, seeds))]

    def full_sort_predict(self, batch: SubgraphBatch) -> Tensor:
        """Scores of every item for each row (its user's subgraph at its seed time).

        Returns:
            float32 [R, n_items], computed from the current parameters (nothing cached).
        """
        batch = _subgraph_batch(batch)
        return self.all_item_scores(batch.subgraph, batch.seeds)[batch.row_seed]

    def all_item_scores(self, sub: SampledSubgraph, seeds: SeedBatch | None = None) -> Tensor:
        """float32 [S, n_items]: every item's score for each seed of ``sub``."""
        classes = torch.arange(self.n_items, device=sub.seed_time.device)
        return self.class_logits(sub, self.encode(sub), classes, seeds).float()

    def predict(self, batch: SubgraphBatch) -> Tensor:
        """Score of each row's (user, item): one full-sort pass per distinct seed.

        Returns:
            float32 [R].
        """
        batch = _subgraph_batch(batch)
        scores = self.all_item_scores(batch.subgraph, batch.seeds)
        return scores[batch.row_seed, batch[self.ITEM_ID]]
