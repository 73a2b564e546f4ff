"""Folder -> database. Identity is the slug (course) and slug (module); an unchanged folder writes nothing.

The caller commits once per course, so a course that fails half-way leaves its previous version served intact.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app import content
from app.catalog.models import Course, Module
from app.catalog.services import (
    add_revision,
    apply_course_meta,
    apply_module,
    archive_module,
    create_course_from_meta,
    create_module,
    sha256_text,
    store_asset,
)

SyncStatus = Literal["created", "updated", "unchanged", "skipped", "conflict"]


@dataclass
class CourseSyncOutcome:
    slug: str
    status: SyncStatus
    details: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{self.slug}: {self.status}"] + [f"  {detail}" for detail in self.details]
        return "\n".join(lines)


def folder_fingerprint(folder: Path, registry_digest: str) -> str:
    """A hash of every file in the folder (and of the registry the folder is checked against), read as bytes:
    an unchanged folder is recognised without parsing it."""
    digest = hashlib.sha256(registry_digest.encode())
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            digest.update(b"\0" + path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def stored_fingerprint(session: Session, slug: str) -> str | None:
    return session.scalar(select(Course.synced_hash).where(Course.slug == slug))


def _conflicts(course: Course, parsed: content.Course, folder_label: str) -> list[str]:
    """Files changed since the last sync where the browser changed the same thing too."""
    found = []
    if course.edited_in_browser and sha256_text(parsed.meta.source) != course.synced_source_hash \
            and parsed.meta.source != course.source:
        found.append(f"{folder_label}/course.md changed in the folder and in the browser since the last sync")
    by_slug = {module.slug: module for module in course.modules}
    for parsed_module in parsed.modules:
        module = by_slug.get(parsed_module.slug)
        if module is not None and module.edited_in_browser \
                and sha256_text(parsed_module.source) != module.synced_source_hash \
                and parsed_module.source != module.source:
            found.append(f"{folder_label}/{parsed_module.filename} changed in the folder and in the browser "
                         f"(module '{module.slug}', version {module.version}) since the last sync")
    return found


def sync_course(session: Session, result: content.CourseResult, folder: Path, *, fingerprint: str,
                force: bool = False) -> CourseSyncOutcome:
    if result.course is None:
        return CourseSyncOutcome(result.slug, "skipped", [str(problem) for problem in result.errors])
    parsed = result.course
    course = session.scalar(
        select(Course).where(Course.slug == parsed.slug).options(selectinload(Course.modules))
    )
    if course is not None and course.synced_hash == fingerprint and not force:
        return CourseSyncOutcome(parsed.slug, "unchanged")
    if course is not None and not force:
        conflicts = _conflicts(course, parsed, result.path)
        if conflicts:
            return CourseSyncOutcome(parsed.slug, "conflict", conflicts + [
                "nothing was changed; either `courses export` to keep the browser's version (it refuses to overwrite "
                "these files: copy your folder edits aside first, then export --force), or `courses sync --force` to "
                "take the files"])

    details: list[str] = []
    if course is None:
        course = create_course_from_meta(session, parsed.meta, author=None)
        course.synced_source_hash = sha256_text(parsed.meta.source)
        status: SyncStatus = "created"
    else:
        status = "updated"
        if course.edited_in_browser and course.source == parsed.meta.source:
            course.edited_in_browser = False
            details.append("course.md: the folder now holds the browser's edit")
        elif course.edited_in_browser and not force and course.source != parsed.meta.source:
            details.append("course.md: kept the browser's edit (export to write it to the folder)")
        elif course.source != parsed.meta.source:
            apply_course_meta(course, parsed.meta)
            course.version += 1
            add_revision(session, course, None, parsed.meta.source, author=None, summary="synced")
            details.append("course.md: updated")
            course.edited_in_browser = False
        course.synced_source_hash = sha256_text(parsed.meta.source)

    existing = {module.slug: module for module in course.modules}
    for parsed_module in parsed.modules:
        details.extend(_sync_module(session, course, existing.get(parsed_module.slug), parsed_module, force))
    synced_slugs = {module.slug for module in parsed.modules}
    for slug, module in existing.items():
        if slug not in synced_slugs and not module.archived:
            archive_module(session, module, author=None, summary="archived: file removed")
            details.append(f"{module.filename}: archived (file removed; learner records kept)")

    for image in sorted({path for module in parsed.modules for path in module.images}):
        store_asset(session, course, image, (folder / image).read_bytes())
    course.synced_hash = fingerprint
    session.flush()
    return CourseSyncOutcome(parsed.slug, status, details)


def _sync_module(session: Session, course: Course, module: Module | None, parsed: content.Module,
                 force: bool) -> list[str]:
    source_hash = sha256_text(parsed.source)
    if module is None:
        module = create_module(session, course, parsed, author=None)
        module.synced_source_hash = source_hash
        return [f"{parsed.filename}: added"]
    if module.archived and module.edited_in_browser and not force and source_hash == module.synced_source_hash:
        # Archived in the browser, its file untouched since: the browser's decision stands.
        return [f"{parsed.filename}: kept archived, as it was in the browser (delete the file, or sync --force)"]
    details = []
    if module.edited_in_browser and module.source == parsed.source and module.filename == parsed.filename \
            and not module.archived:
        module.edited_in_browser = False  # exported, or the same edit made in both places: they agree again
        details.append(f"{parsed.filename}: the folder now holds the browser's edit")
    if module.edited_in_browser and not force and module.source != parsed.source:
        details.append(f"{parsed.filename}: kept the browser's edit (export to write it to the folder)")
    elif module.source != parsed.source or module.archived:
        summary = "restored by sync" if module.archived else "synced"
        apply_module(module, parsed)
        module.version += 1
        module.edited_in_browser = False
        session.flush()
        add_revision(session, course, module, parsed.source, author=None, summary=summary)
        details.append(f"{parsed.filename}: {summary}")
    elif (module.position, module.filename) != (parsed.position, parsed.filename):
        if module.edited_in_browser and not force:  # moved in the browser: its order stands until exported
            details.append(f"{parsed.filename}: kept the browser's order, as {module.filename} (export to write it "
                           f"to the folder)")
        else:
            module.position, module.filename = parsed.position, parsed.filename
            details.append(f"{parsed.filename}: moved")
    module.synced_source_hash = source_hash
    return details
