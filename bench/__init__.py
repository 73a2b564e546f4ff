"""Benchmarks. `python -m bench` runs them all and prints one table; never part of the test suite.

A benchmark is a function in any module of this package, registered with `@benchmark("name")`; it takes the run's
`RunOptions` and returns `bench.report.Measurement` rows, each with a baseline measured in the same run.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RunOptions:
    # Also (or instead, for benchmarks that measure one database) run on PostgreSQL, in a throwaway database
    # created on 127.0.0.1:5432 and dropped afterwards.
    postgres: bool = False
    quick: bool = False  # a smoke run of the harness with few requests: not figures to quote


Benchmark = Callable[[RunOptions], list]
BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str) -> Callable[[Benchmark], Benchmark]:
    """Register a benchmark under a unique name; `python -m bench --only name` runs just that one."""

    def register(function: Benchmark) -> Benchmark:
        if name in BENCHMARKS and BENCHMARKS[name] is not function:
            raise ValueError(f"two benchmarks are named {name!r}")
        BENCHMARKS[name] = function
        return function

    return register
