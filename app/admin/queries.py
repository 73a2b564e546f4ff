from dataclasses import dataclass
from itertools import islice

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.auth.models import User
from app.catalog.models import Module
from app.learning.models import ModuleProgress
from app.quizzes.models import AttemptStatus, QuizAttempt
from app.quizzes.services import attempts_left
from app.text_search import contains_text


def users_matching(search: str = "", role: str = "") -> Select:
    query = select(User).where(User.erased.is_(False)).order_by(User.username)
    search = search.strip()
    if search:
        query = query.where(or_(contains_text(User.username, search), contains_text(User.display_name, search)))
    if role:
        query = query.where(User.role == role)
    return query


@dataclass(frozen=True)
class SpentQuiz:
    """A learner who used every attempt at a quiz without passing it."""

    learner: User
    module: Module
    used: int
    extra_attempts: int  # allowed before by a trainer or an administrator


def learners_out_of_attempts(session: Session, search: str = "", limit: int = 200) -> list[SpentQuiz]:
    """Learners stuck at a quiz, most recent attempt first: only another attempt lets them complete its module."""
    submitted = (
        select(QuizAttempt.user_id, QuizAttempt.module_id, func.count().label("used"),
               func.max(QuizAttempt.submitted_at).label("last_at"))
        .where(QuizAttempt.status == AttemptStatus.SUBMITTED, QuizAttempt.user_id.is_not(None))
        .group_by(QuizAttempt.user_id, QuizAttempt.module_id)
        .subquery()
    )
    query = (
        select(User, Module, submitted.c.used, ModuleProgress.extra_attempts)
        .join(ModuleProgress, ModuleProgress.user_id == User.id)
        .join(Module, Module.id == ModuleProgress.module_id)
        .join(submitted, and_(submitted.c.user_id == User.id, submitted.c.module_id == Module.id))
        .where(ModuleProgress.quiz_passed_at.is_(None), Module.question_count > 0, Module.archived.is_(False),
               User.erased.is_(False))
        .options(selectinload(Module.course))
        .order_by(submitted.c.last_at.desc())
    )
    search = search.strip()
    if search:
        query = query.where(or_(contains_text(User.username, search), contains_text(User.display_name, search)))
    # The limit is in each quiz's settings (JSON): compared here, not in SQL.
    spent = (SpentQuiz(learner, module, used, extra) for learner, module, used, extra in session.execute(query)
             if attempts_left(module.quiz, used, extra) == 0)
    return list(islice(spent, limit))
