"""Quiz attempts: start (one open attempt per learner and quiz), save drafts, submit (graded exactly once).

Functions flush, never commit: the view commits once, so grading, the attempt's answers and the learner's progress
land together or not at all.
"""

import secrets
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import User
from app.catalog.models import Module
from app.errors import Conflict
from app.extensions import utcnow
from app.learning import services as learning
from app.learning.models import Certificate
from app.quizzes import queries
from app.quizzes.grading import clean_response, grade_quiz
from app.quizzes.models import AttemptAnswer, AttemptStatus, QuizAttempt

SHUFFLED_TYPES = ("single", "multiple")  # True/False keeps its natural order


class AttemptAlreadySubmitted(Conflict):
    """The attempt was submitted before (a replay, a double click, another tab): nothing new was recorded."""


class NoAttemptsLeft(Conflict):
    pass


def option_order_for(quiz: dict[str, Any], shuffle: Callable[[list[str]], None]) -> dict[str, list[str]]:
    """Question id -> option ids in the order this attempt shows them."""
    order = {}
    for question in quiz.get("questions") or []:
        ids = [option["id"] for option in question.get("options") or []]
        if quiz.get("shuffle") and question.get("type") in SHUFFLED_TYPES:
            shuffle(ids)
        order[question["id"]] = ids
    return order


def answers_anything(responses: dict[str, Any]) -> bool:
    """Whether a submission gives at least one answer. A blank one is refused before grading: it is almost always
    a stray tap, and it would spend one of a limited number of attempts on a score of 0."""
    return any(
        value.strip() if isinstance(value, str) else any(isinstance(item, str) and item.strip() for item in value)
        for value in responses.values())


def attempt_limit(quiz: dict[str, Any] | None, extra_allowed: int = 0) -> int | None:
    """How many attempts a learner has at this quiz, counting those a trainer allowed; None: no limit."""
    limit = (quiz or {}).get("max_attempts")
    return None if limit is None else limit + extra_allowed


def attempts_left(quiz: dict[str, Any] | None, attempts_used: int, extra_allowed: int = 0) -> int | None:
    """None means unlimited. `extra_allowed`: attempts a trainer allowed beyond the quiz's limit."""
    limit = attempt_limit(quiz, extra_allowed)
    return None if limit is None else max(0, limit - attempts_used)


def attempts_left_for(session: Session, user: User, module: Module, attempts_used: int) -> int | None:
    """The learner's attempts left at this module's quiz, counting those a trainer allowed."""
    if attempt_limit(module.quiz) is None:
        return None
    return attempts_left(module.quiz, attempts_used, queries.extra_attempts(session, user, module))


def start_attempt(session: Session, user: User, module: Module) -> QuizAttempt:
    """The learner's open attempt at this module's quiz, or a new one on the module's latest revision.

    Idempotent, and safe when two requests race: the unique (user, module, open_slot) constraint lets one insert
    win; the other catches the IntegrityError in its savepoint and returns the winner's attempt.
    """
    existing = queries.open_attempt(session, user, module)
    if existing is not None:
        return existing
    revision = queries.latest_revision(session, module)
    quiz = (revision.quiz if revision is not None else None) or module.quiz
    if not quiz or not quiz.get("questions"):
        raise Conflict(_("This module has no quiz."))
    used = queries.attempts_used(session, user, module)
    # Attempts a trainer allowed are looked up only once the quiz's own are spent.
    if attempts_left(quiz, used) == 0 and attempts_left(quiz, used, queries.extra_attempts(session, user, module)) == 0:
        raise NoAttemptsLeft(_("You have used all your attempts at this quiz."))
    attempt = QuizAttempt(
        token=secrets.token_urlsafe(32),
        user_id=user.id,
        module_id=module.id,
        revision_id=revision.id if revision is not None else None,
        number=used + 1,
        status=AttemptStatus.OPEN,
        open_slot=1,
        option_order=option_order_for(quiz, secrets.SystemRandom().shuffle),
        draft_answers={},
        started_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(attempt)
    except IntegrityError:
        winner = queries.open_attempt(session, user, module)
        if winner is None:  # the other request started and already submitted its attempt: start afresh
            raise Conflict(_("Another attempt was started at the same time. Please try again.")) from None
        return winner
    # The module is now in progress; and its result, when submitted, updates a row that is already there.
    learning.ensure_progress(session, user, module, attempt.started_at)
    return attempt


def clean_responses(quiz: dict[str, Any], responses: dict[str, Any]) -> dict[str, list[str] | str]:
    """Every question of this quiz (and nothing else), each response reduced to known option ids or bounded text."""
    return {
        question["id"]: clean_response(question, responses.get(question["id"]))
        for question in quiz.get("questions") or []
    }


def save_draft(session: Session, attempt: QuizAttempt, quiz: dict[str, Any], responses: dict[str, Any]) -> None:
    """Answers in progress, kept on the server so that they survive an expired session or a closed tab."""
    saved = session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.status == AttemptStatus.OPEN)
        .values(draft_answers=clean_responses(quiz, responses))
        .execution_options(synchronize_session=False)
    ).rowcount
    if saved != 1:
        raise AttemptAlreadySubmitted(_("This attempt has already been submitted."))
    session.expire(attempt, ["draft_answers"])


_INSERT_ANSWER = insert(AttemptAnswer)  # built once: every submission runs it

# The gate of exactly-once grading, built once (it runs on every submission).
_SUBMIT_IF_OPEN = (
    update(QuizAttempt)
    .where(QuizAttempt.id == bindparam("attempt_id"), QuizAttempt.status == AttemptStatus.OPEN)
    .values(status=AttemptStatus.SUBMITTED, open_slot=None, submitted_at=bindparam("now"),
            score=bindparam("result_score"), passed=bindparam("result_passed"), draft_answers={})
    .execution_options(synchronize_session=False)
)


def submit_attempt(session: Session, user: User, attempt: QuizAttempt, module: Module,
                   quiz: dict[str, Any], responses: dict[str, Any]) -> Certificate | None:
    """Grade the responses against the attempt's quiz and record the result, exactly once.

    The conditional UPDATE (open -> submitted) is the gate: of any number of concurrent submissions of the same
    attempt, one flips the row and the rest find nothing to flip and raise AttemptAlreadySubmitted. Returns the
    course certificate if this result completed the course.
    """
    answers = clean_responses(quiz, responses)
    result = grade_quiz(quiz, answers)
    # Core execution on the session's connection: the same transaction, without the ORM's bulk-update machinery.
    flipped = session.connection().execute(_SUBMIT_IF_OPEN, {
        "attempt_id": attempt.id, "now": utcnow(), "result_score": result.score, "result_passed": result.passed,
    }).rowcount
    if flipped != 1:
        raise AttemptAlreadySubmitted(_("This attempt has already been submitted."))
    if result.grades:  # one executemany, not one INSERT ... RETURNING per question
        session.connection().execute(_INSERT_ANSWER, [
            {"attempt_id": attempt.id, "question_key": question_id, "response": answers[question_id],
             "correct": grade.correct, "points": grade.points}
            for question_id, grade in result.grades.items()
        ])
    session.expire(attempt)
    learning.record_quiz_result(session, user, module, result.score, result.passed)
    if not result.passed:  # a fail completes no module, so it cannot complete the course: no need to look
        return None
    return learning.check_course_completion(session, user, module.course)
