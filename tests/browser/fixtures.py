"""Browser-test fixtures, registered for the whole suite by tests/conftest.py (one Chromium per session,
whichever folder uses it): Debian's Chromium driven by Playwright against a real server on 127.0.0.1.

Shared by every domain's browser tests. Fixtures: `live_server` (the test app served from a thread; its URL in
`.url`), `browser` (Chromium, once per session), `page` (a fresh context per test, CSRF on), `browser_login`
(signs a page in through the real form) and `axe_violations(page)` (WCAG 2.1 A/AA violations from axe-core).

Assert with `expect(locator).to_be_visible()`, which waits: `locator.is_visible()` right after a click can run before
the next page has loaded.

Without Chromium (or axe-core) the tests skip with the reason; with A26_REQUIRE_BROWSER=1 (set by CI) they fail.
Never `playwright install`: the Chromium is Debian's, at /usr/bin/chromium.
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.factories import DEFAULT_PASSWORD

CHROMIUM = Path(os.environ.get("A26_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_SCRIPT = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def missing_tool(reason: str) -> None:
    if os.environ.get("A26_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (A26_REQUIRE_BROWSER=1 makes this a failure)", pytrace=False)
    pytest.skip(reason)


class QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # the app logs its own requests when asked to
        pass


def bodies_closed_at_once(app):
    """Werkzeug's development server closes a response only after its clean-up has read the socket, and that read
    raises when the browser has just hung up (a page left mid-download): a file that send_file opened then stays
    open, and its ResourceWarning fails whichever test is running. The test server reads each body whole and
    closes it at once (the app streams nothing)."""
    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
    return wsgi


class LiveServer:
    def __init__(self, app):
        self._server = make_server("127.0.0.1", 0, bodies_closed_at_once(app), threaded=True,
                                   request_handler=QuietRequestHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def start(self) -> "LiveServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()


@pytest.fixture
def live_server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        missing_tool(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    # bypass_csp lets the test inject axe-core; the app's own pages never need it.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def new_page(browser, live_server):
    """Another, separate browser (no shared cookies): new_page() -> page."""
    contexts = []

    def _open():
        context = browser.new_context(base_url=live_server.url, bypass_csp=True)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def browser_login():
    def _login(page, user, password: str = DEFAULT_PASSWORD):
        page.goto("/signin")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert "/signin" not in page.url, f"sign-in failed for {user.username}"
        return page

    return _login


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        missing_tool(f"axe-core not found at {AXE_SCRIPT}: run `npm ci --prefix tests/browser`")
    return AXE_SCRIPT.read_text()


@pytest.fixture
def axe_violations(axe_source):
    """axe_violations(page) -> the WCAG 2.1 A/AA violations on the page as it is now, as readable strings."""

    def _check(page) -> list[str]:
        page.evaluate(axe_source)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA_TAGS)
        return [
            f"{violation['id']} ({violation['impact']}): {violation['help']} — "
            + "; ".join(node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
                        for node in violation["nodes"][:5])
            for violation in result["violations"]
        ]

    return _check
