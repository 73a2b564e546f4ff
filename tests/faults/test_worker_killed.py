"""Worker killed: SIGKILL of a gunicorn worker while quiz submissions are in flight, and SIGTERM of the master while
one is.

The app runs under gunicorn (2 gthread workers x 4 threads) on the suite's kind of database,
with CSRF on. tests/faults/held_app.py holds chosen submissions right before their commit (graded, attempt flipped,
answers written, progress updated, nothing committed), so the kill and the SIGTERM land at that exact moment.
"""

import http.client
import os
import secrets
import signal
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.learning.models import ModuleProgress
from app.quizzes.models import AttemptAnswer, AttemptStatus, QuizAttempt
from config import TestingConfig
from tests.databases import throwaway_databases
from tests.factories import Factory
from tests.faults.held_app import HOLD_HEADER
from tests.multiserver.harness import AppServer, Browser, open_attempt, sign_in

pytestmark = pytest.mark.slow

LEARNERS = 6
QUESTIONS = 5  # in the quiz tests/course_builder.py writes
RIGHT_ANSWERS = {"q-m2-single": "b", "q-m2-multiple": ["a", "b"], "q-m2-truefalse": "b", "q-m2-short": "26",
                 "q-m2-case-first": "a"}
QUIZ = "/courses/test-course/m/module-2/quiz"
SERVER = {"app": "tests.faults.held_app:create()",
          "options": ("--config", "python:tests.faults.held_app", "--worker-class", "gthread", "--threads", "4",
                      "--graceful-timeout", "20")}
WAIT_SECONDS = 30


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A migrated throwaway database with a course and learners, and the environment to serve it with."""
    folder = tmp_path_factory.mktemp("worker-killed")
    with throwaway_databases(folder) as databases:
        url = databases.new()
        app = create_app(TestingConfig, {"DATABASE_URL": url})
        with app.app_context():
            upgrade()
        make = Factory(app)
        learners = [make.user(username=f"in-flight-{number}") for number in range(LEARNERS + 1)]
        make.course(root=folder / "courses", modules=2)
        environment = {"ARTICLE26_ENV": "development", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": url,
                       "COURSES_DIR": str(folder / "courses")}
        try:
            yield app, environment, learners
        finally:
            with app.app_context():
                db.engine.dispose()


@contextmanager
def held_app_server(name: str, environment: dict, hold_dir: Path):
    server = AppServer(name, {**environment, "A26_HOLD_DIR": str(hold_dir)}, hold_dir, **SERVER)
    try:
        server.wait_until_ready(time.monotonic() + 45)
        yield server
    finally:
        (hold_dir / "release-all").touch()
        server.terminate()
        server.stop()


def wait_for(condition: Callable, what: str):
    deadline = time.monotonic() + WAIT_SECONDS
    while not (found := condition()):
        assert time.monotonic() < deadline, f"waited {WAIT_SECONDS} s for {what}"
        time.sleep(0.01)
    return found


def worker_pids(server: AppServer) -> set[int]:
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    return {int(pid) for pid in children.read_text().split()}


class Submission(threading.Thread):
    """One learner's submission, held before its commit under `name`; `status` is None if the connection died."""

    def __init__(self, server: AppServer, browser: Browser, path: str, form: dict, name: str):
        super().__init__(daemon=True)
        self.send = lambda: browser.request(server, "POST", path, form=form, headers={HOLD_HEADER: name})
        self.status: int | None = None
        self.start()

    def run(self):
        try:
            self.status = self.send().status
        except (OSError, http.client.HTTPException):
            self.status = None


