"""Database -> folder, in the same format sync reads: the stored sources are the files."""

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.catalog.models import Course, CourseAsset
from app.catalog.services import sha256_text
from app.content.files import read_text_file


class FolderEditsWouldBeLost(Exception):
    def __init__(self, folder: Path, filenames: list[str]):
        super().__init__(f"{folder}: not exported, so as not to overwrite what was changed in the folder since the "
                         f"last sync: {', '.join(filenames)}. Copy those edits aside, then export with --force; or "
                         f"sync them first.")
        self.filenames = filenames


def files_changed_in_folder(course: Course, folder: Path) -> list[str]:
    """Files an export would overwrite that hold neither the database's text nor the text the last sync read:
    edits made in the folder, which only the folder has."""
    texts = [("course.md", course.source, course.synced_source_hash)]
    texts += [(module.filename, module.source, module.synced_source_hash)
              for module in course.modules if not module.archived]
    changed = []
    for filename, source, synced_hash in texts:
        path = folder / filename
        if not path.is_file():
            continue
        on_disk, _problems = read_text_file(path, filename)
        if on_disk != source and (on_disk is None or sha256_text(on_disk) != synced_hash):
            changed.append(filename)
    return changed


def export_course(session: Session, course: Course, destination: Path, *, force: bool = False) -> list[Path]:
    """Write `destination/<slug>/` (course.md, module files, images). Archived modules are not written.
    Refuses (FolderEditsWouldBeLost) to overwrite files edited in the folder since the last sync, unless forced."""
    folder = destination / course.slug
    if not force and (changed := files_changed_in_folder(course, folder)):
        raise FolderEditsWouldBeLost(folder, changed)
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
