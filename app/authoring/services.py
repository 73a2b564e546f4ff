"""Writing courses in the browser. Every save is validated by the same parser as the files, and is a revision."""

import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from html import unescape
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from app import content
from app.auth.models import User
from app.catalog import services as catalog
from app.catalog.models import ContentRevision, Course, CourseAsset, Module
from app.catalog.queries import asset_by_path, asset_paths
from app.content.markdown_render import MODULE_FILENAME, markdown_converter
from app.errors import Conflict, InvalidInput, NotFound
from app.quizzes.models import AttemptAnswer, AttemptStatus, QuizAttempt

MAX_IMAGE_BYTES = 2 * 1024 * 1024
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": ".png",
    b"\xff\xd8\xff": ".jpg",
    b"GIF87a": ".gif",
    b"GIF89a": ".gif",
}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
STATUS_LINE = re.compile(r"^status:.*$", re.MULTILINE)
COURSE_FORMAT_GUIDE = Path(__file__).parent / "guide" / "course-format.md"


@dataclass(frozen=True)
class Guide:
    html: str
    sections: list[tuple[str, str]]  # (heading id, heading text) of the second-level headings


@lru_cache(maxsize=1)
def course_format_guide() -> Guide:
    """The course format guide (the same file the repository documents the format with), rendered once per
    process: it changes only with a new release."""
    converter = markdown_converter()
    html = content.sanitize(converter.convert(COURSE_FORMAT_GUIDE.read_text(encoding="utf-8")))
    top = converter.toc_tokens[0]["children"] if converter.toc_tokens else []
    return Guide(html=html, sections=[(token["id"], unescape(token["name"])) for token in top])


@dataclass(frozen=True)
class Checked:
    """A source checked by the parser: `parsed` is None when there is an error. `unchanged`: a save found the text
    identical to what is stored, and wrote nothing."""

    parsed: object | None
    problems: tuple[content.Problem, ...]
    unchanged: bool = False

    @property
    def errors(self) -> tuple[content.Problem, ...]:
        return tuple(problem for problem in self.problems if problem.severity == "error")


def check_module_source(session: Session, course: Course, text: str, filename: str,
                        module: Module | None = None) -> Checked:
    registry = catalog.registry_from_database(session)
    known = {other.slug for other in course.modules if not other.archived} | {_slug_of(filename)}
    assets = asset_paths(session, course.id)
    parsed, problems = content.parse_module_source(
        text, filename=filename, course_slug=course.slug, registry=registry, known_modules=known,
        asset_exists=assets.__contains__,
    )
    problems = list(problems)
    if parsed is not None and parsed.quiz is not None:
        taken = {
            question["id"]: other.filename
            for other in course.modules
            if other.quiz and not other.archived and (module is None or other.id != module.id)
            for question in other.quiz["questions"]
        }
        for question in parsed.quiz.questions:
            if question.id in taken:
                problems.append(content.Problem(filename, question.line,
                                                f"question id '{question.id}' is already used in {taken[question.id]}"))
    if module is not None and not any(problem.severity == "error" for problem in problems):
        problems.extend(_answered_questions_dropped(session, module, parsed, text, filename))
        problems.extend(_quiz_changed_under_open_attempts(session, module, parsed, text, filename))
    if any(problem.severity == "error" for problem in problems):
        parsed = None
    return Checked(parsed, tuple(problems))


QUIZ_OPENING = re.compile(r"^:::quiz\b", re.MULTILINE)


def _quiz_line(text: str) -> int:
    """The line of the `:::quiz` opening (1 if there is none): where a warning about the quiz as a whole points."""
    opening = QUIZ_OPENING.search(text)
    return text.count("\n", 0, opening.start()) + 1 if opening else 1


