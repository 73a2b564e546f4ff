"""Every state-changing route refuses a request without a CSRF token — found by sweeping url_map, not a list."""

import re

import pytest

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def example_url(rule) -> str:
    url = rule.rule
    for argument in rule.arguments:
        url = re.sub(rf"<(?:[^:<>]+:)?{argument}>", "1", url)
    return url


def state_changing_rules(app):
    return [(rule, method) for rule in app.url_map.iter_rules() for method in sorted(rule.methods & STATE_CHANGING)]


def test_the_sweep_finds_the_state_changing_routes(app):
    endpoints = {rule.endpoint for rule, _method in state_changing_rules(app)}
    assert {"auth.sign_in", "auth.sign_out", "admin.deactivate_user", "authoring.edit_module"} <= endpoints


@pytest.mark.parametrize("who", ["anonymous", "learner", "admin"])
def test_every_state_changing_route_refuses_a_missing_token(app, people, who):
    client = app.test_client()
    user = getattr(people, who)
    if user is not None:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/signin").get_data(as_text=True))
        client.post("/signin", data={"username": user.username, "password": "correct horse battery",
                                     "csrf_token": token.group(1)})
        assert client.get("/account").status_code == 200
    for rule, method in state_changing_rules(app):
        response = client.open(example_url(rule), method=method, data={"anything": "x"})
        assert response.status_code == 400, (rule.rule, method, who, response.status_code)
        assert b"This form has expired" in response.data or response.is_json


def test_a_token_from_another_session_is_refused(app, people):
    attacker, victim = app.test_client(), app.test_client()
    foreign = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', attacker.get("/signin").get_data(as_text=True))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', victim.get("/signin").get_data(as_text=True))
    victim.post("/signin", data={"username": people.learner.username, "password": "correct horse battery",
                                 "csrf_token": token.group(1)})
    response = victim.post("/signout", data={"csrf_token": foreign.group(1)})
    assert response.status_code == 400
    assert victim.get("/account").status_code == 200


def test_a_form_sent_after_the_session_ended_says_what_to_do(app, people, make):
    """The learner's session ended while a quiz page was open: the refusal speaks of the form, not of a token, and
    offers the way back and a sign-in that returns to the page."""
    client = app.test_client()
    response = client.post("/account", data={"csrf_token": "from a session that has ended"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "This form has expired" in page and "CSRF" not in page
    # True with JavaScript off too: only what was saved is promised.
    assert "On a quiz, the answers already saved are kept; with JavaScript on, those typed in this tab" in page
    assert "data-go-back" in page and 'href="/signin?next=/account"' in page
    assert page.count('href="/signin?next=/account"') == 2  # the menu's Sign in returns there too


def test_a_quiz_submitted_after_the_session_ended_offers_a_sign_in_that_returns_to_it(app):
    """The submit address is not a page; the nearest page above it (the attempt) leads back to the quiz."""
    response = app.test_client().post("/courses/c/m/m/quiz/attempts/TOKEN/submit", data={"csrf_token": "stale"})
    assert 'href="/signin?next=/courses/c/m/m/quiz/attempts/TOKEN"' in response.get_data(as_text=True)

