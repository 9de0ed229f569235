"""Benchmarks: micro-benchmarks (one module each) and YAML-driven suites (``configs/bench``)."""