def _answered_questions_dropped(session: Session, module: Module, parsed, text: str,
                                filename: str) -> list[content.Problem]:
    """A warning for each question learners have answered that the new text renames or removes: their answers
    stay in their records, but the class reports follow question ids, so its history would drop out of sight."""
    new_questions = list(parsed.quiz.questions) if parsed and parsed.quiz else []
    kept = {question.id for question in new_questions}
    old_ids = [question["id"] for question in (module.quiz or {}).get("questions") or []]
    dropped = [key for key in old_ids if key not in kept]
    if not dropped:
        return []
    answered = dict(session.execute(
        select(AttemptAnswer.question_key, func.count(distinct(QuizAttempt.user_id)))
        .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .where(QuizAttempt.module_id == module.id, AttemptAnswer.question_key.in_(dropped))
        .group_by(AttemptAnswer.question_key)).all())
    quiz_line = _quiz_line(text)

    def line_of(key: str) -> int:
        """A renamed question sits where the old one was: a new id at the same place is the likely rename."""
        position = old_ids.index(key)
        if position < len(new_questions) and new_questions[position].id not in old_ids:
            return new_questions[position].line
        return quiz_line

    return [content.Problem(filename, line_of(key), ngettext(
        "question '%(id)s' has answers from %(num)d learner and is no longer in the quiz: their answers stay in "
        "their records, but the class reports will not show it. Keep its {#%(id)s} to keep its history.",
        "question '%(id)s' has answers from %(num)d learners and is no longer in the quiz: their answers stay in "
        "their records, but the class reports will not show it. Keep its {#%(id)s} to keep its history.",
        answered[key], id=key), "warning") for key in dropped if answered.get(key)]


def _quiz_changed_under_open_attempts(session: Session, module: Module, parsed, text: str,
                                      filename: str) -> list[content.Problem]:
    """Learners in the middle of the quiz keep the version they started (their attempt is graded against it): the
    trainer should know that a fix reaches them only on their next attempt."""
    if parsed is None or not module.quiz or _as_json(catalog.quiz_as_data(parsed.quiz)) == _as_json(module.quiz):
        return []
    taking = session.scalar(select(func.count()).select_from(QuizAttempt).where(
        QuizAttempt.module_id == module.id, QuizAttempt.status == AttemptStatus.OPEN))
    if not taking:
        return []
    return [content.Problem(filename, _quiz_line(text), ngettext(
        "%(num)d learner is taking this quiz: they finish the version they started; their next attempt gets this one.",
        "%(num)d learners are taking this quiz: they finish the version they started; their next attempt gets this "
        "one.", taking), "warning")]


def _as_json(data) -> str:
    # The stored quiz went through JSON (lists where the parser has tuples): compare both that way.
    return json.dumps(data, sort_keys=True)


def check_course_source(session: Session, course: Course, text: str) -> Checked:
    parsed, problems = content.parse_course_source(
        text, course_slug=course.slug, registry=catalog.registry_from_database(session),
        module_slugs=[module.slug for module in course.modules if not module.archived],
        asset_exists=asset_paths(session, course.id).__contains__,
    )
    if parsed is not None and parsed.status == "published" and not course.active_modules:
        # Learners would enrol in "0 of 0 modules". The file format cannot tell (a folder is checked alone).
        status = STATUS_LINE.search(text)
        line = text.count("\n", 0, status.start()) + 1 if status else 1
        problems = tuple(sorted((*problems, content.Problem(
            "course.md", line, _("a course without modules cannot be published: add a module first, "
                                 "or keep 'status: draft'"))), key=lambda problem: problem.line))
        parsed = None
    return Checked(parsed, problems)


def _slug_of(filename: str) -> str:
    return filename.removesuffix(".md").split("-", 1)[-1]


# The lines of new_course_source() that hold each field.
NEW_COURSE_FIELD_LINES = {2: "title", 3: "summary", 4: "audiences", 5: "language", 6: "estimated_minutes"}


