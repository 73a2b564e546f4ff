"""The runtime store of course content. The database is what the app serves; `courses/` is the import/export format.

Learner data refers to courses and modules by id, and their identity is the slug: editing a title, reordering files
or removing a module never loses progress (removed modules are archived, never deleted).
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, utcnow


class CourseStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    audiences: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(35), default="en")
    estimated_minutes: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=CourseStatus.DRAFT)
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    standards: Mapped[list[str]] = mapped_column(JSON, default=list)
    completion: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(Text)  # course.md as written
    intro_html: Mapped[str] = mapped_column(Text, default="")
    # Hash of every file of the folder at the last sync: an unchanged folder writes nothing.
    synced_hash: Mapped[str | None] = mapped_column(String(64))
    # Hash of course.md at the last sync, to detect a file changed while the browser changed it too.
    synced_source_hash: Mapped[str | None] = mapped_column(String(64))
    edited_in_browser: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic locking of the course.md editor
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    modules: Mapped[list["Module"]] = relationship(
        back_populates="course", order_by="Module.position", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.status == CourseStatus.PUBLISHED

    @property
    def active_modules(self) -> list["Module"]:
        return [module for module in self.modules if not module.archived]


class Module(db.Model):
    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str] = mapped_column(String(160))
    title: Mapped[str] = mapped_column(String(200))
    estimated_minutes: Mapped[int | None] = mapped_column(Integer)
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    standards: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(Text)  # the module file as written (front matter and body)
    learner_html: Mapped[str] = mapped_column(Text, default="")  # rendered at save/sync, never per request
    trainer_html: Mapped[str] = mapped_column(Text, default="")  # with facilitator notes
    toc: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The quiz as data: settings, scenarios and questions with correct flags. Never sent to a learner's page as is.
    quiz: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Lets lists of modules say "has a quiz" without loading every quiz.
    question_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic locking for the browser editor
    synced_source_hash: Mapped[str | None] = mapped_column(String(64))
    edited_in_browser: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship(back_populates="modules")

    @property
    def has_quiz(self) -> bool:
        return self.question_count > 0


class ContentRevision(db.Model):
    """Every change to course.md (module_id NULL) or a module file: who, when, what. Append-only."""

    __tablename__ = "content_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 ... per course.md or per module
    source: Mapped[str] = mapped_column(Text)
    quiz: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the quiz as it was: attempts are graded against it
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_label: Mapped[str] = mapped_column(String(120))  # "sync", or the author's username at the time
    summary: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CourseAsset(db.Model):
    """Images of a course, stored in the database so that every app server can serve them."""

    __tablename__ = "course_assets"
    __table_args__ = (UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class StandardEntry(db.Model):
    """The standards registry (courses/standards.yaml), one row per instrument or article code."""

    __tablename__ = "standards"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    instrument: Mapped[str] = mapped_column(String(32), index=True)
    article: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    instrument_title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32), default="")
    # What the instrument's numbered items are (article, principle, rule ...): "BPUFF Principle 9", not "Art. 9".
    unit: Mapped[str] = mapped_column(String(16), default="article", server_default="article")
    position: Mapped[int] = mapped_column(Integer, default=0)
