"""The sampler layer, pure PyTorch (CPU and CUDA), knowing nothing of RecBole.

* :class:`~recbole_ctx.sampler.temporal_graph.TemporalGraph` (``temporal_graph``): the
  graph store, CSR per edge type with event times;
* :class:`~recbole_ctx.sampler.temporal_sampler.TemporalNeighborSampler`
  (``temporal_sampler``): temporal k-hop sampling around (node, time) seeds, built on
  ``event_draw`` (which events a row draws), ``node_state`` (the nodes reached per seed),
  ``edge_output`` (edges and their reverses, each event once) and ``tensor_ops`` (fast
  indexing and sorting);
* :class:`~recbole_ctx.sampler.subgraph.SampledSubgraph` (``subgraph``): its output.

The data layer (:mod:`recbole_ctx.data`) builds the graph from a RecBole dataset and
calls the sampler from its loaders.
"""
