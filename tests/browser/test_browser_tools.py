"""The browser-test tools themselves: a checker that never reports anything would prove nothing."""


def test_axe_reports_a_violation_it_is_shown(page, axe_violations):
    page.goto("/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=/static/favicon.svg>')")
    assert [violation.split(" ")[0] for violation in axe_violations(page)] == ["image-alt"]


def test_the_live_server_serves_the_app_with_its_security_headers(page):
    response = page.goto("/healthz")
    assert response.status == 200 and "default-src 'self'" in response.headers["content-security-policy"]
