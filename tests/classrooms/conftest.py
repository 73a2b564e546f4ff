"""The classroom cast: a course with two quizzes, a class of the `people` trainer with `people.learner` in it, and
another trainer's class with `people.other_learner` in it."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db

COURSE = "rights-course"
# Module 2 and 3 have the quiz of tests/course_builder.py, with question ids prefixed m2- and m3-.
ALL_RIGHT = {"single": "b", "multiple": ["a", "b"], "truefalse": "b", "short": "Article 26", "case-first": "a"}
ALL_WRONG = {"single": "a", "multiple": ["c"], "truefalse": "a", "short": "25", "case-first": "b"}


def answers(module_number: int, pattern: dict) -> dict:
    return {f"m{module_number}-{key}": value for key, value in pattern.items()}


@pytest.fixture
def course(make):
    return make.course(COURSE, modules=3, quiz_modules=(2, 3), audiences=("student",))


@pytest.fixture
def cast(make, people, course):
    """Two classes: ours (people.trainer, with people.learner) and theirs (people.other_trainer, with
    people.other_learner), both assigned the course."""
    ours = make.classroom(people.trainer, name="Class 5B", members=[people.learner])
    theirs = make.classroom(people.other_trainer, name="Cohort 7", members=[people.other_learner])
    make.assignment(ours, course)
    make.assignment(theirs, course)
    return SimpleNamespace(ours=ours, theirs=theirs, course=course, modules=course.modules)


def user_named(app, username: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge_all()
        return user
