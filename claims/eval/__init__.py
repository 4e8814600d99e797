"""Loaders and metrics for public benchmarks (used by ``claims eval ...``)."""
