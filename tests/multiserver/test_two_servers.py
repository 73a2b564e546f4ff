"""Several app servers, one database: two gunicorn instances on loopback ports share the suite's kind of database
(a throwaway PostgreSQL database, or a SQLite file) and one Redis database, as production does behind a load
balancer. Sessions, the sign-in rate limit, course edits and quiz submissions must not care which one answers."""

import re
import secrets
import threading
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.learning.models import ModuleProgress
from app.quizzes.models import AttemptAnswer, AttemptStatus, QuizAttempt
from config import TestingConfig
from tests.course_builder import module_text
from tests.databases import throwaway_databases
from tests.factories import DEFAULT_PASSWORD, Factory
from tests.multiserver.harness import AppServer, Browser, open_attempt, sign_in
from tests.processes import unavailable

pytestmark = pytest.mark.slow

REDIS_DB = 13  # a database of its own on the local Redis, flushed before and after
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
LEARNERS = 6
STARTUP_SECONDS = 45


@pytest.fixture(scope="module")
def redis_db():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        client.close()
        unavailable(f"Redis does not answer at {REDIS_URL}: the multi-server tests need it for shared rate limits")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def site(redis_db, tmp_path_factory):
    """The shared database (migrated, with accounts and a course), and the two servers A and B on it."""
    folder = tmp_path_factory.mktemp("multiserver")
    with throwaway_databases(folder) as databases:
        url = databases.new()
        app = create_app(TestingConfig, {"DATABASE_URL": url})
        with app.app_context():
            upgrade()
        make = Factory(app)
        people = {"trainer": make.user(role="trainer", username="shared-trainer"),
                  "learner": make.user(username="shared-learner"),
                  "limited": make.user(username="rate-limited"),
                  "quiz_takers": [make.user(username=f"quiz-taker-{number}") for number in range(LEARNERS)]}
        course = make.course(root=folder / "courses", modules=2)
        environment = {"ARTICLE26_ENV": "development", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": url,
                       "REDIS_URL": REDIS_URL, "COURSES_DIR": str(folder / "courses")}
        servers = [AppServer(name, environment, folder) for name in ("server-a", "server-b")]
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            for server in servers:
                server.wait_until_ready(deadline)
            yield app, servers, people, course
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.stop()
            with app.app_context():
                db.engine.dispose()


def test_a_session_signed_in_through_one_server_is_valid_on_the_other(site):
    _app, (a, b), people, _course = site
    browser = Browser()
    assert sign_in(browser, a, people["learner"]).status == 302
    assert browser.get(b, "/learning").status == 200
    assert browser.get(b, "/account").status == 200

    assert browser.submit(b, "/account", {}, action="/signout").status == 302
    on_a = browser.get(a, "/learning")
    assert on_a.status == 302 and "/signin" in on_a.location


def test_the_sign_in_rate_limit_is_shared_through_redis(site, redis_db):
    app, (a, b), people, _course = site
    limit = int(app.config["SIGNIN_LIMIT_PER_ACCOUNT"].split()[0])
    browser = Browser()
    for attempt in range(limit):
        failed = sign_in(browser, (a, b)[attempt % 2], people["limited"], password="not the password")
        assert failed.status == 200, f"attempt {attempt + 1} was not simply refused ({failed.status})"
    server = (a, b)[limit % 2]
    assert sign_in(browser, server, people["limited"], password="not the password").status == 429
    other = (a, b)[(limit + 1) % 2]
    blocked = sign_in(browser, other, people["limited"])
    assert blocked.status == 429 and blocked.headers["Retry-After"]
    counters = [key.decode() for key in redis_db.keys("LIMITS:*")]
    assert any("signin-account:rate-limited" in key for key in counters), counters


def test_a_course_edit_saved_through_one_server_is_served_by_the_other_at_once(site):
    _app, (a, b), people, course = site
    trainer, learner = Browser(), Browser()
    assert sign_in(trainer, a, people["trainer"]).status == 302
    assert sign_in(learner, b, people["learner"]).status == 302
    editor = f"/author/{course.slug}/m/module-1"
    version = re.search(r'name="version"[^>]*value="(\d+)"', trainer.get(a, editor).body).group(1)
    sentence = f"Edited through server A, token {secrets.token_hex(4)}."
    saved = trainer.submit(a, editor, {"source": module_text(1, with_quiz=False) + f"\n{sentence}\n",
                                       "version": version, "save": "Save"})
    assert saved.status == 302, "the editor did not save"

    assert sentence in learner.get(b, f"/courses/{course.slug}/m/module-1").body
    assert sentence in trainer.get(b, editor).body


def test_concurrent_quiz_submissions_across_both_servers_are_each_recorded_once(site):
    app, servers, people, course = site
    quiz = f"/courses/{course.slug}/m/module-2/quiz"
    takers = []
    for number, user in enumerate(people["quiz_takers"]):
        browser, server = Browser(), servers[number % 2]
        assert sign_in(browser, server, user).status == 302
        takers.append((user, browser, *open_attempt(browser, server, quiz)))

    # Every learner's submission reaches both servers at the same moment (a double click behind a load balancer).
    sends = [(browser, server, path, form) for _user, browser, path, form in takers for server in servers]
    barrier, statuses, lock = threading.Barrier(len(sends)), [], threading.Lock()

    def send(browser, server, path, form):
        barrier.wait(timeout=30)
        status = browser.request(server, "POST", path, form=form).status
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send, args=job) for job in sends]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302] * len(sends), statuses

    with app.app_context():
        for user, *_rest in takers:
            attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)).all()
            assert [attempt.status for attempt in attempts] == [AttemptStatus.SUBMITTED], user.username
            keys = db.session.scalars(select(AttemptAnswer.question_key)
                                      .where(AttemptAnswer.attempt_id == attempts[0].id)).all()
            assert keys and len(keys) == len(set(keys)), f"answers recorded twice for {user.username}"
            assert db.session.scalar(select(func.count()).select_from(ModuleProgress)
                                     .where(ModuleProgress.user_id == user.id)) == 1


def test_each_server_logs_one_line_per_request_to_stderr_and_no_secret(site):
    """Runs last: by now both logs hold this module's sign-ins, failed sign-ins, edits and quiz submissions."""
    _app, servers, people, _course = site
    browser = Browser()
    assert sign_in(browser, servers[0], people["learner"]).status == 302
    secrets_seen = [DEFAULT_PASSWORD, "not the password", *browser.cookies.values()]
    for server in servers:
        browser.get(server, "/courses?page=secret-query")
        lines = server.log_path.read_text().splitlines()
        requests = [line for line in lines if " article26.requests " in line]
        assert any(re.fullmatch(r"\S+ article26\.requests GET /courses 200 \d+\.\dms", line) for line in requests)
        assert any(re.fullmatch(r"\S+ article26\.requests POST /signin 302 \d+\.\dms", line) for line in requests)
        leaked = [line for line in lines for secret in ("secret-query", *secrets_seen) if secret in line]
        assert leaked == []
