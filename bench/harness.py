"""Serving and loading on loopback: gunicorn servers, a keep-alive HTTP load generator, percentiles, RSS.

The load generator is plain Python (threads and http.client, spread over a few processes so the GIL of one client
process does not cap the figures); it only ever connects to 127.0.0.1, and every run is bounded in requests and time.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"


# --- Servers ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerSettings:
    """How both the app and the baseline are served, so the comparison is like for like."""

    workers: int = 2
    worker_class: str = "gthread"  # keep-alive, and a thread can wait on the database while another renders
    # Two threads, not more: a thread back from the database waits for the GIL behind its siblings, and under
    # SQLite that wait stretches the single writer's turn (4 threads: 493 submissions/s; 2 threads: 647/s).
    threads: int = 2

    def describe(self) -> str:
        if self.worker_class == "gthread":
            return f"gunicorn {self.workers} gthread workers x {self.threads} threads"
        return f"gunicorn {self.workers} {self.worker_class} workers"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


class GunicornServer:
    """`with GunicornServer("bench.apps:hello", settings) as server:` — started, ready, stopped on exit."""

    def __init__(self, app_spec: str, settings: ServerSettings, *, env: dict[str, str] | None = None,
                 ready_path: str = "/"):
        self.app_spec = app_spec
        self.settings = settings
        self.env = {**os.environ, **(env or {})}
        self.ready_path = ready_path
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="a26-bench-gunicorn-", suffix=".log", delete=False)

    def __enter__(self) -> GunicornServer:
        command = [
            sys.executable, "-m", "gunicorn", "--workers", str(self.settings.workers),
            "--worker-class", self.settings.worker_class, "--threads", str(self.settings.threads),
            "--bind", f"{LOOPBACK}:{self.port}", "--log-level", "warning", "--backlog", "256",
            self.app_spec,
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log)
        self._wait_until_ready()
        return self

    def _wait_until_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.app_spec} exited at start-up; see {self.log.name}")
            try:
                connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=2)
                connection.request("GET", self.ready_path)
                status = connection.getresponse().status
                connection.close()
                if status < 500 and len(self.worker_pids()) >= self.settings.workers:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.app_spec} was not ready after {timeout:.0f} s; see {self.log.name}")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def worker_rss_mb(self) -> list[float]:
        return list(self.worker_rss_by_pid().values())

    def worker_rss_by_pid(self) -> dict[int, float]:
        """Resident memory (MB) of each worker alive now."""
        sizes = {}
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            kilobytes = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            sizes[pid] = kilobytes / 1024
        return sizes

    def __exit__(self, *exc_info) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the master stops its own workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# --- HTTP clients ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    expect: int = 200


class Browser:
    """One keep-alive connection with a cookie jar: enough to sign in and fill forms for the setup phase."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> tuple[tuple[str, str], ...]:
        if not self.cookies:
            return ()
        return (("Cookie", "; ".join(f"{name}={value}" for name, value in self.cookies.items())),)

    def send(self, method: str, path: str, form: dict[str, str | list[str]] | None = None) -> tuple[int, str, str]:
        """(status, body, Location header)"""
        headers = dict(self.cookie_header())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        if response.will_close:
            self.connection.close()
        return response.status, text, response.headers.get("Location", "")

    def close(self) -> None:
        self.connection.close()


# --- Load ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientPlan:
    """One simulated client: its requests, sent in order, cycling when `repeat` until the request or time bound."""

    requests: tuple[Request, ...]
    repeat: bool = True


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)  # seconds, of the requests answered as expected
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0  # connection failures and unexpected statuses
    elapsed: float = 0.0

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
        return ordered[index] * 1000


# Each client opens a new connection after this many requests. Gunicorn's workers take connections as they come,
# so a handful of long-lived keep-alive connections often sit unevenly on them (with 8 clients and 2 workers we saw
# 8/0, 7/1 and 6/2 splits as often as 4/4), and the busier worker caps the run: every figure, baselines included,
# then moves with that split. Reconnecting lets the spread even out within a round, at one loopback connect per
# 100 requests.
REQUESTS_PER_CONNECTION = 100


def _run_client(port: int, plan: ClientPlan, max_requests: int, start_at: float, stop_at: float,
                results: list[tuple[LoadResult, float]]) -> None:
    result = LoadResult()
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    sent = 0
    index = 0
    time.sleep(max(0.0, start_at - time.time()))
    while sent < max_requests and time.time() < stop_at:
        if index >= len(plan.requests):
            if not plan.repeat:
                break
            index = 0
        request = plan.requests[index]
        index += 1
        if sent and sent % REQUESTS_PER_CONNECTION == 0:
            connection.close()  # http.client connects again on the next request
        sent += 1
        began = time.perf_counter()
        try:
            connection.request(request.method, request.path, body=request.body, headers=dict(request.headers))
            response = connection.getresponse()
            response.read()
            if response.will_close:
                connection.close()
        except (OSError, http.client.HTTPException):
            connection.close()
            result.errors += 1
            continue
        finished = time.perf_counter()
        result.statuses[response.status] += 1
        if response.status == request.expect:
            result.latencies.append(finished - began)
        else:
            result.errors += 1
    connection.close()
    results.append((result, time.time()))  # list.append is atomic: no lock needed


def _run_process(port: int, plans: list[ClientPlan], max_requests: int, start_at: float,
                 stop_at: float) -> list[tuple[LoadResult, float]]:
    import threading

    results: list[tuple[LoadResult, float]] = []
    threads = [
        threading.Thread(target=_run_client, args=(port, plan, max_requests, start_at, stop_at, results))
        for plan in plans
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def run_load(port: int, plans: list[ClientPlan], *, max_requests_per_client: int, max_seconds: float,
             processes: int = 2) -> LoadResult:
    """Run every plan as its own thread, the threads spread over `processes` processes, all released together."""
    processes = max(1, min(processes, len(plans)))
    groups = [plans[number::processes] for number in range(processes)]
    start_at = time.time() + 0.5 + 0.1 * processes
    stop_at = start_at + max_seconds
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        parts = pool.starmap(
            _run_process, [(port, group, max_requests_per_client, start_at, stop_at) for group in groups])
    total = LoadResult()
    last_end = start_at
    for part, ended in (client for process in parts for client in process):
        total.latencies.extend(part.latencies)
        total.statuses.update(part.statuses)
        total.errors += part.errors
        last_end = max(last_end, ended)
    total.elapsed = last_end - start_at
    return total
