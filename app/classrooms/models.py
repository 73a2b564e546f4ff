"""Classes (cohorts), their trainers and members, assignments, live sessions and the audit log."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, utcnow


class Classroom(db.Model):
    __tablename__ = "classrooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    audience: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    trainers: Mapped[list["ClassroomTrainer"]] = relationship(cascade="all, delete-orphan")
    members: Mapped[list["ClassroomMember"]] = relationship(cascade="all, delete-orphan")


class ClassroomTrainer(db.Model):
    __tablename__ = "classroom_trainers"

    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ClassroomMember(db.Model):
    __tablename__ = "classroom_members"

    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # True for accounts the trainer created in bulk (no e-mail): the trainer may reset their password.
    account_created_by_trainer: Mapped[bool] = mapped_column(Boolean, default=False)


class ErasedMembership(db.Model):
    """A class an erased learner was in, by the anonymous key their attempts now carry: the class's item analysis
    and standards mastery keep counting those answers, as the account page promises."""

    __tablename__ = "erased_memberships"

    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id", ondelete="CASCADE"), primary_key=True)
    anonymous_member: Mapped[str] = mapped_column(String(32), primary_key=True)


class Assignment(db.Model):
    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))  # None: whole course
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LiveSession(db.Model):
    """A teacher-paced session. Its whole state is in this row so every app server serves the same step."""

    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(6), unique=True)
    step: Mapped[int] = mapped_column(Integer, default=0)  # index into the session's steps (sections, questions)
    question_state: Mapped[str] = mapped_column(String(16), default="none")  # none | open | closed | revealed
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumps on every change: the students' ETag
    # Keys of the questions the presenter opened, so the ended session can tell "not asked" from "nobody answered".
    # None on sessions from before this was kept: their summary cannot tell.
    opened_questions: Mapped[list[str] | None] = mapped_column(JSON)
    # Typed answers the presenter took off the screen (a rude or personal one), per question key, normalised as the
    # answer bars count them. The learners' own answers and records keep them.
    hidden_answers: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)


class LiveAnswer(db.Model):
    __tablename__ = "live_answers"
    __table_args__ = (UniqueConstraint("session_id", "user_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(100))
    response: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class LiveParticipant(db.Model):
    """A learner who opened a live session's page: the presenter sees who has joined before asking anything."""

    __tablename__ = "live_participants"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditEvent(db.Model):
    """Trainer and admin actions. Never holds a password or a passphrase."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_label: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64))
    classroom_id: Mapped[int | None] = mapped_column(ForeignKey("classrooms.id", ondelete="SET NULL"), index=True)
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
