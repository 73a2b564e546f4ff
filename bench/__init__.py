"""Benchmarks. `python -m bench` runs them all and prints one table; never part of the test suite."""
