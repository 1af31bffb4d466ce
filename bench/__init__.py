"""Benchmarks of shrinksearch against baselines measured in the same run (not part of the tests).

``python -m bench <name> [--size N]``; results in ``bench/results/``, summary in BENCHMARKS.md.
"""
