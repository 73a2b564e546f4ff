"""Submitting is graded and recorded exactly once, together with the learner's progress, or not at all."""

import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.learning.models import Certificate, ModuleProgress
from app.quizzes.models import AttemptAnswer, AttemptStatus, QuizAttempt
from tests.course_builder import module_text
from tests.quizzes.conftest import ALL_RIGHT, ALL_WRONG, COURSE, QUIZ_URL, attempts_in_db, start_attempt, submit

CONCURRENT_REQUESTS = 20


def row_counts(app) -> tuple[int, int, int]:
    """(attempts, submitted attempts, answer rows)"""
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(QuizAttempt)),
            db.session.scalar(select(func.count()).where(QuizAttempt.status == AttemptStatus.SUBMITTED)),
            db.session.scalar(select(func.count()).select_from(AttemptAnswer)),
        )


def progress_of(app, user) -> ModuleProgress | None:
    with app.app_context():
        progress = db.session.scalar(select(ModuleProgress).where(ModuleProgress.user_id == user.id))
        db.session.expunge_all()
        return progress


def signed_in_clients(app, login, user, count: int):
    return [login(app.test_client(), user) for _ in range(count)]


def all_at_once(clients, request) -> list[int]:
    """Send request(client) from one thread per client, released together by a barrier; return the statuses."""
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(client):
        try:
            barrier.wait()
            statuses.append(request(client).status_code)
        except BaseException as error:  # surfaced in the test thread below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return statuses


def test_a_replayed_submission_records_nothing_new_and_shows_the_first_result(app, client, course, people, login):
    login(client, people.learner)
    token = start_attempt(client)
    first = submit(client, token, ALL_RIGHT)
    replay = submit(client, token, ALL_WRONG)
    assert first.status_code == replay.status_code == 302
    assert replay.location == first.location
    assert "already submitted" in client.get(replay.location).text
    (attempt,) = attempts_in_db(app)
    assert attempt.score == 100.0 and len(attempt.answers) == 5
    assert row_counts(app) == (1, 1, 5)


def test_twenty_concurrent_submissions_of_one_attempt_are_recorded_once(app, client, course, people, login):
    login(client, people.learner)
    token = start_attempt(client)
    clients = signed_in_clients(app, login, people.learner, CONCURRENT_REQUESTS)
    statuses = all_at_once(clients, lambda c: submit(c, token, ALL_RIGHT))
    assert statuses == [302] * CONCURRENT_REQUESTS
    assert row_counts(app) == (1, 1, 5)
    progress = progress_of(app, people.learner)
    assert progress.best_score == progress.last_score == 100.0 and progress.quiz_passed_at is not None


def test_twenty_concurrent_starts_yield_one_open_attempt(app, client, course, people, login):
    clients = signed_in_clients(app, login, people.learner, CONCURRENT_REQUESTS)
    statuses = all_at_once(clients, lambda c: c.post(f"{QUIZ_URL}/attempts"))
    assert statuses == [302] * CONCURRENT_REQUESTS
    (attempt,) = attempts_in_db(app)
    assert attempt.status == AttemptStatus.OPEN and attempt.number == 1
    tokens = {start_attempt(c) for c in clients[:3]}
    assert tokens == {attempt.token}


def test_a_failure_while_recording_progress_rolls_the_whole_submission_back(app, client, course, people, login,
                                                                           monkeypatch):
    login(client, people.learner)
    token = start_attempt(client)

    def progress_store_fails(*args, **kwargs):
        raise RuntimeError("progress store unavailable")

    monkeypatch.setattr("app.learning.services.record_quiz_result", progress_store_fails)
    assert submit(client, token, ALL_RIGHT).status_code == 500
    (attempt,) = attempts_in_db(app)
    assert attempt.status == AttemptStatus.OPEN and attempt.open_slot == 1 and attempt.score is None
    assert row_counts(app) == (1, 0, 0)
    progress = progress_of(app, people.learner)  # created when the attempt started, untouched by the failure
    assert progress.last_score is None and progress.quiz_passed_at is None and progress.completed_at is None

    monkeypatch.undo()  # the learner simply submits again
    assert submit(client, token, ALL_RIGHT).status_code == 302
    assert row_counts(app) == (1, 1, 5)


def test_best_and_last_scores_are_kept(app, client, course, people, login):
    login(client, people.learner)
    submit(client, start_attempt(client), ALL_RIGHT)
    submit(client, start_attempt(client), ALL_WRONG)
    progress = progress_of(app, people.learner)
    assert progress.best_score == 100.0 and progress.last_score == 0.0
    assert progress.quiz_passed_at is not None and progress.completed_at is not None


def test_a_failed_attempt_does_not_complete_the_module(app, client, course, people, login):
    login(client, people.learner)
    submit(client, start_attempt(client), ALL_WRONG)
    progress = progress_of(app, people.learner)
    assert progress.last_score == 0.0 and progress.completed_at is None and progress.quiz_passed_at is None


def test_a_passed_quiz_stays_passed_when_the_quiz_changes_later(make, app, client, people, login, courses_root):
    make.course(COURSE, root=courses_root)
    login(client, people.learner)
    submit(client, start_attempt(client), ALL_RIGHT)
    passed = progress_of(app, people.learner)
    module_file = courses_root / COURSE / "03-module-3.md"
    module_file.write_text(module_text(3).replace("pass=70", "pass=100").replace("- [x] Article 15", "- [ ] Article 15")
                           .replace("- [ ] Article 10", "- [x] Article 10"))
    make.synced_course(courses_root, COURSE)
    now = progress_of(app, people.learner)
    assert now.completed_at == passed.completed_at is not None
    assert now.quiz_passed_at == passed.quiz_passed_at is not None
    assert now.best_score == 100.0


@pytest.mark.parametrize("blank", [{}, {"q-m3-short": "   "}, {"q-m3-single": ""}])
def test_a_blank_submission_is_refused_and_spends_no_attempt(app, client, course, people, login, blank):
    login(client, people.learner)
    token = start_attempt(client)
    response = submit(client, token, blank)
    assert response.status_code == 302 and response.location.endswith(QUIZ_URL)
    assert "Answer at least one question before you submit." in client.get(QUIZ_URL).text
    (attempt,) = attempts_in_db(app)
    assert attempt.status == AttemptStatus.OPEN and attempt.answers == []
    assert submit(client, token, {"q-m3-short": "26"}).location.endswith(f"/attempts/{token}")  # one answer is enough


def test_passing_the_last_quiz_completes_the_course_and_issues_one_certificate(make, app, client, people, login,
                                                                             courses_root):
    make.course(COURSE, root=courses_root, modules=1)
    quiz_url = f"/courses/{COURSE}/m/module-1/quiz"
    answers = {key.replace("m3-", "m1-"): value for key, value in ALL_RIGHT.items()}
    login(client, people.learner)
    response = submit(client, start_attempt(client, quiz_url), answers, quiz_url)
    result = client.get(response.location).text
    assert "You have completed the course." in result
    with app.app_context():
        certificate_id = db.session.scalar(select(Certificate.id))
    assert f'<a class="button primary" href="/certificates/{certificate_id}">See your certificate</a>' in result
    submit(client, start_attempt(client, quiz_url), answers, quiz_url)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_starting_an_attempt_puts_the_module_in_progress(app, client, course, people, login):
    login(client, people.learner)
    assert progress_of(app, people.learner) is None
    start_attempt(client)
    progress = progress_of(app, people.learner)
    assert progress.first_opened_at is not None and progress.completed_at is None and progress.last_score is None
