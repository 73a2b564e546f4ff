"""Database -> folder, in the same format sync reads: the stored sources are the files."""

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.catalog.models import Course, CourseAsset


def export_course(session: Session, course: Course, destination: Path) -> list[Path]:
    """Write `destination/<slug>/` (course.md, module files, images). Archived modules are not written."""
    folder = destination / course.slug
    folder.mkdir(parents=True, exist_ok=True)
    written = [_write(folder / "course.md", course.source.encode("utf-8"))]
    for module in course.modules:
        if not module.archived:
            written.append(_write(folder / module.filename, module.source.encode("utf-8")))
    for asset in session.scalars(select(CourseAsset).where(CourseAsset.course_id == course.id)):
        written.append(_write(folder / asset.path, asset.data))
    return written


def courses_to_export(session: Session, slug: str | None) -> list[Course]:
    query = select(Course).options(selectinload(Course.modules)).order_by(Course.slug)
    if slug:
        query = query.where(Course.slug == slug)
    return list(session.scalars(query))


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)  # atomic: a crash never leaves half a file
    return path
