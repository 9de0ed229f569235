"""The sampler layer, pure PyTorch (CPU and CUDA), knowing nothing of RecBole.

* :class:`~recbole_ctx.sampler.temporal_graph.TemporalGraph` (``temporal_graph``): the
  graph store, CSR per edge type with event times;
* :class:`~recbole_ctx.sampler.temporal_sampler.TemporalNeighborSampler`
  (``temporal_sampler``): temporal k-hop sampling around (node, time) seeds;
* :class:`~recbole_ctx.sampler.subgraph.SampledSubgraph` (``subgraph``): its output.

The data layer (:mod:`recbole_ctx.data`) builds the graph from a RecBole dataset and
calls the sampler from its loaders.
"""
