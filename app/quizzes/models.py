"""Quiz attempts: append-only, graded once, against the revision the learner saw."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, utcnow


class AttemptStatus(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        # open_slot is 1 while the attempt is open and NULL afterwards; NULLs never collide, so this allows
        # exactly one open attempt per learner and module, on SQLite and PostgreSQL alike.
        UniqueConstraint("user_id", "module_id", "open_slot"),
        UniqueConstraint("user_id", "module_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # carried by the quiz form; a replay finds it used
    # NULL once the learner erased their account: statistics stay true, the person is gone.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Set with user_id = NULL: one random key per erased account, so a class's statistics can still count each of
    # its former learners once (ErasedMembership says which classes), without saying who they were.
    anonymous_member: Mapped[str | None] = mapped_column(String(32), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("content_revisions.id", ondelete="SET NULL"))
    number: Mapped[int] = mapped_column(Integer)  # 1st, 2nd ... attempt of this learner at this quiz
    status: Mapped[str] = mapped_column(String(16), default=AttemptStatus.OPEN)
    open_slot: Mapped[int | None] = mapped_column(Integer, default=1)
    # question id -> option ids in the order shown; fixed at start so a reload shows the same order.
    option_order: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    # Answers saved while in progress (survive an expired session): question id -> response.
    draft_answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    score: Mapped[float | None] = mapped_column(Float)  # percent, 0–100
    passed: Mapped[bool | None] = mapped_column(Boolean)

    answers: Mapped[list["AttemptAnswer"]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptAnswer.id"
    )


class AttemptAnswer(db.Model):
    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(100))
    response: Mapped[Any] = mapped_column(JSON)  # list of option ids, or the text typed
    correct: Mapped[bool] = mapped_column(Boolean)
    points: Mapped[float] = mapped_column(Float)  # 0..1

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")


class PracticeAnswer(db.Model):
    """An answer given in a live classroom session: part of the learner's record, not a quiz attempt."""

    __tablename__ = "practice_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    live_session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id", ondelete="SET NULL"))
    question_key: Mapped[str] = mapped_column(String(100))
    response: Mapped[Any] = mapped_column(JSON)
    correct: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
