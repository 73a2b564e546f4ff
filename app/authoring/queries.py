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
