"""Two gunicorn instances of the app on loopback ports, and a small cookie-keeping HTTP client (stdlib only)."""

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from html import unescape
from http.cookies import SimpleCookie
from pathlib import Path
from threading import Lock
from urllib.parse import urlencode

from tests.factories import DEFAULT_PASSWORD
from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 15
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class AppServer:
    """`gunicorn 'app:create_app()'` with the given environment; stderr (the request log) goes to a file."""

    def __init__(self, name: str, environment: dict[str, str], folder: Path, *, app: str = "app:create_app()",
                 options: tuple[str, ...] = ()):
        """`options` are further gunicorn options; given after the defaults, they override them."""
        self.name, self.port = name, free_port()
        self.log_path = folder / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers", "2",
             "--timeout", "30", "--graceful-timeout", "1", "--no-control-socket", "--chdir", str(ROOT),
             *options, app],
            env={**os.environ, **environment}, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_until_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_path.read_text()[-2000:]}")
            try:
                if Browser().get(self, "/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer /healthz in time: {self.log_path.read_text()[-2000:]}")

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        """After terminate(): wait for the graceful shutdown, or kill the whole process group."""
        if self.process.poll() is None:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


class Browser:
    """One person's browser: a cookie jar shared by every server (cookies are per host, not per port)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self._lock = Lock()

    def request(self, server: AppServer, method: str, path: str, form: dict | None = None,
                headers: dict | None = None) -> Response:
        with self._lock:
            cookie_header = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        sent = {**({"Cookie": cookie_header} if cookie_header else {}), **(headers or {})}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=sent)
            reply = connection.getresponse()
            response = Response(reply.status, reply.headers, reply.read().decode("utf-8", "replace"))
        finally:
            connection.close()
        self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
        return response

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        with self._lock:
            for header in set_cookies:
                for name, morsel in SimpleCookie(header).items():
                    if not morsel.value or morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value

    def get(self, server: AppServer, path: str, **options) -> Response:
        return self.request(server, "GET", path, **options)

    def submit(self, server: AppServer, page: str, form: dict, action: str | None = None) -> Response:
        """Open `page` on `server`, take the CSRF token from its form, and post `form` to `action` (or the page)."""
        opened = self.get(server, page)
        match = CSRF_INPUT.search(opened.body)
        assert match, f"no CSRF token on {page} ({opened.status})"
        return self.request(server, "POST", action or page, form={"csrf_token": unescape(match.group(1)), **form})


def sign_in(browser: Browser, server: AppServer, user, password: str = DEFAULT_PASSWORD) -> Response:
    return browser.submit(server, "/signin", {"username": user.username, "password": password})


def open_attempt(browser: Browser, server: AppServer, quiz: str) -> tuple[str, dict]:
    """Start an attempt; return its submit path and a filled-in answer form (with the CSRF token)."""
    started = browser.submit(server, quiz, {}, action=f"{quiz}/attempts")
    assert started.status == 302, started.status
    page = browser.get(server, quiz).body
    submit_path = unescape(re.search(r'action="([^"]+/submit)"', page).group(1))
    token = unescape(CSRF_INPUT.search(page).group(1))
    return submit_path, {"csrf_token": token, "q-m2-short": "26"}
