"""Reads for the quiz pages: each is one statement, so a page's query count does not grow with the quiz."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session, contains_eager, defer, selectinload

from app.access import ATTEMPTS_OF_VIEWER
from app.auth.models import User
from app.catalog.models import ContentRevision, Course, Module
from app.learning.models import Certificate, ModuleProgress
from app.quizzes.models import AttemptStatus, QuizAttempt

_MODULE_WITH_COURSE = (  # built once: every quiz request starts here
    select(Module)
    .join(Module.course)
    .options(contains_eager(Module.course).defer(Course.source).defer(Course.intro_html),
             defer(Module.source), defer(Module.learner_html), defer(Module.trainer_html), defer(Module.toc))
    .where(Course.slug == bindparam("course_slug"), Module.slug == bindparam("module_slug"))
)


def module_with_course(session: Session, course_slug: str, module_slug: str) -> Module | None:
    return session.scalar(_MODULE_WITH_COURSE, {"course_slug": course_slug, "module_slug": module_slug})


_LATEST_REVISION = (
    select(ContentRevision)
    .where(ContentRevision.module_id == bindparam("module_id"))
    .order_by(ContentRevision.number.desc())
    .limit(1)
)


def latest_revision(session: Session, module: Module) -> ContentRevision | None:
    return session.scalar(_LATEST_REVISION, {"module_id": module.id})


_OPEN_ATTEMPT = select(QuizAttempt).where(
    ATTEMPTS_OF_VIEWER, QuizAttempt.module_id == bindparam("module_id"), QuizAttempt.status == AttemptStatus.OPEN)


def open_attempt(session: Session, user: User, module: Module) -> QuizAttempt | None:
    return session.scalar(_OPEN_ATTEMPT, {"viewer_id": user.id, "module_id": module.id})


# The attempt with this token, only if it belongs to the viewer and this module (anything else is "not found").
_OWNED_ATTEMPT = select(QuizAttempt).where(
    QuizAttempt.token == bindparam("token"), QuizAttempt.module_id == bindparam("module_id"), ATTEMPTS_OF_VIEWER)
_OWNED_ATTEMPT_WITH_ANSWERS = _OWNED_ATTEMPT.options(selectinload(QuizAttempt.answers))


def owned_attempt(session: Session, user: User, module: Module, token: str,
                  *, with_answers: bool = False) -> QuizAttempt | None:
    statement = _OWNED_ATTEMPT_WITH_ANSWERS if with_answers else _OWNED_ATTEMPT
    return session.scalar(statement, {"token": token, "module_id": module.id, "viewer_id": user.id})


# module_with_course, owned_attempt and attempt_quiz in one statement, built once (it runs on every save and
# submission): the attempt comes along in an outer join that admits only the viewer's attempt at this module with
# this token, its revision's quiz in another.
_MODULE_ATTEMPT_AND_QUIZ = (
    _MODULE_WITH_COURSE
    .add_columns(QuizAttempt, ContentRevision.quiz)
    .outerjoin(QuizAttempt, and_(QuizAttempt.module_id == Module.id, QuizAttempt.token == bindparam("token"),
                                 ATTEMPTS_OF_VIEWER))
    .outerjoin(ContentRevision, ContentRevision.id == QuizAttempt.revision_id)
)


def module_attempt_and_quiz(session: Session, user: User, course_slug: str, module_slug: str,
                            token: str) -> tuple[Module | None, QuizAttempt | None, dict[str, Any] | None]:
    """For the requests that act on an attempt (save, submit). (None, None, None) when there is no such module;
    (module, None, None) when the attempt is not this user's, at this module."""
    row = session.execute(_MODULE_ATTEMPT_AND_QUIZ, {
        "course_slug": course_slug, "module_slug": module_slug, "token": token, "viewer_id": user.id,
    }).first()
    if row is None:
        return None, None, None
    module, attempt, quiz = row
    return module, attempt, (quiz_as_taken(quiz, module.quiz) if attempt is not None else None)


_REVISION_QUIZ = select(ContentRevision.quiz).where(ContentRevision.id == bindparam("revision_id"))


def attempt_quiz(session: Session, attempt: QuizAttempt, module: Module) -> dict[str, Any] | None:
    quiz = None
    if attempt.revision_id is not None:
        quiz = session.scalar(_REVISION_QUIZ, {"revision_id": attempt.revision_id})
    return quiz_as_taken(quiz, module.quiz)


def quiz_as_taken(revision_quiz: dict[str, Any] | None,
                  current_quiz: dict[str, Any] | None) -> dict[str, Any] | None:
    """The quiz as it was when the attempt started; the module's current quiz only if that revision is gone."""
    return revision_quiz if revision_quiz is not None else current_quiz


_ATTEMPTS_AT_MODULE = (
    select(QuizAttempt)
    .where(ATTEMPTS_OF_VIEWER, QuizAttempt.module_id == bindparam("module_id"))
    .order_by(QuizAttempt.number)
)


_ATTEMPTS_USED = select(func.coalesce(func.max(QuizAttempt.number), 0)).where(
    QuizAttempt.user_id == bindparam("learner_id"), QuizAttempt.module_id == bindparam("module_id"))


def attempts_used(session: Session, learner: User, module: Module) -> int:
    """How many attempts the learner has started at this quiz, the open one included."""
    return session.scalar(_ATTEMPTS_USED, {"learner_id": learner.id, "module_id": module.id})


_EXTRA_ATTEMPTS = select(ModuleProgress.extra_attempts).where(
    ModuleProgress.user_id == bindparam("viewer_id"), ModuleProgress.module_id == bindparam("module_id"))


def extra_attempts(session: Session, user: User, module: Module) -> int:
    """Attempts a trainer allowed this learner beyond the quiz's limit."""
    return session.scalar(_EXTRA_ATTEMPTS, {"viewer_id": user.id, "module_id": module.id}) or 0


def attempts_of(session: Session, user: User, module: Module) -> list[QuizAttempt]:
    """The learner's attempts at this quiz, first to last (open ones included)."""
    return list(session.scalars(_ATTEMPTS_AT_MODULE, {"viewer_id": user.id, "module_id": module.id}))


@dataclass(frozen=True)
class NextStep:
    """Where a learner goes after passing a module's quiz: the course's next active module, and the certificate
    if the course is complete."""

    module_slug: str | None
    module_title: str | None
    certificate_id: int | None


_FOLLOWING_MODULES = (
    select(Module.slug, Module.title)
    .where(Module.course_id == bindparam("course_id"), Module.archived.is_(False),
           Module.position > bindparam("position"))
    .order_by(Module.position, Module.id)
    .limit(1)
)
_NEXT_STEP = select(
    _FOLLOWING_MODULES.with_only_columns(Module.slug).scalar_subquery(),
    _FOLLOWING_MODULES.with_only_columns(Module.title).scalar_subquery(),
    select(Certificate.id).where(Certificate.user_id == bindparam("learner_id"),
                                 Certificate.course_id == bindparam("course_id")).scalar_subquery(),
)


def next_step(session: Session, learner: User, module: Module) -> NextStep:
    """One statement, whatever the course's size."""
    slug, title, certificate_id = session.execute(_NEXT_STEP, {
        "course_id": module.course_id, "position": module.position, "learner_id": learner.id}).one()
    return NextStep(slug, title, certificate_id)
