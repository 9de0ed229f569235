"""Shared base of ContextGNN, NBFNet and ShallowItem: graph, sampler, backbone, loss.

A training example is RelBench's multi-label ``(user, seed time T, target items)``.
The three protocols differ only in how examples are made:

* temporal: targets are the items of ``(T, T + delta]``; the sampler hides events after T;
* static (LightGCN splits): ``T = +inf``; each epoch a random share of every user's
  training items become its targets and those (user, item) edges are hidden from
  its subgraph (otherwise the answer would be an edge of the input);
* next-item: as temporal, with ``T`` the time of the target event.

Heads only implement :meth:`encode` (which inputs to inject before the backbone)
and :meth:`class_logits` (scores of a set of candidate items); training and
full-sort inference are shared.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from recbole.model.abstract_recommender import GeneralRecommender
from recbole.utils import InputType
from torch import Tensor

from recbole_ctx.data.temporal_dataset import SEED_TIME_FIELD
from recbole_ctx.data.temporal_graph import TemporalGraph
from recbole_ctx.model.backbone import HeteroSubgraphGNN
from recbole_ctx.model.layers.class_set import build_class_set
from recbole_ctx.model.layers.negatives import SubgraphNegatives, subgraph_negatives, widen_pool
from recbole_ctx.model.layers.node_encoder import feature_columns_from_dataset
from recbole_ctx.sampler.subgraph import SampledSubgraph
from recbole_ctx.sampler.temporal_sampler import TemporalNeighborSampler


@dataclass
class SeedBatch:
    """A mini-batch of multi-label examples.

    Attributes:
        user: int64 [B] seed user ids (RecBole internal ids).
        seed_time: float64 [B] seed time T in Unix seconds (+inf: static protocol).
        target_ptr: int64 [B + 1] CSR offsets into ``target_item``.
        target_item: int64 [P] ground-truth items, grouped by example.
        hide_targets: hide each (user, target) edge from the user's subgraph (static
            protocol, where targets are edges of the training graph).
        known_ptr, known_item: optional CSR (int64 [B + 1], [K]) of items each example's
            user is known to have besides its targets; they are left out of that
            example's softmax, as RecBole masks training items in static full ranking
            (otherwise the user's own history would be trained as negatives).
    """

    user: Tensor
    seed_time: Tensor
    target_ptr: Tensor
    target_item: Tensor
    hide_targets: bool = False
    known_ptr: Tensor | None = None
    known_item: Tensor | None = None

    def target_example(self) -> Tensor:
        """int64 [P]: index in [0, B) of the example of each target."""
        return _csr_rows(self.target_ptr)

    def known_example(self) -> Tensor:
        """int64 [K]: index in [0, B) of the example of each known item."""
        return _csr_rows(self.known_ptr)

    def to(self, device: torch.device | str) -> "SeedBatch":
        def move(t):
            return None if t is None else t.to(device)

        return SeedBatch(self.user.to(device), self.seed_time.to(device), self.target_ptr.to(device),
                         self.target_item.to(device), self.hide_targets, move(self.known_ptr),
                         move(self.known_item))


def _csr_rows(ptr: Tensor) -> Tensor:
    counts = ptr[1:] - ptr[:-1]
    return torch.repeat_interleave(torch.arange(counts.numel(), device=counts.device), counts)


class SubgraphRecommender(GeneralRecommender):
    """Base class; subclasses implement :meth:`encode` and :meth:`class_logits`.

    Config keys: ``embedding_size`` (d), ``num_layers`` (k), ``fanouts`` (per hop),
    ``sample_strategy`` (``uniform`` | ``last``), ``num_classes`` (C of the sampled
    softmax), ``use_node_features``.
    """

    input_type = InputType.POINTWISE

    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        self.channels = int(config["embedding_size"])
        self.num_classes = config["num_classes"]  # unused by NBFNet, which has no softmax
        fanouts = [int(f) for f in config["fanouts"]]
        if len(fanouts) != int(config["num_layers"]):
            raise ValueError(f"{type(self).__name__}: fanouts {fanouts} must have one entry per "
                             f"layer (num_layers={config['num_layers']})")
        # The graph holds training interactions only (``dataset`` is the training split).
        self.graph = TemporalGraph.from_dataset(dataset)
        self.sampler = TemporalNeighborSampler(self.graph, fanouts, strategy=config["sample_strategy"],
                                               bidirectional=True)
        columns = {}
        if config["use_node_features"]:
            columns = {"user": feature_columns_from_dataset(dataset, "user"),
                       "item": feature_columns_from_dataset(dataset, "item")}
        self.backbone = HeteroSubgraphGNN(self.graph.node_types, self.graph.edge_types,
                                          self.channels, len(fanouts), columns)

    # -- subclasses ---------------------------------------------------------------------
    def encode(self, sub: SampledSubgraph) -> dict[str, Tensor]:
        """``h^(k)`` per node type (float32 [N_t, d]) after the head's input injection."""
        raise NotImplementedError

    def class_logits(self, sub: SampledSubgraph, h: dict[str, Tensor], classes: Tensor) -> Tensor:
        """Scores of every seed against candidate items.

        Args:
            sub: the sampled subgraphs of the ``B`` seeds.
            h: output of :meth:`encode`.
            classes: int64 [C] distinct item ids.

        Returns:
            float32 [B, C].
        """
        raise NotImplementedError

    # -- shared -------------------------------------------------------------------------
    def sample(self, user: Tensor, seed_time: Tensor, exclude: tuple[Tensor, Tensor] | None = None
               ) -> SampledSubgraph:
        """Sample each user's subgraph, on the model's device.

        Args:
            user: int64 [B]; seed_time: float64 [B].
            exclude: optional (user int64 [P], item int64 [P]) pairs whose events, of every
                user-item relation, are left out of all subgraphs.
        """
        self._move_graph(user.device)
        per_type = None
        if exclude is not None:
            per_type = {et: exclude for et in self.graph.edge_types if et[0] == "user" and et[2] == "item"}
        return self.sampler.sample(user, seed_time.to(torch.float64), seed_type="user",
                                   exclude=per_type)

    def _move_graph(self, device: torch.device) -> None:
        if self.graph.device != device:
            self.graph = self.graph.to(device)
            self.sampler.graph = self.graph

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
        return out.view(-1).scatter_reduce(0, flat, score[inside], reduce="amax").view_as(out)

    def calculate_loss(self, batch: SeedBatch) -> Tensor:
        """Sampled-softmax cross-entropy, averaged over the batch's (example, target) pairs."""
        sub, h = self._forward_batch(batch)
        subgraph_items = sub.node.get("item", batch.target_item[:0])
        classes = build_class_set(self.n_items, batch.target_item, subgraph_items, int(self.num_classes))
        logits = self.class_logits(sub, h, classes)
        position = torch.full((self.n_items,), -1, dtype=torch.long, device=classes.device)
        position[classes] = torch.arange(classes.numel(), device=classes.device)
        if batch.known_item is not None:
            pos = position[batch.known_item]
            inside = pos >= 0
            logits = logits.index_put((batch.known_example()[inside], pos[inside]),
                                      torch.tensor(float("-inf"), device=logits.device))
        log_prob = torch.log_softmax(logits, dim=-1)
        return -log_prob[batch.target_example(), position[batch.target_item]].mean()

    def _forward_batch(self, batch: SeedBatch) -> tuple[SampledSubgraph, dict[str, Tensor]]:
        batch = batch.to(self.device)
        exclude = None
        if batch.hide_targets:
            exclude = (batch.user[batch.target_example()], batch.target_item)
        sub = self.sample(batch.user, batch.seed_time, exclude)
        return sub, self.encode(sub)

    def _seed_times(self, interaction) -> Tensor:
        user = interaction[self.USER_ID]
        if SEED_TIME_FIELD in interaction.interaction:
            return interaction[SEED_TIME_FIELD].to(torch.float64)
        return torch.full(user.shape, float("inf"), dtype=torch.float64, device=user.device)

    def full_sort_predict(self, interaction) -> Tensor:
        """Scores of every item for each row's user (and seed time, if the row has one).

        Returns:
            float32 [B, n_items], computed from the current parameters (nothing cached).
        """
        user = interaction[self.USER_ID]
        return self._all_item_scores(self.sample(user, self._seed_times(interaction)))

    def _all_item_scores(self, sub: SampledSubgraph) -> Tensor:
        """float32 [B, n_items]: every item's score for each seed of ``sub``."""
        return self.class_logits(sub, self.encode(sub), torch.arange(self.n_items, device=sub.seed_time.device))

    def predict(self, interaction) -> Tensor:
        """Score of each row's (user, item): one full-sort pass per distinct user.

        Returns:
            float32 [N].
        """
        user, item = interaction[self.USER_ID], interaction[self.ITEM_ID]
        times = self._seed_times(interaction)
        key = torch.stack([user.to(torch.float64), times])
        unique, inverse = torch.unique(key, dim=1, return_inverse=True)
        scores = self._all_item_scores(self.sample(unique[0].long(), unique[1]))
        return scores[inverse, item]

    def predict_with_subgraph_negatives(self, interaction, exclude_row: Tensor, exclude_item: Tensor,
                                        num: int, generator: torch.Generator | None = None,
                                        pool_rows: int = 1) -> tuple[Tensor, SubgraphNegatives]:
        """Full-sort scores and ``eval_neg_sampler: subgraph`` negatives from one sampled subgraph.

        The negatives of each row are drawn from the very subgraph its scores were
        computed on (rule: :mod:`recbole_ctx.model.layers.negatives`).

        Args:
            interaction: B evaluation rows (user field, optional ``seed_time``).
            exclude_row, exclude_item: int64 [X] (row, item) pairs never drawn (each
                row's positives and history).
            num: negatives per row.
            generator: RNG on the model's device.
            pool_rows: rows whose subgraph items form one shared pool (1: each row its own).

        Returns:
            (float32 [B, n_items] scores as :meth:`full_sort_predict`, negatives int64 [B, num]
            with the per-row count drawn from the subgraph).
        """
        user = interaction[self.USER_ID]
        sub = self.sample(user, self._seed_times(interaction))
        scores = self._all_item_scores(sub)
        no_items = user[:0]
        pool = widen_pool(sub.batch.get("item", no_items), sub.node.get("item", no_items), user.numel(),
                          self.n_items, pool_rows)
        negatives = subgraph_negatives(*pool, exclude_row.to(user.device), exclude_item.to(user.device),
                                       user.numel(), self.n_items, num, generator)
        return scores, negatives
