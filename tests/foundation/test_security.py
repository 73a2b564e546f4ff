import time

import pytest
from flask import Blueprint, abort

from app.security import is_safe_redirect_path
from tests.conftest import csrf_token_from, sign_in


@pytest.mark.parametrize("target", [
    "//evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)", "http:/evil",
    "evil.example", "", "/\r\nLocation: https://evil", "/\tevil", "\\\\evil", "/\x00",
])
def test_unsafe_next_targets_are_refused(target):
    assert not is_safe_redirect_path(target)


@pytest.mark.parametrize("target", ["/", "/account", "/courses/x?tab=2#part"])
def test_same_origin_paths_are_allowed(target):
    assert is_safe_redirect_path(target)


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)"])
def test_sign_in_never_redirects_off_site(client, people, target):
    response = client.post("/signin", data={"username": people.learner.username,
                                            "password": "correct horse battery", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/learning"


@pytest.mark.parametrize(("who", "home"), [("learner", "/learning"), ("trainer", "/classes"), ("admin", "/classes")])
def test_signing_in_without_a_next_leads_a_teacher_to_their_classes_and_a_learner_to_their_work(app, people, who,
                                                                                                home):
    user = getattr(people, who)
    response = app.test_client().post("/signin", data={"username": user.username, "password": "correct horse battery"})
    assert response.status_code == 302 and response.headers["Location"] == home


def test_sign_in_follows_a_safe_next(client, people):
    response = client.post("/signin", data={"username": people.learner.username,
                                            "password": "correct horse battery", "next": "/account"})
    assert response.headers["Location"] == "/account"


def test_security_headers_on_every_response(client):
    for path in ("/", "/signin", "/does-not-exist", "/static/css/site.css"):
        with client.get(path) as response:
            headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"


def test_signed_in_pages_are_not_cached(client, people):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    sign_in(client, people.learner)
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_the_sites_own_files_stay_cacheable_for_signed_in_users(client, people):
    sign_in(client, people.learner)
    with client.get("/static/css/site.css") as response:
        # Revalidated with its ETag, never downloaded again on every page: learners on slow, costly connections.
        assert "no-store" not in response.headers["Cache-Control"] and response.headers["ETag"]


def test_templates_have_no_inline_scripts_or_styles(client, people):
    sign_in(client, people.admin)
    for path in ("/", "/signin", "/account", "/admin/users", "/admin/users/new", "/privacy"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "<style" not in html
        assert " on" + "click=" not in html


def test_session_cookie_flags(client, people):
    response = client.post("/signin", data={"username": people.learner.username, "password": "correct horse battery"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


class TestWithCsrfOn:
    @pytest.fixture
    def app_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_post_without_token_is_refused(self, client, people):
        response = client.post("/signin", data={"username": people.learner.username,
                                                "password": "correct horse battery"})
        assert response.status_code == 400

    def test_post_with_token_from_the_form_succeeds(self, client, people):
        token = csrf_token_from(client.get("/signin").get_data(as_text=True))
        response = client.post("/signin", data={"username": people.learner.username,
                                                "password": "correct horse battery", "csrf_token": token})
        assert response.status_code == 302

    def test_sign_out_needs_the_token(self, client, people):
        token = csrf_token_from(client.get("/signin").get_data(as_text=True))
        client.post("/signin", data={"username": people.learner.username, "password": "correct horse battery",
                                     "csrf_token": token})
        assert client.post("/signout").status_code == 400
        assert client.get("/account").status_code == 200

    def test_the_session_cookie_set_at_sign_in_serves_the_pages_that_follow(self, client, people):
        """It carries the new session's CSRF secret: the signed-in pages (each with a sign-out form) never rewrite
        the cookie, and their token is accepted."""
        token = csrf_token_from(client.get("/signin").get_data(as_text=True))
        client.post("/signin", data={"username": people.learner.username, "password": "correct horse battery",
                                     "csrf_token": token})
        for path in ("/", "/account", "/courses"):
            response = client.get(path)
            assert response.status_code == 200 and "Set-Cookie" not in response.headers, path
        token = csrf_token_from(response.get_data(as_text=True))
        assert client.post("/signout", data={"csrf_token": token}).status_code == 302


class TestSignInRateLimit:
    @pytest.fixture
    def app_overrides(self):
        return {"RATELIMIT_ENABLED": True, "SIGNIN_LIMIT_PER_ACCOUNT": "3 per minute",
                "SIGNIN_LIMIT_PER_IP": "6 per minute", "RATELIMIT_STORAGE_URI": "memory://"}

    def test_per_account_limit_then_429(self, client, people):
        for _ in range(3):
            assert client.post("/signin", data={"username": "lena", "password": "wrong-password!"}).status_code == 200
        blocked = client.post("/signin", data={"username": "lena", "password": "correct horse battery"})
        assert blocked.status_code == 429
        # How long, and why even the right password waits: what is left of the limit's window, not a guess.
        assert 0 < int(blocked.headers["Retry-After"]) <= 61  # "3 per minute" (the limiter rounds its reset up)
        assert "signing in is paused, even with the right password. Try again in 1 minute." in blocked.text
        assert 'href="/signin" data-go-back>Go back</a>' in blocked.text
        assert "Sign in again" not in blocked.text  # nobody was signed out

    def test_a_pause_leads_back_to_the_form_and_where_it_was_going(self, client, people):
        for _ in range(3):
            client.post("/signin", data={"username": "lena", "password": "wrong-password!", "next": "/learning"})
        blocked = client.post("/signin?next=/learning",
                              data={"username": "lena", "password": "x" * 10, "next": "/learning"})
        assert blocked.status_code == 429
        assert 'href="/signin?next=/learning" data-go-back>Go back</a>' in blocked.text
        foreign = client.post("/signin", data={"username": "lena", "password": "x" * 10, "next": "//evil.example"})
        assert 'href="/signin" data-go-back>Go back</a>' in foreign.text
        assert "evil.example" not in foreign.text

    def test_the_last_wrong_passwords_before_a_pause_say_it_is_coming(self, client, people):
        def wrong(username="lena"):
            return client.post("/signin", data={"username": username, "password": "wrong-password!"}).text

        assert "2 more wrong passwords and signing in to this account pauses for a few minutes, even with the " \
               "right one." in wrong()  # 3 per minute: warned from two left (of 5 in production: from the third)
        assert "1 more wrong password and signing in to this account pauses for a few minutes" in wrong()
        assert "Signing in to this account is now paused for a few minutes, even with the right password." in wrong()
        # The same words for a username nobody has: the warning tells nothing about which accounts exist.
        wrong("nobody-here")
        assert "1 more wrong password and signing in to this account pauses" in wrong("nobody-here")

    def test_a_pause_says_the_time_left_not_the_whole_window(self, app, client, people, monkeypatch):
        app.config["SIGNIN_LIMIT_PER_ACCOUNT"] = "3 per 10 minutes"
        for _ in range(3):
            client.post("/signin", data={"username": "lena", "password": "wrong-password!"})
        later = time.time() + 7 * 60
        monkeypatch.setattr(time, "time", lambda: later)
        blocked = client.post("/signin", data={"username": "lena", "password": "correct horse battery"})
        assert blocked.status_code == 429
        assert 120 <= int(blocked.headers["Retry-After"]) <= 180
        assert "Try again in 3 minutes." in blocked.text

    def test_the_account_forms_that_check_a_password_are_limited_together(self, app, client, people):
        sign_in(client, people.learner)
        wrong = {"current_password": "not my password", "new_password": "a brand new passphrase",
                 "confirm_password": "a brand new passphrase"}
        typo = {"current_password": "correct horse battery", "new_password": "a brand new passphrase",
                "confirm_password": "a brand new passphrasf"}
        for _ in range(4):  # a typo in the new password, or an unticked box, is not a wrong password
            assert client.post("/account/password", data=typo).status_code == 200
            assert client.post("/account/delete", data={"password": "not my password"}).status_code == 200
        for _ in range(2):
            assert client.post("/account/password", data=wrong).status_code == 200
        refused = client.post("/account/delete", data={"password": "not my password", "understood": "y"})
        assert refused.status_code == 200 and "The password is wrong." in refused.text
        blocked = client.post("/account/delete", data={"password": "correct horse battery", "understood": "y"})
        assert blocked.status_code == 429 and 'href="/account/delete" data-go-back>Go back</a>' in blocked.text
        assert client.post("/account/password", data=wrong).status_code == 429
        assert client.get("/account/password").status_code == 200  # the page still opens
        other = app.test_client()  # another account is not held back
        sign_in(other, people.other_learner)
        assert other.post("/account/password", data=wrong).status_code == 200

    def test_per_ip_limit_across_accounts(self, client, people):
        for number in range(6):
            client.post("/signin", data={"username": f"someone{number}", "password": "wrong-password!"})
        assert client.post("/signin", data={"username": "lena", "password": "x" * 10}).status_code == 429

    def test_successful_sign_ins_do_not_count(self, app, people):
        for _ in range(5):
            client = app.test_client()
            assert sign_in(client, people.learner).status_code == 302


@pytest.fixture
def app_with_failing_routes(app):
    failing = Blueprint("failing", __name__)

    @failing.route("/boom")
    def boom():
        raise RuntimeError("SELECT secret FROM /srv/article26/app.py")

    @failing.route("/unavailable")
    def unavailable():
        abort(503)

    app.register_blueprint(failing)
    return app


def test_a_500_shows_a_plain_page_without_trace_sql_or_path(app_with_failing_routes):
    response = app_with_failing_routes.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "Traceback" not in body
    assert "SELECT" not in body and "/srv/" not in body and "app.py" not in body


def test_errors_are_json_for_json_clients(app_with_failing_routes):
    client = app_with_failing_routes.test_client()
    response = client.get("/nowhere", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json["status"] == 404
    assert client.get("/boom", headers={"Accept": "application/json"}).json["status"] == 500


@pytest.mark.parametrize(("method", "path", "status"), [
    ("get", "/nowhere", 404), ("get", "/signout", 405), ("get", "/unavailable", 503),
])
def test_error_pages_use_the_site_layout(app_with_failing_routes, method, path, status):
    response = getattr(app_with_failing_routes.test_client(), method)(path)
    assert response.status_code == status
    assert b'class="site-header"' in response.data and b'id="main"' in response.data


def test_oversized_request_gets_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/signin", data={"username": "x" * 5000, "password": "y"})
    assert response.status_code == 413
