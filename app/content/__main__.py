"""`python -m app.content [PATH]`: check a courses folder, print every problem, exit 1 when there is an error."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .loader import check_library


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.content", description="Check course folders.")
    parser.add_argument("path", nargs="?", default="courses", help="the courses folder (default: courses)")
    arguments = parser.parse_args(argv)
    try:
        result = check_library(Path(arguments.path))
    except Exception as error:  # check_library reports problems itself; this is the last guard against a traceback
        print(f"{arguments.path}:1: internal error: {error!r}")
        return 1
    for problem in (*result.errors, *result.warnings):
        print(problem)
    print(result.summary)
    return 1 if result.errors else 0


if __name__ == "__main__":
    try:
        sys.stdout.reconfigure(errors="backslashreplace")
    except AttributeError:
        pass
    sys.exit(main())
