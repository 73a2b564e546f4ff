"""`python -m bench [--postgres] [--only NAME ...] [--quick] [--markdown]`: run every registered benchmark, print one
table."""

import argparse
import importlib
import os
import pkgutil
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import bench
from bench.report import Measurement, print_table

HELPERS = {"__main__", "harness", "report", "apps"}  # modules of this package that hold no benchmark


def discover() -> None:
    """Import every benchmark module of the package: importing registers its @benchmark functions."""
    for module in pkgutil.iter_modules(bench.__path__):
        if module.name not in HELPERS:
            importlib.import_module(f"bench.{module.name}")


def machine() -> str:
    """The date and the machine, for the table's title: figures mean little without them."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or platform.machine()
    try:
        meminfo = Path("/proc/meminfo").read_text().split()
        memory = f", {int(meminfo[meminfo.index('MemTotal:') + 1]) / 1024 ** 2:.1f} GB RAM"
    except (OSError, ValueError, IndexError):
        memory = ""
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"{date}; {cpu}, {os.cpu_count()} CPUs{memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def main(argv: list[str] | None = None) -> int:
    discover()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--postgres", action="store_true", default=bool(os.environ.get("BENCH_POSTGRES")),
                        help="also measure on PostgreSQL (a throwaway database on 127.0.0.1:5432, dropped after); "
                             "or set BENCH_POSTGRES=1")
    parser.add_argument("--only", action="append", choices=sorted(bench.BENCHMARKS), metavar="NAME",
                        help=f"run only this benchmark (repeatable): {', '.join(sorted(bench.BENCHMARKS))}")
    parser.add_argument("--quick", action="store_true", help="few requests: checks the harness, not figures to quote")
    parser.add_argument("--markdown", action="store_true", help="print the table in Markdown, to paste into the README")
    arguments = parser.parse_args(argv)
    options = bench.RunOptions(postgres=arguments.postgres, quick=arguments.quick)

    rows: list[Measurement] = []
    failed = []
    load_before = os.getloadavg()[0]
    for name in arguments.only or sorted(bench.BENCHMARKS):
        started = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            rows += bench.BENCHMARKS[name](options)
        except Exception as error:  # one broken benchmark must not hide the others' figures
            failed.append(name)
            print(f"{name} failed: {type(error).__name__}: {error}", file=sys.stderr)
        print(f"{name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    # Baselines are measured next to each figure, but a busy machine still skews both: say how busy it was.
    kind = "quick run, not figures to quote" if arguments.quick else "full run"
    print_table(rows, f"Article 26 benchmarks ({kind}): {machine()}; load average {load_before:.1f} before and "
                      f"{os.getloadavg()[0]:.1f} after; loopback; baselines measured in this run",
                markdown=arguments.markdown)
    if failed:
        print(f"FAILED to run: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
