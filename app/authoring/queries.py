import difflib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog.models import ContentRevision, Course, Module


def revisions_of_module(session: Session, module: Module) -> list[ContentRevision]:
    return list(session.scalars(
        select(ContentRevision).where(ContentRevision.module_id == module.id).order_by(ContentRevision.number.desc())
    ))


def revisions_of_course_file(session: Session, course: Course) -> list[ContentRevision]:
    return list(session.scalars(
        select(ContentRevision)
        .where(ContentRevision.course_id == course.id, ContentRevision.module_id.is_(None))
        .order_by(ContentRevision.number.desc())
    ))


def latest_revision(session: Session, course: Course, module: Module | None) -> ContentRevision | None:
    owner = ContentRevision.module_id == module.id if module else ContentRevision.module_id.is_(None)
    return session.scalars(select(ContentRevision).where(ContentRevision.course_id == course.id, owner)
                           .order_by(ContentRevision.number.desc()).limit(1)).first()


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added" | "removed" | "context" | "hunk"
    text: str


def line_diff(old: str, new: str) -> list[DiffLine]:
    lines = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "context")
        lines.append(DiffLine(kind, line))
    return lines
