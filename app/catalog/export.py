"""Database -> folder, in the same format sync reads: the stored sources are the files."""

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.catalog.models import Course, CourseAsset, Module
from app.catalog.services import sha256_text
from app.content.files import read_text_file
from app.content.markdown_render import MODULE_FILENAME


class FolderEditsWouldBeLost(Exception):
    def __init__(self, folder: Path, filenames: list[str]):
        super().__init__(f"{folder}: not exported, so as not to overwrite what was changed in the folder since the "
                         f"last sync: {', '.join(filenames)}. Copy those edits aside, then export with --force; or "
                         f"sync them first.")
        self.filenames = filenames


def _folder_texts(course: Course, folder: Path) -> list[tuple[Path, str, str | None, bool]]:
    """(file, the database's text, the text's hash at the last sync, written by the export) for course.md and
    every module file in the folder that belongs to a module of this course, under its current name or an old one
    (renamed or reordered in the browser, or archived)."""
    by_slug = {module.slug: module for module in course.modules}
    texts = [(folder / "course.md", course.source, course.synced_source_hash, True)]
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        name = MODULE_FILENAME.fullmatch(path.name)
        module: Module | None = by_slug.get(name.group(2)) if name else None
        if module is not None:
            written = not module.archived and path.name == module.filename
            texts.append((path, module.source, module.synced_source_hash, written))
    return texts


def _changed_in_folder(path: Path, source: str, synced_hash: str | None) -> bool:
    """Neither the database's text nor the text the last sync read: an edit only the folder has."""
    on_disk, _problems = read_text_file(path, path.name)
    return on_disk != source and (on_disk is None or sha256_text(on_disk) != synced_hash)


def export_course(session: Session, course: Course, destination: Path, *, force: bool = False) -> list[Path]:
    """Write `destination/<slug>/` (course.md, module files, images) and remove the files of its modules that the
    database no longer has under that name (renamed, reordered or archived). Archived modules are not written.
    Refuses (FolderEditsWouldBeLost) to overwrite or remove files edited in the folder since the last sync, unless
    forced. Files of modules the database does not know are left alone: a later sync adds them."""
    folder = destination / course.slug
    texts = _folder_texts(course, folder)
    changed = [path.name for path, source, synced_hash, _written in texts
               if path.is_file() and _changed_in_folder(path, source, synced_hash)]
    if changed and not force:
        raise FolderEditsWouldBeLost(folder, changed)
    folder.mkdir(parents=True, exist_ok=True)
    written = [_write(folder / "course.md", course.source.encode("utf-8"))]
    for module in course.modules:
        if not module.archived:
            written.append(_write(folder / module.filename, module.source.encode("utf-8")))
    for asset in session.scalars(select(CourseAsset).where(CourseAsset.course_id == course.id)):
        written.append(_write(folder / asset.path, asset.data))
    for path, _source, _synced_hash, is_written in texts:
        if not is_written and path not in written:
            path.unlink(missing_ok=True)
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
