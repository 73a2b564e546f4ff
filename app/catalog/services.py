"""Writes to the content store, shared by the folder sync and the browser editor. Functions flush, never commit."""

import dataclasses
import hashlib
import mimetypes
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app import content
from app.auth.models import User
from app.catalog.models import ContentRevision, Course, CourseAsset, Module, StandardEntry
from app.errors import Conflict

ALLOWED_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def quiz_as_data(quiz: content.Quiz | None) -> dict[str, Any] | None:
    return dataclasses.asdict(quiz) if quiz is not None else None


def author_label(author: User | None) -> str:
    return author.username if author is not None else "sync"


def add_revision(session: Session, course: Course, module: Module | None, source: str, *,
                 author: User | None, summary: str) -> ContentRevision:
    owner = ContentRevision.module_id == module.id if module is not None else ContentRevision.module_id.is_(None)
    latest = session.scalar(
        select(func.max(ContentRevision.number)).where(ContentRevision.course_id == course.id, owner)
    )
    revision = ContentRevision(
        course_id=course.id,
        module_id=module.id if module is not None else None,
        number=(latest or 0) + 1,
        source=source,
        quiz=module.quiz if module is not None else None,
        author_id=author.id if author is not None else None,
        author_label=author_label(author),
        summary=summary,
    )
    session.add(revision)
    return revision


def apply_course_meta(course: Course, meta: content.CourseMeta) -> None:
    course.title = meta.title
    course.summary = meta.summary
    course.audiences = list(meta.audiences)
    course.language = meta.language
    course.estimated_minutes = meta.estimated_minutes
    course.status = meta.status
    course.objectives = list(meta.objectives)
    course.standards = list(meta.standards)
    completion = meta.completion
    course.completion = {
        "modules": completion.modules if completion.modules == "all" else list(completion.modules),
        "quizzes": completion.quizzes,
    }
    course.source = meta.source
    course.intro_html = meta.intro_html


def apply_module(module: Module, parsed: content.Module) -> None:
    module.slug = parsed.slug
    module.position = parsed.position
    module.filename = parsed.filename
    module.title = parsed.title
    module.estimated_minutes = parsed.estimated_minutes
    module.objectives = list(parsed.objectives)
    module.standards = list(parsed.standards)
    module.source = parsed.source
    module.learner_html = parsed.learner_html
    module.trainer_html = parsed.trainer_html
    module.toc = [dataclasses.asdict(entry) for entry in parsed.toc]
    module.quiz = quiz_as_data(parsed.quiz)
    module.question_count = len(parsed.quiz.questions) if parsed.quiz else 0
    module.word_count = parsed.word_count
    module.archived = False


def create_course_from_meta(session: Session, meta: content.CourseMeta, *, author: User | None) -> Course:
    course = Course(slug=meta.slug, created_by_id=author.id if author is not None else None)
    apply_course_meta(course, meta)
    session.add(course)
    session.flush()
    add_revision(session, course, None, meta.source, author=author, summary="created")
    return course


def create_module(session: Session, course: Course, parsed: content.Module, *, author: User | None) -> Module:
    module = Module(course_id=course.id)
    apply_module(module, parsed)
    course.modules.append(module)
    session.flush()
    add_revision(session, course, module, parsed.source, author=author, summary="created")
    return module


def claim_version(session: Session, row: Course | Module, expected_version: int) -> None:
    """Optimistic locking: bump the version only if it is still the one the editor opened. If someone saved since,
    the update matches no row and Conflict is raised, so nothing is overwritten."""
    model = type(row)
    claimed = session.execute(
        update(model)
        .where(model.id == row.id, model.version == expected_version)
        .values(version=model.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise Conflict("This was saved by someone else since you opened it.")
    session.refresh(row, ["version"])


def save_module_source(session: Session, module: Module, parsed: content.Module, *, expected_version: int,
                       author: User | None, summary: str = "edited", from_browser: bool = True) -> Module:
    """Replace a module's content, if nobody saved it since `expected_version`."""
    claim_version(session, module, expected_version)
    apply_module(module, parsed)
    if from_browser:
        module.edited_in_browser = True
    session.flush()
    add_revision(session, module.course, module, parsed.source, author=author, summary=summary)
    return module


def save_course_source(session: Session, course: Course, meta: content.CourseMeta, *, expected_version: int,
                       author: User | None, summary: str = "edited") -> Course:
    claim_version(session, course, expected_version)
    apply_course_meta(course, meta)
    course.edited_in_browser = True
    session.flush()
    add_revision(session, course, None, meta.source, author=author, summary=summary)
    return course


def archive_module(session: Session, module: Module, *, author: User | None, summary: str) -> None:
    module.archived = True
    module.version += 1
    session.flush()
    add_revision(session, module.course, module, module.source, author=author, summary=summary)


def set_course_status(course: Course, status: str) -> None:
    course.status = status


def store_asset(session: Session, course: Course, path: str, data: bytes) -> CourseAsset:
    digest = hashlib.sha256(data).hexdigest()
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    asset = session.scalar(select(CourseAsset).where(CourseAsset.course_id == course.id, CourseAsset.path == path))
    if asset is None:
        asset = CourseAsset(course_id=course.id, path=path)
        session.add(asset)
    elif asset.sha256 == digest:
        return asset
    asset.data, asset.sha256, asset.size, asset.content_type = data, digest, len(data), content_type
    session.flush()
    return asset


def sync_standards(session: Session, registry: content.StandardsRegistry) -> int:
    """Make the standards table match the registry. Returns the number of rows written."""
    existing = {entry.code: entry for entry in session.scalars(select(StandardEntry))}
    wanted: dict[str, dict[str, Any]] = {}
    position = 0
    for instrument in registry.instruments:
        rows = [(instrument.key, None, instrument.title)] + [
            (standard.code, standard.article, standard.title) for standard in instrument.articles
        ]
        for code, article, title in rows:
            position += 1
            wanted[code] = {"instrument": instrument.key, "article": article, "title": title,
                            "instrument_title": instrument.title, "kind": instrument.kind, "unit": instrument.unit,
                            "position": position}
    written = 0
    for code, values in wanted.items():
        entry = existing.get(code)
        if entry is None:
            session.add(StandardEntry(code=code, **values))
            written += 1
        elif any(getattr(entry, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(entry, key, value)
            written += 1
    for code, entry in existing.items():
        if code not in wanted:
            session.delete(entry)
            written += 1
    session.flush()
    return written


def registry_from_database(session: Session) -> content.StandardsRegistry:
    """The registry as stored, for validating content edited in the browser."""
    entries = session.scalars(select(StandardEntry).order_by(StandardEntry.position)).all()
    instruments: dict[str, dict[str, Any]] = {}
    for entry in entries:
        group = instruments.setdefault(entry.instrument, {"title": entry.instrument_title, "kind": entry.kind,
                                                          "unit": entry.unit, "articles": []})
        if entry.article is not None:
            group["articles"].append(content.Standard(code=entry.code, instrument=entry.instrument,
                                                      article=entry.article, title=entry.title,
                                                      instrument_title=entry.instrument_title, unit=entry.unit))
    return content.StandardsRegistry(instruments=tuple(
        content.Instrument(key=key, title=group["title"], kind=group["kind"], adopted=None, source=None,
                           articles=tuple(group["articles"]), unit=group["unit"])
        for key, group in instruments.items()
    ))
