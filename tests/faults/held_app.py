"""Article 26 under gunicorn, with two test-only instruments, so that fault tests can act at an exact moment:

- a request carrying the header `X-Hold-Before-Commit: <name>` stops right before its transaction commits (its
  writes flushed, not committed), writes `held-<name>` (holding its worker's pid) into $A26_HOLD_DIR, and waits there
  until the test creates `release-<name>` (or `release-all`);
- each worker writes `terminating-<pid>` into the same folder when it receives SIGTERM.

Serve it as `gunicorn -c python:tests.faults.held_app 'tests.faults.held_app:create()'`. Nothing here is imported
by the app itself: production code has no hook.
"""

import os
import signal
import time
from pathlib import Path

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

HOLD_HEADER = "X-Hold-Before-Commit"
HOLD_SECONDS = 30  # a held request gives up (and fails) after this, so a broken test cannot hang a worker


def _announce(path: Path, text: str) -> None:
    """Write then rename: a test polling for the file never finds it empty."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    os.replace(partial, path)


def hold_folder() -> Path:
    return Path(os.environ["A26_HOLD_DIR"])


def _hold_before_commit(_session) -> None:
    if not has_request_context() or HOLD_HEADER not in request.headers or g.get("held"):
        return
    g.held = True
    name = request.headers[HOLD_HEADER]
    _announce(hold_folder() / f"held-{name}", str(os.getpid()))
    release = hold_folder() / f"release-{name}"
    deadline = time.monotonic() + HOLD_SECONDS
    while not (release.exists() or (hold_folder() / "release-all").exists()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"request {name} was held and never released")
        time.sleep(0.01)


def create():
    from app import create_app

    event.listen(Session, "before_commit", _hold_before_commit)
    return create_app()


def post_worker_init(worker) -> None:
    """A gunicorn server hook (this module is also the server's config file): note SIGTERM, then let the worker
    handle it as usual."""
    handle_exit = signal.getsignal(signal.SIGTERM)

    def on_sigterm(signum, frame):
        (hold_folder() / f"terminating-{os.getpid()}").touch()
        handle_exit(signum, frame)

    signal.signal(signal.SIGTERM, on_sigterm)
