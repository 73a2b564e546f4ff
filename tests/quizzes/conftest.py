"""Helpers for the quiz tests: a synced course whose last module has a quiz of every question type."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.quizzes.models import QuizAttempt

COURSE = "test-course"
MODULE = "module-3"
QUIZ_URL = f"/courses/{COURSE}/m/{MODULE}/quiz"
TOKEN_IN_FORM = re.compile(r"/quiz/attempts/([A-Za-z0-9_-]+)/submit")

# m3 is the prefix tests/course_builder.py gives the quiz of module 3.
ALL_RIGHT = {"q-m3-single": "b", "q-m3-multiple": ["a", "b"], "q-m3-truefalse": "b", "q-m3-short": "Article 26",
             "q-m3-case-first": "a"}
ALL_WRONG = {"q-m3-single": "a", "q-m3-multiple": ["c"], "q-m3-truefalse": "a", "q-m3-short": "25",
             "q-m3-case-first": "b"}


@pytest.fixture
def courses_root(tmp_path) -> Path:
    return tmp_path / "library"


@pytest.fixture
def course(make, courses_root):
    return make.course(COURSE, root=courses_root)


def start_attempt(client, quiz_url: str = QUIZ_URL) -> str:
    """Start (or resume) the signed-in learner's attempt and return its token."""
    response = client.post(f"{quiz_url}/attempts")
    assert response.status_code == 302, response.status_code
    page = client.get(quiz_url)
    match = TOKEN_IN_FORM.search(page.text)
    assert match, "the quiz page shows no answer form"
    return match.group(1)


def submit(client, token: str, answers: dict, quiz_url: str = QUIZ_URL):
    return client.post(f"{quiz_url}/attempts/{token}/submit", data=answers)


def attempts_in_db(app) -> list[QuizAttempt]:
    with app.app_context():
        attempts = list(db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.id)))
        for attempt in attempts:
            attempt.answers  # noqa: B018  (load before detaching)
        db.session.expunge_all()
        return attempts
