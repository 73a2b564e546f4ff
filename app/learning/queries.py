"""Reads for the learner's pages. Each page runs a fixed number of queries, whatever the size of a course."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, inspect, select
from sqlalchemy.orm import Session, defer, load_only, selectinload, undefer
from sqlalchemy.orm.attributes import set_committed_value

from app.access import READABLE_COURSES, can_read_drafts
from app.auth.models import User
from app.catalog.models import Course, CourseStatus, Module, StandardEntry
from app.learning.models import Certificate, Enrolment, ModuleProgress
from app.learning.services import module_done, quizzes_required, required_modules

VERIFICATION_CODE = re.compile(r"[A-Za-z0-9_-]{16,64}")  # secrets.token_urlsafe's alphabet
# What lists and navigation need from a module: never the rendered pages or the source.
MODULE_LIGHT = (load_only(Module.id, Module.course_id, Module.slug, Module.position, Module.title,
                          Module.estimated_minutes, Module.archived, Module.question_count),)
COURSE_LIGHT = (defer(Course.source), defer(Course.intro_html))


@dataclass
class CourseProgress:
    """Where a learner stands in one course."""

    course: Course
    enrolment: Enrolment | None = None
    progress_by_module: dict[int, ModuleProgress] = field(default_factory=dict)
    certificate: Certificate | None = None

    @property
    def modules(self) -> list[Module]:
        return self.course.active_modules

    def status_of(self, module: Module) -> str:
        progress = self.progress_by_module.get(module.id)
        if module_done(module, progress, quizzes_required(self.course)):
            return "completed"
        return "in_progress" if progress is not None else "not_started"

    def best_score(self, module: Module) -> float | None:
        progress = self.progress_by_module.get(module.id)
        return progress.best_score if progress is not None else None

    @property
    def has_quiz_results(self) -> bool:
        """A quiz of the course was submitted: the course stays on the record (privacy.leave_course)."""
        return any(progress.last_score is not None for progress in self.progress_by_module.values())

    @property
    def counted_modules(self) -> list[Module]:
        return required_modules(self.course)

    @property
    def completed_count(self) -> int:
        return sum(1 for module in self.counted_modules if self.status_of(module) == "completed")

    @property
    def percent(self) -> int:
        total = len(self.counted_modules)
        return round(100 * self.completed_count / total) if total else 0

    @property
    def enrolled(self) -> bool:
        return self.enrolment is not None or bool(self.progress_by_module)

    @property
    def started(self) -> bool:
        return bool(self.progress_by_module)

    @property
    def resume_module(self) -> Module | None:
        """The first module not completed yet, or None when every module is."""
        return next((module for module in self.modules if self.status_of(module) != "completed"), None)

    @property
    def quiz_scores(self) -> list[tuple[Module, ModuleProgress]]:
        return [(module, self.progress_by_module[module.id]) for module in self.modules
                if module.has_quiz and module.id in self.progress_by_module
                and self.progress_by_module[module.id].best_score is not None]


# Every statement below is built once, with the request's values bound at execution: SQLAlchemy then reuses the
# statement's cache key and compiled form instead of rebuilding both for each page.
_PROGRESS_IN_MODULES = select(ModuleProgress).where(
    ModuleProgress.user_id == bindparam("learner_id"),
    ModuleProgress.module_id.in_(bindparam("module_ids", expanding=True)))
_ENROLMENTS_IN_COURSES = select(Enrolment).where(
    Enrolment.user_id == bindparam("learner_id"), Enrolment.course_id.in_(bindparam("course_ids", expanding=True)))
_CERTIFICATES_IN_COURSES = select(Certificate).where(
    Certificate.user_id == bindparam("learner_id"), Certificate.course_id.in_(bindparam("course_ids", expanding=True)))
_LIGHT_MODULES_OF_COURSES = (
    select(Module)
    .where(Module.course_id.in_(bindparam("course_ids", expanding=True)))
    .order_by(Module.course_id, Module.position)
    .options(*MODULE_LIGHT)
)


def _progress_rows(session: Session, user: User, module_ids: list[int]) -> dict[int, ModuleProgress]:
    if not user.is_authenticated or not module_ids:
        return {}
    rows = session.scalars(_PROGRESS_IN_MODULES, {"learner_id": user.id, "module_ids": module_ids})
    return {row.module_id: row for row in rows}


def _enrolments(session: Session, user: User, course_ids: list[int]) -> dict[int, Enrolment]:
    if not user.is_authenticated or not course_ids:
        return {}
    rows = session.scalars(_ENROLMENTS_IN_COURSES, {"learner_id": user.id, "course_ids": course_ids})
    return {row.course_id: row for row in rows}


def _certificates(session: Session, user: User, course_ids: list[int]) -> dict[int, Certificate]:
    if not user.is_authenticated or not course_ids:
        return {}
    rows = session.scalars(_CERTIFICATES_IN_COURSES, {"learner_id": user.id, "course_ids": course_ids})
    return {row.course_id: row for row in rows}


def _with_light_modules(session: Session, courses: list[Course]) -> list[Course]:
    """Each course's `modules`, with MODULE_LIGHT's columns only, in one plain statement for all the courses:
    cheaper than selectinload's machinery, and unlike a lazy load it leaves each module's content out."""
    pending = {course.id: [] for course in courses if "modules" not in inspect(course).dict}
    if pending:
        for module in session.scalars(_LIGHT_MODULES_OF_COURSES, {"course_ids": list(pending)}):
            pending[module.course_id].append(module)
        for course in courses:
            if course.id in pending:
                set_committed_value(course, "modules", pending[course.id])
    return courses


def _progress_for_courses(session: Session, user: User, courses: list[Course]) -> list[CourseProgress]:
    course_ids = [course.id for course in courses]
    module_ids = [module.id for course in courses for module in course.active_modules]
    progress = _progress_rows(session, user, module_ids)
    enrolments = _enrolments(session, user, course_ids)
    certificates = _certificates(session, user, course_ids)
    return [
        CourseProgress(
            course=course,
            enrolment=enrolments.get(course.id),
            progress_by_module={module.id: progress[module.id] for module in course.active_modules
                                if module.id in progress},
            certificate=certificates.get(course.id),
        )
        for course in courses
    ]


@dataclass
class Catalog:
    entries: list[CourseProgress]
    audiences: list[str]
    languages: list[str]
    audience: str  # the filters applied: "" for all
    language: str


_CATALOG = {  # by can_read_drafts
    reads_drafts: select(Course).where(readable).options(*COURSE_LIGHT).order_by(Course.title)
    for reads_drafts, readable in READABLE_COURSES.items()
}


EVERYONE = "general"  # the audience of a course written for anyone: it belongs under every audience's filter


def catalog_for(session: Session, user: User, audience: str = "", language: str = "") -> Catalog:
    """Courses the user may read, filtered, the chosen audience (else the user's own) first, then their language.
    Drafts only for trainers.
    A filter no course could match (an old bookmark, a hand-typed URL) is dropped rather than showing nothing under
    a filter box that cannot show it."""
    courses = list(session.scalars(_CATALOG[can_read_drafts(user)]))
    audiences = sorted({code for course in courses for code in course.audiences or []})
    languages = sorted({course.language for course in courses})
    audience = audience if audience in audiences else ""
    language = language if language in languages else ""
    shown = [course for course in courses
             if (not audience or audience in (course.audiences or []) or EVERYONE in (course.audiences or []))
             and (not language or course.language == language)]
    # Under an audience filter, its own courses come first: a police officer looking at the judges' courses wants
    # those, then the ones for everyone.
    own_audience = audience or getattr(user, "audience", None)
    own_language = getattr(user, "language", None)

    def audience_rank(course: Course) -> int:  # written for them, then for everyone, then for others
        audiences = course.audiences or []
        return 0 if own_audience in audiences else 1 if EVERYONE in audiences else 2

    shown.sort(key=lambda course: (audience_rank(course), course.language != own_language, course.title.casefold()))
    _with_light_modules(session, shown)
    return Catalog(entries=_progress_for_courses(session, user, shown), audiences=audiences, languages=languages,
                   audience=audience, language=language)


_COURSE_BY_SLUG = {  # by with_intro
    with_intro: select(Course).where(Course.slug == bindparam("slug")).options(
        *([defer(Course.source)] if with_intro else COURSE_LIGHT))
    for with_intro in (False, True)
}


def course_with_modules(session: Session, slug: str, *, with_intro: bool = False) -> Course | None:
    course = session.scalars(_COURSE_BY_SLUG[with_intro], {"slug": slug}).one_or_none()
    return _with_light_modules(session, [course])[0] if course is not None else None


def course_progress(session: Session, user: User, course: Course) -> CourseProgress:
    return _progress_for_courses(session, user, [course])[0]


_STANDARDS_BY_CODE = (select(StandardEntry).where(StandardEntry.code.in_(bindparam("codes", expanding=True)))
                      .order_by(StandardEntry.position, StandardEntry.code))


def standards_by_code(session: Session, codes: list[str]) -> dict[str, StandardEntry]:
    """The registry's entries for these codes, in the registry's order (instrument by instrument, article by
    article); codes it does not know are left out."""
    if not codes:
        return {}
    return {entry.code: entry for entry in session.scalars(_STANDARDS_BY_CODE, {"codes": list(codes)})}


def instruments_covered(session: Session, codes: list[str]) -> list[str]:
    """The instruments these standard codes belong to, by name, in registry order: what a certificate names (its
    article-by-article list is for the verification page)."""
    if not codes:
        return []
    rows = session.execute(select(StandardEntry.instrument_title, func.min(StandardEntry.position))
                           .where(StandardEntry.code.in_(codes)).group_by(StandardEntry.instrument_title)
                           .order_by(func.min(StandardEntry.position))).all()
    return [title for title, _position in rows]


@dataclass(frozen=True)
class CourseHeading:
    id: int
    slug: str
    title: str
    status: str
    completion: dict[str, Any]
    language: str

    @property
    def is_published(self) -> bool:
        return self.status == CourseStatus.PUBLISHED


@dataclass(frozen=True)
class ModuleReading:
    id: int
    course_id: int
    slug: str
    title: str
    question_count: int
    toc: list[dict[str, Any]]
    standards: list[str]
    body_html: str
    objectives: list[str]

    @property
    def has_quiz(self) -> bool:
        return self.question_count > 0


@dataclass(frozen=True)
class ModuleLink:
    slug: str
    title: str


@dataclass(frozen=True)
class ProgressSnapshot:
    id: int
    last_seen_at: datetime
    completed_at: datetime | None
    best_score: float | None
    quiz_passed_at: datetime | None


@dataclass(frozen=True)
class ModulePage:
    """Everything the module page shows."""

    course: CourseHeading
    module: ModuleReading
    progress: ProgressSnapshot | None
    position: int  # 1-based, among the course's active modules
    module_count: int
    previous: ModuleLink | None
    next: ModuleLink | None

    @property
    def reader_status(self) -> str:
        """The module's status as its own page shows it. Opening a published course's module starts it (the view
        records the visit), so a learner reading it is never told it is "not started"."""
        if self.progress is not None and self.progress.completed_at is not None:
            return "completed"
        if self.progress is not None or self.course.is_published:
            return "in_progress"
        return "not_started"


def _module_page_statement(body_column):
    """The most read page on the site, in one statement: the course, the module (one version of its body), its
    neighbours and the reader's progress. Built once per body version; the values are bound per request."""
    in_order = {"order_by": (Module.position, Module.id)}
    siblings = (
        select(
            Module.id,
            func.row_number().over(**in_order).label("position"),
            func.count().over().label("module_count"),
            func.lag(Module.slug).over(**in_order).label("previous_slug"),
            func.lag(Module.title).over(**in_order).label("previous_title"),
            func.lead(Module.slug).over(**in_order).label("next_slug"),
            func.lead(Module.title).over(**in_order).label("next_title"),
        )
        .join(Course, Course.id == Module.course_id)
        .where(Course.slug == bindparam("course_slug"), Module.archived.is_(False))
        .subquery()
    )
    return (
        select(
            Course.id, Course.slug, Course.title, Course.status, Course.completion, Course.language,
            Module.id, Module.course_id, Module.slug, Module.title, Module.question_count, Module.toc,
            Module.standards, body_column, Module.objectives,
            ModuleProgress.id, ModuleProgress.last_seen_at, ModuleProgress.completed_at, ModuleProgress.best_score,
            ModuleProgress.quiz_passed_at,
            siblings.c.position, siblings.c.module_count, siblings.c.previous_slug, siblings.c.previous_title,
            siblings.c.next_slug, siblings.c.next_title,
        )
        .select_from(siblings)
        .join(Module, Module.id == siblings.c.id)
        .join(Course, Course.id == Module.course_id)
        .outerjoin(ModuleProgress, and_(ModuleProgress.module_id == Module.id,
                                        ModuleProgress.user_id == bindparam("reader_id")))
        .where(Module.slug == bindparam("module_slug"))
    )


_MODULE_PAGE = {
    False: _module_page_statement(Module.learner_html),
    True: _module_page_statement(Module.trainer_html),
}


def module_page(session: Session, reader_id: int, course_slug: str, module_slug: str, *,
                with_facilitator_notes: bool) -> ModulePage | None:
    """The module page's content for this reader, or None if the course has no such active module. Whether the
    reader may see the course at all is the caller's check (`can_read_course(user, page.course)`)."""
    row = session.connection().execute(_MODULE_PAGE[with_facilitator_notes], {
        "course_slug": course_slug, "module_slug": module_slug, "reader_id": reader_id}).first()
    if row is None:
        return None
    (course_id, slug, title, status, completion, language, module_id, module_course_id, module_slug_, module_title,
     question_count, toc, standards, body_html, objectives, progress_id, last_seen_at, completed_at, best_score,
     quiz_passed_at, position, module_count, previous_slug, previous_title, next_slug, next_title) = row
    return ModulePage(
        course=CourseHeading(course_id, slug, title, status, completion or {}, language),
        module=ModuleReading(module_id, module_course_id, module_slug_, module_title, question_count, toc or [],
                             standards or [], body_html, objectives or []),
        progress=(ProgressSnapshot(progress_id, last_seen_at, completed_at, best_score, quiz_passed_at)
                  if progress_id is not None else None),
        position=position,
        module_count=module_count,
        previous=ModuleLink(previous_slug, previous_title) if previous_slug is not None else None,
        next=ModuleLink(next_slug, next_title) if next_slug is not None else None,
    )


@dataclass
class Dashboard:
    in_progress: list[CourseProgress]
    completed: list[CourseProgress]
    certificates: list[Certificate]


_COURSES_OF_LEARNER = (
    select(Course)
    .where(Course.id.in_(
        select(Enrolment.course_id).where(Enrolment.user_id == bindparam("learner_id"))
        .union(select(Module.course_id).join(ModuleProgress, ModuleProgress.module_id == Module.id)
               .where(ModuleProgress.user_id == bindparam("learner_id")))))
    .options(*COURSE_LIGHT)
    .order_by(Course.title)
)


def dashboard_for(session: Session, user: User) -> Dashboard:
    """Every course the learner is enrolled in or has opened, split into in progress and completed."""
    courses = _with_light_modules(session, list(session.scalars(_COURSES_OF_LEARNER, {"learner_id": user.id})))
    entries = _progress_for_courses(session, user, courses)
    certificates = sorted((entry.certificate for entry in entries if entry.certificate is not None),
                          key=lambda certificate: certificate.issued_at, reverse=True)
    return Dashboard(
        in_progress=[entry for entry in entries if entry.certificate is None],
        completed=[entry for entry in entries if entry.certificate is not None],
        certificates=certificates,
    )


def certificate_by_id(session: Session, certificate_id: int) -> Certificate | None:
    return session.get(Certificate, certificate_id)


def public_certificate(session: Session, code: str) -> Certificate | None:
    if not VERIFICATION_CODE.fullmatch(code):
        return None  # not a code we could have issued: no query (and no NUL byte ever reaches PostgreSQL)
    return session.scalars(select(Certificate).where(Certificate.code == code, Certificate.public.is_(True))).first()


@dataclass
class StandardsIndex:
    """Instruments in registry order, each with its articles and the published modules that teach them."""

    instruments: list[tuple[StandardEntry, list[StandardEntry]]]
    modules_by_code: dict[str, list[Module]]
    covered_codes: set[str]


_STANDARD_ENTRIES = select(StandardEntry).order_by(StandardEntry.position, StandardEntry.code)
_PUBLISHED_MODULES_WITH_STANDARDS = (
    select(Module)
    .join(Course, Course.id == Module.course_id)
    .where(Course.status == CourseStatus.PUBLISHED, Module.archived.is_(False))
    .options(*MODULE_LIGHT, undefer(Module.standards), selectinload(Module.course).options(*COURSE_LIGHT))
    .order_by(Course.title, Module.position)
)
_COMPLETED_MODULE_IDS = select(ModuleProgress.module_id).where(
    ModuleProgress.user_id == bindparam("learner_id"), ModuleProgress.completed_at.is_not(None))


def standards_index(session: Session, user: User) -> StandardsIndex:
    entries = list(session.scalars(_STANDARD_ENTRIES))
    modules = list(session.scalars(_PUBLISHED_MODULES_WITH_STANDARDS))
    modules_by_code: dict[str, list[Module]] = {}
    for module in modules:
        for code in module.standards or []:
            modules_by_code.setdefault(code, []).append(module)
    completed_ids = set()
    if user.is_authenticated:
        completed_ids = set(session.scalars(_COMPLETED_MODULE_IDS, {"learner_id": user.id}))
    covered = {code for code, teaching in modules_by_code.items()
               if any(module.id in completed_ids for module in teaching)}
    instruments = [entry for entry in entries if entry.article is None]
    articles: dict[str, list[StandardEntry]] = {}
    for entry in entries:
        if entry.article is not None:
            articles.setdefault(entry.instrument, []).append(entry)
    return StandardsIndex(
        instruments=[(instrument, articles.get(instrument.instrument, [])) for instrument in instruments],
        modules_by_code=modules_by_code,
        covered_codes=covered,
    )

