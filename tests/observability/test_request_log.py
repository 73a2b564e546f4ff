"""The request log: one line per request (method, path, status, duration) and nothing a person typed or a token.

A learner signs up with a password and an e-mail address, fails a sign-in, signs in, reads a course and answers a
quiz in free text; a trainer saves a module in the editor. Every log record of the run is then searched for the
secrets involved.
"""

import logging
import re

import pytest

from tests.conftest import csrf_token_from
from tests.course_builder import module_text

PASSWORD = "Unusual-Walrus-Passphrase-31"
WRONG_PASSWORD = "Wrong-Walrus-Passphrase-13"
EMAIL = "defender.private@example.org"
FREE_TEXT_ANSWER = "Twenty-six, from my own notes about Salwa"
EDITOR_TEXT = "A paragraph the trainer typed in the editor."
REQUEST_LINE = re.compile(r"^(GET|POST) (/\S*) (\d{3}) (\d+\.\d)ms$")


@pytest.fixture
def app_overrides():
    return {"LOG_REQUESTS": True, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def request_records():
    """The request log's records, caught on its own logger (outside tests it does not propagate to the root)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("article26.requests")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield records
    logger.removeHandler(handler)
    logger.setLevel(level)


class Visitor:
    """A test client that fills in CSRF tokens from the page it came from, and remembers every token it saw."""

    def __init__(self, client):
        self.client, self.tokens, self.requests = client, set(), 0

    def get(self, path: str, **options):
        self.requests += 1
        return self.client.get(path, **options)

    def post_form(self, page_path: str, data: dict, action: str | None = None):
        token = csrf_token_from(self.get(page_path).get_data(as_text=True))
        self.tokens.add(token)
        self.requests += 1
        return self.client.post(action or page_path, data={"csrf_token": token, **data})

    def cookie_values(self) -> set[str]:
        return {cookie.value for cookie in self.client._cookies.values()}


def test_each_request_is_one_line_without_passwords_emails_cookies_tokens_or_answers(app, make, caplog,
                                                                                      request_records):
    caplog.set_level(logging.INFO)
    course = make.course(modules=3, quiz_modules=(3,))
    trainer = make.user(role="trainer", username="log-trainer")
    learner, secrets = Visitor(app.test_client()), set()

    signed_up = learner.post_form("/signup", {"username": "log-learner", "email": EMAIL, "password": PASSWORD,
                                              "display_name": "Log Learner", "audience": "police", "language": "en"})
    assert signed_up.status_code == 302
    secrets |= learner.cookie_values()
    learner.post_form("/account", {}, action="/signout")
    assert learner.post_form("/signin", {"username": "log-learner", "password": WRONG_PASSWORD}).status_code == 200
    assert learner.post_form("/signin", {"username": "log-learner", "password": PASSWORD}).status_code == 302
    secrets |= learner.cookie_values()
    assert learner.get(f"/courses/{course.slug}").status_code == 200

    quiz = f"/courses/{course.slug}/m/module-3/quiz"
    assert learner.post_form(quiz, {}, action=f"{quiz}/attempts").status_code == 302
    quiz_page = learner.get(quiz).get_data(as_text=True)
    submit_path = re.search(r'action="([^"]+/submit)"', quiz_page).group(1)
    learner.tokens.add(csrf_token_from(quiz_page))
    learner.requests += 1
    submitted = learner.client.post(submit_path, data={"csrf_token": csrf_token_from(quiz_page),
                                                       "q-m3-short": FREE_TEXT_ANSWER})
    assert submitted.status_code == 302
    secrets.add(submit_path.split("/")[-2])  # the attempt's token

    editor = Visitor(app.test_client())
    assert editor.post_form("/signin", {"username": trainer.username, "password": "correct horse battery"}) \
        .status_code == 302
    editor_path = f"/author/{course.slug}/m/module-1"
    page = editor.get(editor_path).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    saved = editor.post_form(editor_path, {"source": module_text(1, with_quiz=False) + f"\n{EDITOR_TEXT}\n",
                                           "version": version, "save": "Save"})
    assert saved.status_code == 302, "the editor did not save"
    secrets |= editor.cookie_values() | learner.tokens | editor.tokens

    lines = [record.getMessage() for record in request_records]
    assert len(lines) == learner.requests + editor.requests
    parsed = [REQUEST_LINE.match(line) for line in lines]
    assert all(parsed), [line for line, match in zip(lines, parsed, strict=True) if not match]
    seen = {(match.group(1), match.group(2), match.group(3)) for match in parsed}
    assert ("POST", "/signin", "200") in seen and ("POST", "/signin", "302") in seen
    assert ("POST", editor_path, "302") in seen and ("GET", f"/courses/{course.slug}", "200") in seen
    assert ("POST", f"{quiz}/attempts/<token>/submit", "302") in seen

    everything_logged = "\n".join(f"{record.name} {record.getMessage()}"
                                  for record in [*caplog.records, *request_records])
    everything_logged += caplog.text
    for secret in {PASSWORD, WRONG_PASSWORD, EMAIL, "defender.private", FREE_TEXT_ANSWER, EDITOR_TEXT} | secrets:
        assert secret and secret not in everything_logged, f"logged: {secret[:12]}…"


def test_the_development_servers_own_request_lines_are_dropped(app, caplog):
    # `flask run` logs each request with the client's address and the query string: the privacy page says no log
    # keeps them. Its start-up lines still show.
    from werkzeug.serving import _log

    with caplog.at_level(logging.INFO, logger="werkzeug"):
        _log("info", '203.0.113.9 - - [25/Nov/2026 10:00:00] "%s" %s %s\n',
             "GET /verify/SECRETCODE?q=name HTTP/1.1", "200", "-")
        _log("info", " * Running on http://127.0.0.1:5000")
    messages = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert messages == [" * Running on http://127.0.0.1:5000"]