def assert_no_attempt_is_half_written(app):
    """Open: no score, no answers. Submitted: a score, a passed flag, one answer per question, and the learner's
    progress shows the result."""
    with app.app_context():
        answers = dict(db.session.execute(select(AttemptAnswer.attempt_id, func.count())
                                          .group_by(AttemptAnswer.attempt_id)).all())
        for attempt in db.session.scalars(select(QuizAttempt)):
            if attempt.status == AttemptStatus.OPEN:
                assert attempt.open_slot == 1 and attempt.score is None and attempt.passed is None
                assert attempt.submitted_at is None and attempt.id not in answers, f"half-written {attempt.token}"
                continue
            assert attempt.status == AttemptStatus.SUBMITTED and attempt.open_slot is None
            assert attempt.score is not None and attempt.passed is not None and attempt.submitted_at is not None
            assert answers.get(attempt.id) == QUESTIONS, f"attempt {attempt.id} has {answers.get(attempt.id)} answers"
            progress = db.session.scalar(select(ModuleProgress).where(ModuleProgress.user_id == attempt.user_id,
                                                                      ModuleProgress.module_id == attempt.module_id))
            assert progress is not None and progress.last_score == attempt.score


def attempts_of(app, user) -> list[QuizAttempt]:
    with app.app_context():
        attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)).all()
        db.session.expunge_all()
        return attempts


def test_a_worker_killed_mid_submission_leaves_no_half_written_attempt_and_a_resubmission_counts_once(site, tmp_path):
    app, environment, learners = site
    with held_app_server("killed", environment, tmp_path) as server:
        takers = []
        for learner in learners[:LEARNERS]:
            browser = Browser()
            assert sign_in(browser, server, learner).status == 302
            path, form = open_attempt(browser, server, QUIZ)
            takers.append((learner, browser, path, {**form, **RIGHT_ANSWERS}))
        submissions = [Submission(server, browser, path, form, learner.username)
                       for learner, browser, path, form in takers]

        held = wait_for(lambda: sorted(tmp_path.glob("held-*")), "a submission to reach its commit")[0]
        killed_name, pid = held.name.removeprefix("held-"), int(held.read_text())
        assert pid in worker_pids(server)
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: pid not in worker_pids(server), "the master to reap the killed worker")
        (tmp_path / "release-all").touch()
        for submission in submissions:
            submission.join(timeout=WAIT_SECONDS)
            assert not submission.is_alive()

        statuses = {learner.username: submission.status for (learner, *_), submission in zip(takers, submissions, strict=True)}
        assert statuses[killed_name] is None, "the killed worker's held submission was answered"
        assert set(statuses.values()) <= {302, None}, statuses
        assert_no_attempt_is_half_written(app)
        killed = next(learner for learner, *_ in takers if learner.username == killed_name)
        assert [attempt.status for attempt in attempts_of(app, killed)] == [AttemptStatus.OPEN]

        # Each learner whose submission died with the worker sends it again, to whichever worker answers.
        for learner, browser, path, form in takers:
            if statuses[learner.username] is None:
                assert browser.request(server, "POST", path, form=form).status == 302
        wait_for(lambda: len(worker_pids(server)) == 2, "the master to replace the killed worker")

    assert_no_attempt_is_half_written(app)
    for learner, *_ in takers:
        attempts = attempts_of(app, learner)
        assert [(attempt.status, attempt.score) for attempt in attempts] == [(AttemptStatus.SUBMITTED, 100.0)]


def test_sigterm_lets_the_submission_in_flight_finish_then_the_server_exits(site, tmp_path):
    app, environment, learners = site
    learner = learners[LEARNERS]
    with held_app_server("drained", environment, tmp_path) as server:
        browser = Browser()
        assert sign_in(browser, server, learner).status == 302
        path, form = open_attempt(browser, server, QUIZ)
        submission = Submission(server, browser, path, {**form, **RIGHT_ANSWERS}, "drain")
        pid = int(wait_for(lambda: next(tmp_path.glob("held-drain"), None), "the submission to reach its commit")
                  .read_text())

        server.process.send_signal(signal.SIGTERM)
        wait_for(lambda: (tmp_path / f"terminating-{pid}").exists(), "the worker to receive SIGTERM")
        assert submission.is_alive() and server.process.poll() is None
        (tmp_path / "release-drain").touch()
        submission.join(timeout=WAIT_SECONDS)
        assert submission.status == 302, "the request in flight was not completed"
        assert server.process.wait(timeout=WAIT_SECONDS) == 0

    assert_no_attempt_is_half_written(app)
    assert [(attempt.status, attempt.score) for attempt in attempts_of(app, learner)] == [
        (AttemptStatus.SUBMITTED, 100.0)]
