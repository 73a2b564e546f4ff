"""A learner's record: enrolment, module progress, quiz results, certificates. Functions flush, never commit.

Writes that may race (two tabs, a double click, the quiz grader and the module page at once) are single
INSERT ... ON CONFLICT or UPDATE statements, so the unique constraints decide and nothing is written twice.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, func, inspect, select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.catalog.models import Course, Module
from app.extensions import utcnow
from app.learning.models import Certificate, Enrolment, ModuleProgress

ENROLMENT_SOURCES = ("self", "class")
# A module page seen again within this time writes nothing: reading must stay cheap.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def _insert(session: Session, model):
    """INSERT for the session's database, with ON CONFLICT support (PostgreSQL and SQLite 3.24+)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


_ENROLMENT_KEY = ["user_id", "course_id"]  # one enrolment per learner and course


def _enrolment_insert(session: Session, user_id: int, course_id: int, now: datetime, source: str = "self", **values):
    """INSERT of an enrolment; the caller says what a conflict (an existing enrolment) does."""
    return _insert(session, Enrolment).values(user_id=user_id, course_id=course_id, source=source, created_at=now,
                                              **values)


def enrol(session: Session, user: User, course: Course, source: str = "self") -> Enrolment:
    """Enrol the user in the course, or return their existing enrolment. Safe to call twice, or concurrently."""
    if source not in ENROLMENT_SOURCES:
        raise ValueError(f"unknown enrolment source {source!r}")
    session.execute(_enrolment_insert(session, user.id, course.id, utcnow(), source)
                    .on_conflict_do_nothing(index_elements=_ENROLMENT_KEY))
    return session.scalars(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
    ).one()


def ensure_progress(session: Session, user: User, module: Module, now: datetime | None = None) -> None:
    """The progress row for this module, created on first use (first opened: now), and the enrolment in its course.
    The enrolment comes first: each statement stands on its own (the module page runs them in autocommit), and a
    stop between the two leaves nothing that the next visit does not complete."""
    now = now or utcnow()
    session.execute(_enrolment_insert(session, user.id, module.course_id, now)
                    .on_conflict_do_nothing(index_elements=_ENROLMENT_KEY))
    session.execute(
        _insert(session, ModuleProgress)
        .values(user_id=user.id, module_id=module.id, first_opened_at=now, last_seen_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "module_id"])
    )


def needs_visit_recorded(progress: ModuleProgress | None, now: datetime | None = None) -> bool:
    return progress is None or progress.last_seen_at <= (now or utcnow()) - LAST_SEEN_RESOLUTION


def record_module_visit(session: Session, user: User, module, progress) -> bool:
    """First opened / last seen. `module` needs `id` and `course_id`; `progress` is the row (or snapshot) the page
    already read, None if there is none yet. A recent visit writes nothing; otherwise one statement (two on the very
    first visit, which also enrols). Returns whether anything was written."""
    now = utcnow()
    if not needs_visit_recorded(progress, now):
        return False
    if progress is None:
        ensure_progress(session, user, module, now)
        return True
    session.execute(_RECORD_VISIT, {"progress_id": progress.id, "now": now, "seen_before": now - LAST_SEEN_RESOLUTION})
    return True


_RECORD_VISIT = (
    update(ModuleProgress)
    .where(ModuleProgress.id == bindparam("progress_id"), ModuleProgress.last_seen_at <= bindparam("seen_before"))
    .values(last_seen_at=bindparam("now"))
    .execution_options(synchronize_session=False)
)


def _expire_loaded_progress(session: Session, user: User, module: Module) -> None:
    """The statements above bypass the ORM: a progress row this session already holds reloads on next use."""
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, ModuleProgress):
            state = inspect(loaded).dict  # never triggers a load
            if state.get("user_id") == user.id and state.get("module_id") == module.id:
                session.expire(loaded)


