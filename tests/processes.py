"""Helpers for tests that start servers and processes: free loopback ports, and skipping when a tool is missing."""

import os
import socket

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unavailable(reason: str):
    """Skip, unless A26_REQUIRE_FAULT_TESTS=1 (set by CI) makes a missing tool or service a failure."""
    if os.environ.get("A26_REQUIRE_FAULT_TESTS") == "1":
        pytest.fail(f"{reason} (A26_REQUIRE_FAULT_TESTS=1)")
    pytest.skip(reason)