class FieldRefused(InvalidInput):
    """Input refused because of one field of a form, named by `field`, so the form can show it under that field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def new_course_source(*, title: str, summary: str, audiences: list[str], language: str, estimated_minutes: int) -> str:
    def quoted(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return (
        "---\n"
        f"title: {quoted(title)}\n"
        f"summary: {quoted(summary)}\n"
        f"audiences: [{', '.join(audiences)}]\n"
        f"language: {language}\n"
        f"estimated_minutes: {estimated_minutes}\n"
        "status: draft\n"
        "objectives: []\n"
        "standards: []\n"
        "---\n"
    )  # the introduction (the body) is the trainer's to write: the summary is already shown above it


def create_course(session: Session, *, slug: str, title: str, summary: str, audiences: list[str], language: str,
                  estimated_minutes: int, author: User) -> Course:
    """A draft course from the new-course form. Raises FieldRefused (or Conflict, for the address) naming the field
    at fault. Values written unquoted into course.md are checked first, so none can add a line of its own."""
    if not SLUG.match(slug):
        raise FieldRefused("slug", _("Use lower-case letters, digits and single hyphens."))
    if not audiences or not set(audiences) <= set(content.AUDIENCES):
        raise FieldRefused("audiences", _("Choose at least one audience."))
    if not content.LANGUAGE_TAG.fullmatch(language):
        raise FieldRefused("language", _("Use a language tag such as en, fr or es-419."))
    if not 1 <= estimated_minutes <= 10_000:
        raise FieldRefused("estimated_minutes", _("Enter a whole number of minutes, at least 1 and at most 10000."))
    if session.scalar(select(Course.id).where(Course.slug == slug)) is not None:
        raise Conflict(_("A course with this address already exists."))
    source = new_course_source(title=title, summary=summary, audiences=audiences, language=language,
                               estimated_minutes=estimated_minutes)
    meta, problems = content.parse_course_source(source, course_slug=slug,
                                                 registry=catalog.registry_from_database(session))
    if meta is None:
        problem = next(problem for problem in problems if problem.is_error)
        raise FieldRefused(NEW_COURSE_FIELD_LINES.get(problem.line, "summary"),
                           _("This cannot be saved as written: %(problem)s", problem=problem.message))
    course = catalog.create_course_from_meta(session, meta, author=author)
    course.edited_in_browser = True
    return course


def next_module_filename(course: Course, slug: str) -> str:
    position = max((module.position for module in course.modules), default=0) + 1
    return f"{position:02d}-{slug}.md"


def create_module(session: Session, course: Course, *, slug: str, text: str,
                  author: User) -> tuple[Module | None, Checked]:
    if not SLUG.match(slug):
        raise InvalidInput(_("Use lower-case letters, digits and single hyphens."))
    if any(module.slug == slug for module in course.modules):
        raise Conflict(_("This course already has a module with this address."))
    checked = check_module_source(session, course, text, next_module_filename(course, slug))
    if checked.parsed is None:
        return None, checked
    module = catalog.create_module(session, course, checked.parsed, author=author)
    module.edited_in_browser = True
    return module, checked


def archive_module(session: Session, module: Module, author: User) -> None:
    """Take a module out of the course: learners no longer see it; their progress, attempts and certificates stay,
    and the module can be restored. Refused when the course needs it: the last module of a published course, or a
    module its completion rule names."""
    course = module.course
    if course.is_published and course.active_modules == [module]:
        raise InvalidInput(_("This is the course's only module: add another, or unpublish the course, first."))
    named = (course.completion or {}).get("modules")
    if isinstance(named, list) and module.slug in named:
        raise InvalidInput(_("course.md's completion rule names this module: change the rule first."))
    linked_from = _files_linking_to(course, module)
    if linked_from:
        raise InvalidInput(_("Other pages link to this module: %(files)s. Remove those links first; archived, it "
                             "would leave them leading nowhere.", files=", ".join(linked_from)))
    catalog.archive_module(session, module, author=author, summary="archived in the browser")
    module.edited_in_browser = True  # a sync of a folder that still has its file keeps it archived


def _files_linking_to(course: Course, module: Module) -> list[str]:
    """course.md and the active modules whose text links to this module's file (`[text](02-slug.md)`)."""
    link = re.compile(rf"\b\d+-{re.escape(module.slug)}\.md\b")
    sources = [("course.md", course.source)] + [(other.filename, other.source) for other in course.active_modules
                                               if other.id != module.id]
    return [filename for filename, source in sources if link.search(source)]


def move_module(module: Module, steps: int) -> bool:
    """Swap the module with its neighbour among the course's active modules (steps -1: earlier, +1: later). Their
    file names follow (`NN-slug.md`: the number is the order), so that an export writes the new order. False if
    there is no neighbour on that side."""
    active = module.course.active_modules
    index = active.index(module) + steps
    if not 0 <= index < len(active) or steps not in (-1, 1):
        return False
    other = active[index]
    module.position, other.position = other.position, module.position
    for moved in (module, other):
        number = MODULE_FILENAME.fullmatch(moved.filename)
        width = len(number.group(1)) if number else 2
        moved.filename = f"{moved.position:0{width}d}-{moved.slug}.md"
        moved.edited_in_browser = True  # a sync of a folder in the old order keeps this one until it is exported
    return True


def restore_module(session: Session, module: Module, author: User) -> None:
    module.archived = False
    module.version += 1
    module.edited_in_browser = True
    session.flush()
    catalog.add_revision(session, module.course, module, module.source, author=author,
                         summary="restored in the browser")


