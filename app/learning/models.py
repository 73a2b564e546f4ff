"""A learner's record: enrolments, progress per module, certificates."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.models import Course, Module
from app.extensions import db, utcnow


class Enrolment(db.Model):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16), default="self")  # "self" or "class"
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)

    course: Mapped[Course] = relationship()


class ModuleProgress(db.Model):
    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    first_opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    best_score: Mapped[float | None] = mapped_column(Float)
    last_score: Mapped[float | None] = mapped_column(Float)
    # Once passed, a quiz stays passed, whatever later edits to its content.
    quiz_passed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Attempts a trainer allowed beyond the quiz's limit, once this learner had used them all without passing.
    extra_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    module: Mapped[Module] = relationship()

    @property
    def status(self) -> str:
        return "completed" if self.completed_at else "in_progress"


class Certificate(db.Model):
    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # unguessable, for /verify/<code>
    holder_name: Mapped[str] = mapped_column(String(120))  # the display name the holder chose
    course_title: Mapped[str] = mapped_column(String(200))
    standards: Mapped[list[str]] = mapped_column(db.JSON, default=list)
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    public: Mapped[bool] = mapped_column(Boolean, default=True)  # the holder can hide the verification page

    course: Mapped[Course] = relationship()
