"""The dataset's graph store: a :class:`TemporalGraph` built from a loaded RecBole dataset.

* ``.inter``: one ``(user, <behavior>, item)`` edge type per behavior token when the
  dataset has a ``behavior`` field, else ``(user, interacts, item)``; event time from
  ``TIME_FIELD`` when loaded, else static (``-inf``).
* ``<name>.edge`` (when present beside ``.inter``): ``src_type src_id dst_type dst_id
  timestamp relation``.  Types ``user`` / ``item`` (or the yaml's ``src_entity`` /
  ``dst_entity`` table names, as the RelBench converter writes them) use the dataset's remapped ids; any other type becomes a node
  type of its own with ids in order of first appearance.  Rows naming a user or item
  token unknown to the dataset are dropped with a warning (they have no id).
  Empty timestamps mean static edges.

:func:`graph_of` builds it once per dataset and keeps it there.
"""
from __future__ import annotations

import logging
import os

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from recbole_ctx.data.temporal_task import read_token_table
from recbole_ctx.sampler.temporal_graph import EdgeType, TemporalGraph

BEHAVIOR_FIELD = "behavior"
DEFAULT_RELATION = "interacts"
EDGE_COLUMNS = {"src_type:token": "src_type", "src_id:token": "src_id", "dst_type:token": "dst_type",
                "dst_id:token": "dst_id", "timestamp:float": "timestamp", "relation:token": "relation"}

logger = logging.getLogger(__name__)

_GRAPH_ATTR = "_recbole_ctx_graph"


def graph_of(dataset) -> TemporalGraph:
    """The dataset's graph store, built on first use and kept on the dataset (CPU).

    Under the static protocol ``dataset`` is the training split, so the graph holds
    training interactions only.  The cache is tied to the dataset's ``inter_feat``
    object: RecBole's split copies (``Dataset.copy``) never inherit a parent's graph.
    """
    cached = getattr(dataset, _GRAPH_ATTR, None)
    if cached is None or cached[0] is not dataset.inter_feat:
        cached = (dataset.inter_feat, graph_from_dataset(dataset))
        setattr(dataset, _GRAPH_ATTR, cached)
    return cached[1]


def column(feat, field: str) -> np.ndarray:
    """A column of ``inter_feat`` whether it is still a DataFrame or already an Interaction."""
    if isinstance(feat, pd.DataFrame):
        return feat[field].to_numpy()
    return feat[field].cpu().numpy()


def has_column(feat, field: str | None) -> bool:
    if field is None:
        return False
    return field in (feat.columns if isinstance(feat, pd.DataFrame) else feat.interaction)


def graph_from_dataset(dataset) -> TemporalGraph:
    """The graph of a RecBole ``Dataset``'s ``.inter`` events and ``.edge`` file (CPU)."""
    feat = dataset.inter_feat
    num_nodes = {"user": int(dataset.user_num), "item": int(dataset.item_num)}
    user = torch.from_numpy(column(feat, dataset.uid_field).astype(np.int64))
    item = torch.from_numpy(column(feat, dataset.iid_field).astype(np.int64))
    time = None
    if has_column(feat, dataset.time_field):
        time = torch.from_numpy(column(feat, dataset.time_field).astype(np.float64))
    edges = {}
    if has_column(feat, BEHAVIOR_FIELD):
        behavior = column(feat, BEHAVIOR_FIELD).astype(np.int64)
        tokens = dataset.field2id_token[BEHAVIOR_FIELD]
        # One edge type per behavior token: a loop over a handful of kinds, not events.
        for code in np.unique(behavior):
            mask = torch.from_numpy(behavior == code)
            edges[("user", str(tokens[code]), "item")] = (
                user[mask], item[mask], None if time is None else time[mask])
    else:
        edges[("user", DEFAULT_RELATION, "item")] = (user, item, time)
    edge_file = os.path.join(dataset.dataset_path, f"{dataset.dataset_name}.edge")
    if os.path.isfile(edge_file):
        _add_edge_file(edge_file, dataset, num_nodes, edges)
    return TemporalGraph.from_edges(num_nodes, edges)


def _entity_aliases(dataset) -> dict[str, str]:
    config = dataset.config
    aliases = {"user": "user", "item": "item"}
    for key, node_type in (("src_entity", "user"), ("dst_entity", "item")):
        if key in config and config[key] is not None:
            aliases[str(config[key])] = node_type
    return aliases


def _add_edge_file(path: str, dataset, num_nodes: dict[str, int],
                   edges: dict[EdgeType, tuple[Tensor, Tensor, Tensor | None]]) -> None:
    """Read ``.edge`` and add its edge types (and new node types) in place."""
    separator = dataset.config["field_separator"]  # RecBole's dataset/sample.yaml always sets it
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split(separator)
    absent = [c for c in EDGE_COLUMNS if c not in header]
    if absent:
        raise ValueError(f"{path}, line 1: header {header} lacks column(s) {absent}")
    frame = read_token_table(path, separator, list(EDGE_COLUMNS)).rename(columns=EDGE_COLUMNS)
    time = pd.to_numeric(frame["timestamp"].replace("", "nan"), errors="coerce").to_numpy(np.float64)
    bad = np.isnan(time) & (frame["timestamp"].to_numpy() != "")
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{path}, line {row + 2}: timestamp {frame['timestamp'].iloc[row]!r} is not a number")
    aliases = _entity_aliases(dataset)
    src_type = frame["src_type"].map(lambda t: aliases.get(t, t))
    dst_type = frame["dst_type"].map(lambda t: aliases.get(t, t))
    ids = _node_ids(dataset, num_nodes, pd.concat([src_type, dst_type], ignore_index=True),
                    pd.concat([frame["src_id"], frame["dst_id"]], ignore_index=True))
    src_id, dst_id = ids[: len(frame)], ids[len(frame):]
    known = (src_id >= 0) & (dst_id >= 0)
    if not known.all():
        logger.warning("%s: %d edge rows name users/items absent from the dataset; dropped",
                       path, int((~known).sum()))
    keys = pd.DataFrame({"s": src_type, "r": frame["relation"], "d": dst_type})[known]
    for (s, r, d), rows in keys.groupby(["s", "r", "d"]).indices.items():
        index = np.flatnonzero(known)[rows]
        edges[(s, r, d)] = (torch.from_numpy(src_id[index]), torch.from_numpy(dst_id[index]),
                            torch.from_numpy(time[index]))


def _node_ids(dataset, num_nodes: dict[str, int], node_type: pd.Series, token: pd.Series) -> np.ndarray:
    """int64 id per (type, token); -1 for user/item tokens the dataset does not know."""
    ids = np.full(len(token), -1, dtype=np.int64)
    fields = {"user": dataset.uid_field, "item": dataset.iid_field}
    for t, rows in node_type.groupby(node_type).indices.items():
        tokens = token.to_numpy()[rows]
        if t in fields:
            mapping = dataset.field2token_id[fields[t]]
            ids[rows] = pd.Series(tokens).map(mapping).fillna(-1).to_numpy(np.int64)
        else:
            codes, uniques = pd.factorize(tokens)
            ids[rows] = codes
            num_nodes[t] = len(uniques)
    return ids