def save_module(session: Session, module: Module, text: str, *, expected_version: int, author: User,
                summary: str = "edited") -> Checked:
    """Validate and save. Returns the check; nothing is saved when it has errors or when the text is the one stored
    (no empty revision). Raises Conflict when someone saved since `expected_version`."""
    checked = check_module_source(session, module.course, text, module.filename, module)
    if checked.parsed is None:
        return checked
    if checked.parsed.source == module.source:
        return replace(checked, unchanged=True)
    catalog.save_module_source(session, module, checked.parsed, expected_version=expected_version,
                               author=author, summary=summary)
    return checked


def save_course(session: Session, course: Course, text: str, *, expected_version: int, author: User,
                summary: str = "edited") -> Checked:
    checked = check_course_source(session, course, text)
    if checked.parsed is None:
        return checked
    if checked.parsed.source == course.source:
        return replace(checked, unchanged=True)
    catalog.save_course_source(session, course, checked.parsed, expected_version=expected_version,
                               author=author, summary=summary)
    return checked


def restore_revision(session: Session, module: Module, revision: ContentRevision, *, expected_version: int,
                     author: User) -> Checked:
    return save_module(session, module, revision.source, expected_version=expected_version, author=author,
                       summary=f"restored revision {revision.number}")


def set_published(session: Session, course: Course, published: bool, author: User) -> Checked:
    """Publishing changes course.md too, so that export writes what the app serves."""
    if published and not course.active_modules:
        raise InvalidInput(_("Add a module before publishing: a course without modules has nothing for learners "
                             "to take."))
    status = "published" if published else "draft"
    document_end = course.source.find("\n---", 4)
    front, rest = course.source[:document_end], course.source[document_end:]
    if STATUS_LINE.search(front):
        front = STATUS_LINE.sub(f"status: {status}", front, count=1)
    else:
        front = front.rstrip("\n") + f"\nstatus: {status}"
    return save_course(session, course, front + rest, expected_version=course.version, author=author,
                       summary="published" if published else "unpublished")


def delete_image(session: Session, course: Course, path: str) -> None:
    """Remove an uploaded image (a wrong picture, or one showing someone who must not be shown). Refused while a
    page of the course shows it, archived modules included (restored, they would show a hole). Older revisions are
    not checked: a learner still in an attempt begun on one may see a hole where its question showed the image."""
    asset = asset_by_path(session, course.id, path)
    if asset is None:
        raise NotFound()
    shown_by = _pages_showing(course, path)
    if shown_by:
        raise InvalidInput(_("%(path)s is shown by %(pages)s. Remove it from their text first, then delete it.",
                             path=path, pages=", ".join(shown_by)))
    session.delete(asset)
    session.flush()


def _pages_showing(course: Course, path: str) -> list[str]:
    """course.md and the modules whose rendered text (quiz included) shows the image: the renderer wrote every
    image it accepted as a link to /assets/<path>, so the HTML says exactly which pages use it."""
    shown = re.compile(re.escape(f"/assets/{quote(path)}") + r"(?![\w./%-])")
    pages = [_("the course page")] if shown.search(course.intro_html) else []
    for module in course.modules:
        if shown.search(module.trainer_html) or shown.search(json.dumps(module.quiz or {}, ensure_ascii=False)):
            pages.append(_("“%(title)s” (archived)", title=module.title) if module.archived else
                         _("“%(title)s”", title=module.title))
    return pages


@dataclass(frozen=True)
class UploadedImage:
    asset: CourseAsset
    outcome: str  # "added", "replaced" (same path, new bytes: every module showing it changes) or "unchanged"


def upload_image(session: Session, course: Course, filename: str, data: bytes) -> UploadedImage:
    """Store an image under images/<name>. An image with the same path is replaced: that is how a trainer updates
    a picture, and the caller says so."""
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidInput(_("Images can be at most 2 MB."))
    extension = next((ext for signature, ext in IMAGE_SIGNATURES.items() if data.startswith(signature)), None)
    if extension is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        extension = ".webp"
    if extension is None:
        raise InvalidInput(_("Upload a PNG, JPEG, GIF or WebP image."))
    stem = re.sub(r"[^a-z0-9]+", "-", PurePosixPath(filename).stem.casefold()).strip("-")[:60] or "image"
    path = f"images/{stem}{extension}"
    previous = asset_by_path(session, course.id, path)
    previous_digest = previous.sha256 if previous is not None else None
    asset = catalog.store_asset(session, course, path, data)
    if previous_digest is None:
        return UploadedImage(asset, "added")
    return UploadedImage(asset, "unchanged" if asset.sha256 == previous_digest else "replaced")