def mark_module_complete(session: Session, user: User, module: Module) -> Certificate | None:
    """Complete a module by hand (modules without a quiz, or any module when the course makes quizzes optional).
    Returns the course certificate when this completed the course (or it was already complete)."""
    now = utcnow()
    ensure_progress(session, user, module, now)
    session.execute(
        update(ModuleProgress)
        .where(ModuleProgress.user_id == user.id, ModuleProgress.module_id == module.id)
        .values(completed_at=func.coalesce(ModuleProgress.completed_at, now), last_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    _expire_loaded_progress(session, user, module)
    return check_course_completion(session, user, module.course)


def _quiz_result_statement(passed: bool):
    """Built once: the hottest write (every quiz submission) should not rebuild its SQL each time."""
    score = bindparam("result_score")
    now = bindparam("result_at")
    values = {
        "last_score": score,
        "best_score": case(
            (ModuleProgress.best_score.is_(None), score),
            (ModuleProgress.best_score < score, score),
            else_=ModuleProgress.best_score,
        ),
        "last_seen_at": now,
    }
    if passed:
        values["quiz_passed_at"] = func.coalesce(ModuleProgress.quiz_passed_at, now)
        values["completed_at"] = func.coalesce(ModuleProgress.completed_at, now)
    return (
        update(ModuleProgress)
        .where(ModuleProgress.user_id == bindparam("learner_id"), ModuleProgress.module_id == bindparam("of_module"))
        .values(**values)
        .execution_options(synchronize_session=False)
    )


_RECORD_PASS = _quiz_result_statement(passed=True)
_RECORD_FAIL = _quiz_result_statement(passed=False)


def record_quiz_result(session: Session, user: User, module: Module, score: float, passed: bool) -> None:
    """After grading, in the grader's transaction: last and best score; a pass is kept for good and completes the
    module. One atomic UPDATE, so concurrent results never lose the best score; the progress row normally exists
    already (starting an attempt creates it), otherwise it is created first."""
    now = utcnow()
    statement = _RECORD_PASS if passed else _RECORD_FAIL
    parameters = {"result_score": score, "result_at": now, "learner_id": user.id, "of_module": module.id}
    connection = session.connection()  # Core execution, in the session's transaction
    if connection.execute(statement, parameters).rowcount == 0:
        ensure_progress(session, user, module, now)
        connection.execute(statement, parameters)
    _expire_loaded_progress(session, user, module)


def quizzes_required(course: Course) -> bool:
    return (course.completion or {}).get("quizzes", "passed") != "none"


def required_modules(course: Course) -> list[Module]:
    """The active modules the course's completion rule asks for (archived modules never count)."""
    return _required_of(course.completion, course.active_modules)


def _required_of(completion: dict | None, active_modules: list):
    """`active_modules` in course order, anything with a `slug`: ORM modules or the completion check's rows."""
    wanted = (completion or {}).get("modules", "all")
    if wanted == "all":
        return active_modules
    wanted = set(wanted)
    return [module for module in active_modules if module.slug in wanted]


def module_done(module, progress, quizzes_count: bool) -> bool:
    """`module` has `has_quiz`; `progress` has `completed_at` and `quiz_passed_at` (or is None: never opened)."""
    if progress is None or progress.completed_at is None:
        return False
    return not (quizzes_count and module.has_quiz and progress.quiz_passed_at is None)


# The completion check runs after every passed quiz: plain rows of what the rule reads, no ORM objects.
_ACTIVE_MODULES_WITH_PROGRESS = (
    select(Module.slug, Module.standards, (Module.question_count > 0).label("has_quiz"),
           ModuleProgress.completed_at, ModuleProgress.quiz_passed_at)
    .outerjoin(ModuleProgress, and_(ModuleProgress.module_id == Module.id,
                                    ModuleProgress.user_id == bindparam("learner_id")))
    .where(Module.course_id == bindparam("of_course"), Module.archived.is_(False))
    .order_by(Module.position)
)


def check_course_completion(session: Session, user: User, course: Course) -> Certificate | None:
    """The course certificate if the completion rule is met — issued now if it was not yet — else None.
    Issued at most once per learner and course: the unique constraint decides between concurrent callers."""
    rows = session.connection().execute(_ACTIVE_MODULES_WITH_PROGRESS,
                                        {"learner_id": user.id, "of_course": course.id}).all()
    required = _required_of(course.completion, rows)
    quizzes_count = quizzes_required(course)
    # Each row carries the module's fields and its progress fields (None where it was never opened).
    if not required or not all(module_done(row, row, quizzes_count) for row in required):
        return None
    # The course's standards, then those its required modules teach, without repeats.
    codes = [*(course.standards or []), *(code for row in required for code in row.standards or [])]
    now = utcnow()
    session.execute(
        _insert(session, Certificate)
        .values(
            user_id=user.id,
            course_id=course.id,
            code=secrets.token_urlsafe(24),
            holder_name=user.display_name or user.username,
            course_title=course.title,
            standards=list(dict.fromkeys(codes)),
            issued_at=now,
            public=True,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "course_id"])
    )
    enrolment = _enrolment_insert(session, user.id, course.id, now, completed_at=now)
    session.execute(  # enrolled and completed in one statement; the first completion time stays
        enrolment.on_conflict_do_update(
            index_elements=_ENROLMENT_KEY,
            set_={"completed_at": func.coalesce(Enrolment.completed_at, enrolment.excluded.completed_at)})
        .execution_options(synchronize_session=False)
    )
    return session.scalars(
        select(Certificate)
        .where(Certificate.user_id == user.id, Certificate.course_id == course.id)
        .execution_options(populate_existing=True)
    ).one()


def set_certificate_public(session: Session, certificate: Certificate, public: bool) -> None:
    certificate.public = public
    session.flush()
