"""A headless-browser crawl (Debian's Chromium through Playwright; fixtures from tests/browser/fixtures.py) of every
page reachable by links from the home page and the dashboards, as each role: no request leaves the origin, no
page fails, no page repeats an id, and on every page the CSP blocks a script inserted into the DOM and reports the violation.

Unlike the other browser tests, the crawl's browser context keeps the CSP (no bypass_csp)."""

from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

pytestmark = [pytest.mark.browser]

START = {"anonymous": ["/", "/courses", "/signin"], "learner": ["/", "/learning", "/join", "/account"],
         "trainer": ["/", "/classes", "/author/", "/learning"], "admin": ["/", "/admin/users", "/admin/audit"]}
MAX_PAGES = 45  # per role: enough for every kind of page of the world, with room to spare
NOT_PAGES = (".csv", ".pdf", "/account/export", "/stage", "/results")  # downloads and polled fragments

INJECT = """async () => {
    const violations = [];
    document.addEventListener('securitypolicyviolation', e => violations.push(e.violatedDirective));
    window.__injected = false;
    const script = document.createElement('script');
    script.textContent = 'window.__injected = true';
    document.body.appendChild(script);
    const img = document.createElement('img');
    img.setAttribute('src', '/static/favicon.svg?x');
    img.setAttribute('onload', 'window.__injected = true');
    document.body.appendChild(img);
    for (let i = 0; i < 50 && violations.length < 2; i++) await new Promise(r => setTimeout(r, 10));
    return {ran: window.__injected, violations};
}"""


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def crawl(page, origin: str, starts: list[str]) -> list[str]:
    queue, seen, visited = deque(starts), set(starts), []
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        response = page.goto(path)
        assert response is not None and response.status < 400 or response.status == 404 and path.startswith(
            "/live/"), f"{path} -> {response.status if response else 'no response'}"
        visited.append(path)
        ids = page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
        # A repeated id points a label (or aria reference) at the wrong control.
        assert len(ids) == len(set(ids)), f"{path}: repeated ids {sorted({i for i in ids if ids.count(i) > 1})}"
        result = page.evaluate(INJECT)
        assert result["ran"] is False, f"an injected script ran on {path}"
        assert {"script-src-elem", "script-src-attr"} <= set(result["violations"]) or "script-src" in \
            result["violations"], f"{path}: no CSP violation reported ({result['violations']})"
        for href in page.eval_on_selector_all("a[href]:not([download])", "els => els.map(e => e.href)"):
            url, _fragment = urldefrag(href)
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" != origin or parts.path.endswith(NOT_PAGES):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local not in seen:
                seen.add(local)
                queue.append(local)
    return visited


@pytest.mark.parametrize("who", ["anonymous", "learner", "trainer", "admin"])
def test_every_linked_page_stays_on_the_origin_and_its_csp_blocks_injected_script(browser, live_server,
                                                                                    browser_login, world, who):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        if who != "anonymous":
            browser_login(page, getattr(world.people, who))
        visited = crawl(page, live_server.url, START[who])
    finally:
        context.close()
    assert len(visited) >= {"anonymous": 5, "learner": 10, "trainer": 15, "admin": 15}[who], visited
    foreign = [url for url in requests if not url.startswith(live_server.url) and not url.startswith(("data:",
                                                                                                     "about:"))]
    assert foreign == []
    assert errors == []
