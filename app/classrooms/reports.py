"""Class reports: the learners x modules grid, a learner's drill-down, item analysis, standards mastery, CSV.

Every report runs a fixed number of queries whatever the size of the class: rows are fetched in bulk (progress,
attempt counts, answers) and assembled in Python, never fetched per learner or per cell.
"""

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import case, func, select, union_all
from sqlalchemy.orm import Session, selectinload

from app.auth.models import User
from app.catalog.models import ContentRevision, Course, Module, StandardEntry
from app.classrooms.live import AnswersByLearner
from app.classrooms.models import Classroom, ClassroomMember, ErasedMembership
from app.classrooms.names import told_apart
from app.classrooms.queries import class_assignments
from app.content import normalise_answer
from app.errors import NotFound
from app.extensions import utcnow
from app.learning.models import ModuleProgress
from app.local_time import local_time
from app.quizzes.models import AttemptAnswer, AttemptStatus, PracticeAnswer, QuizAttempt
from app.quizzes.services import attempt_limit

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    course: Course
    module: Module
    due_at: datetime | None = None  # the earliest due date of the assignments that bring this module

    @property
    def label(self) -> str:
        return f"{self.course.title} — {self.module.title}"

    @cached_property
    def past_due(self) -> bool:
        return self.due_at is not None and self.due_at < utcnow()


ICONS = {"not_started": "–", "in_progress": "◔", "not_passed": "✗", "completed": "✓"}


def report_labels() -> dict[str, str]:
    """Translated once per report, not once per cell: a 500 x 40 grid would otherwise spend seconds in gettext."""
    return {"not_started": _("Not started"), "in_progress": _("In progress"), "not_passed": _("Not passed"),
            "completed": _("Completed"), "live": _("live %(correct)d/%(total)d"), "overdue": _("overdue"),
            "due": _("due %(when)s"), "attempts_spent": _("all attempts used")}


@dataclass(frozen=True)
class Cell:
    status: str  # not_started | in_progress | not_passed | completed
    score: float | None = None
    attempts: int = 0
    practice: tuple[int, int] | None = None  # (correct, answered) in live sessions: practice, not the quiz score
    attempts_spent: bool = False  # not passed, and no attempt left: only a trainer can allow another

    @property
    def icon(self) -> str:
        return ICONS[self.status]

    @property
    def score_text(self) -> str:
        return "" if self.score is None else f" {self.score:.0f}%"

    def text(self, labels: dict[str, str], overdue: bool = False, with_score: bool = True,
             with_practice: bool = True) -> str:
        """The words on screen and in the CSV (whose score and live answers have columns of their own, as
        numbers)."""
        words = labels[self.status] if self.score is None or not with_score \
            else f"{labels[self.status]} {self.score:.0f}%"
        if overdue:
            words += f" ({labels['overdue']})"
        if self.attempts_spent:
            words += f" ({labels['attempts_spent']})"
        if self.practice and with_practice:
            words += " · " + labels["live"] % {"correct": self.practice[0], "total": self.practice[1]}
        return words

    def overdue_in(self, column: Column) -> bool:
        return column.past_due and self.status != "completed"


NOT_STARTED = Cell("not_started")


@dataclass
class Grid:
    columns: list[Column]
    learners: list[User]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (user id, module id) -> cell
    labels: dict[str, str] = field(default_factory=report_labels)

    def cell(self, user: User, column: Column) -> Cell:
        return self.cells.get((user.id, column.module.id), NOT_STARTED)

    @cached_property
    def names(self) -> dict[int, str]:
        """Each learner's name as the grid shows it: with the username where two share a display name."""
        return told_apart((user.id, user.display_name, user.username) for user in self.learners)

    @cached_property
    def _completed_per_module(self) -> Counter:
        return Counter(module_id for (_user_id, module_id), cell in self.cells.items() if cell.status == "completed")

    def completed_count(self, column: Column) -> int:
        return self._completed_per_module[column.module.id]

    @cached_property
    def rows(self) -> list[tuple[User, list[Cell]]]:
        return [(user, [self.cells.get((user.id, column.module.id), NOT_STARTED) for column in self.columns])
                for user in self.learners]

    @cached_property
    def cell_openings(self) -> dict[str, Markup]:
        """Icon and status words of each status, escaped once: the grid repeats them up to 20,000 times."""
        return {status: Markup('<span aria-hidden="true">{}</span><span class="visually-hidden">{}</span>')
                .format(icon, self.labels[status]) for status, icon in ICONS.items()}

    def practice_text(self, cell: Cell) -> str:
        return self.labels["live"] % {"correct": cell.practice[0], "total": cell.practice[1]}

    @cached_property
    def _cell_html(self) -> dict[tuple, Markup]:
        return {}

    def row_html(self, cells: list[Cell]) -> Markup:
        """A row's <td>s. A grid repeats a few distinct cells up to 20,000 times: each is escaped and built once."""
        built = self._cell_html
        parts = []
        for cell, column in zip(cells, self.columns, strict=True):
            overdue = cell.overdue_in(column)
            key = (cell.status, cell.score, cell.practice, overdue, cell.attempts_spent)
            html = built.get(key)
            if html is None:
                practice = Markup(' <span class="practice">{}</span>').format(self.practice_text(cell)) \
                    if cell.practice else ""
                late = Markup(' <span class="badge badge-bad">{}</span>').format(self.labels["overdue"]) \
                    if overdue else ""
                spent = Markup(' <span class="badge badge-bad">{}</span>').format(self.labels["attempts_spent"]) \
                    if cell.attempts_spent else ""
                html = built[key] = Markup('<td class="c-{}">{}{}{}{}{}</td>').format(
                    cell.status, self.cell_openings[cell.status], cell.score_text, late, spent, practice)
            parts.append(html)
        # Every part is Markup built by Markup.format(), which escaped each value it was given.
        return Markup("".join(parts))  # nosec B704


def report_columns(session: Session, classroom: Classroom) -> list[Column]:
    """The assigned modules, in the order a learner meets them: courses by their earliest due date, each course's
    modules in course order. A course assignment brings all its active modules."""
    columns: dict[int, Column] = {}
    course_order: dict[int, int] = {}
    for row in class_assignments(session, classroom.id):
        course_order.setdefault(row.course.id, len(course_order))
        modules = [row.module] if row.module else row.course.active_modules
        for module in modules:  # rows come in due order: a module's first assignment is its earliest due date
            columns.setdefault(module.id, Column(row.course, module, row.assignment.due_at))
    return sorted(columns.values(), key=lambda column: (course_order[column.course.id], column.module.position))


def class_learners(session: Session, classroom: Classroom) -> list[User]:
    return list(session.scalars(
        select(User).join(ClassroomMember, ClassroomMember.user_id == User.id)
        .where(ClassroomMember.classroom_id == classroom.id).order_by(User.display_name, User.username)))


def _cell(completed: bool, quiz_passed: bool, best_score: float | None, has_quiz: bool, attempts: int,
          limit: int | None = None) -> Cell:
    if completed and (not has_quiz or quiz_passed):
        return Cell("completed", best_score, attempts)
    if attempts:
        return Cell("not_passed", best_score, attempts,
                    attempts_spent=not quiz_passed and limit is not None and attempts >= limit)
    return Cell("in_progress", best_score, attempts)


def progress_grid(session: Session, classroom: Classroom) -> Grid:
    columns = report_columns(session, classroom)
    learners = class_learners(session, classroom)
    module_ids = [column.module.id for column in columns]
    if not module_ids or not learners:
        return Grid(columns, learners)
    in_class = select(ClassroomMember.user_id).where(ClassroomMember.classroom_id == classroom.id)
    progress_rows = session.execute(
        # Flags rather than times: a 500 x 40 grid would otherwise parse 40,000 timestamps it never shows.
        select(ModuleProgress.user_id, ModuleProgress.module_id,
               ModuleProgress.completed_at.is_not(None).label("completed"),
               ModuleProgress.quiz_passed_at.is_not(None).label("quiz_passed"), ModuleProgress.best_score,
               ModuleProgress.extra_attempts)
        .where(ModuleProgress.user_id.in_(in_class), ModuleProgress.module_id.in_(module_ids))
    ).all()
    attempt_counts = {
        (user_id, module_id): count for user_id, module_id, count in session.execute(
            select(QuizAttempt.user_id, QuizAttempt.module_id, func.count())
            .where(QuizAttempt.user_id.in_(in_class), QuizAttempt.module_id.in_(module_ids),
                   QuizAttempt.status == AttemptStatus.SUBMITTED)
            .group_by(QuizAttempt.user_id, QuizAttempt.module_id))
    }
    practice = {
        (user_id, module_id): (int(correct or 0), answered)
        for user_id, module_id, correct, answered in session.execute(
            select(PracticeAnswer.user_id, PracticeAnswer.module_id,
                   func.sum(case((PracticeAnswer.correct.is_(True), 1), else_=0)), func.count())
            .where(PracticeAnswer.user_id.in_(in_class), PracticeAnswer.module_id.in_(module_ids))
            .group_by(PracticeAnswer.user_id, PracticeAnswer.module_id))
    }
    modules = {column.module.id: column.module for column in columns}
    cells = {(user_id, module_id): _cell(completed, quiz_passed, best_score, modules[module_id].has_quiz,
                                         attempt_counts.get((user_id, module_id), 0),
                                         attempt_limit(modules[module_id].quiz, extra_attempts))
             for user_id, module_id, completed, quiz_passed, best_score, extra_attempts in progress_rows}
    for key, figures in practice.items():
        cells[key] = replace(cells.get(key, NOT_STARTED), practice=figures)
    return Grid(columns, learners, cells)


def csv_safe(value: Any) -> str:
    """Spreadsheets run a cell starting with = + - @ (or a tab or CR) as a formula: such text is quoted with '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# A UTF-8 byte order mark: without it Excel on Windows reads the file in the local code page, and names such as
# "Chloé" or a course title's dash come out garbled. Other spreadsheets and csv readers ignore it.
EXCEL_UTF8_MARK = "\ufeff"


def grid_csv(grid: Grid) -> str:
    buffer = io.StringIO()
    buffer.write(EXCEL_UTF8_MARK)
    writer = csv.writer(buffer)
    # Per module its status in words and, for a quiz, the best score as a bare number: a spreadsheet can sort and
    # average that column. Answers in live sessions, where there were any, are two more numbers ("3/4" in a cell
    # would be read as a date).
    practised = {module_id for (_user_id, module_id), cell in grid.cells.items() if cell.practice}
    headings = []
    for column in grid.columns:
        headings.append(f"{column.label} ({grid.labels['due'] % {'when': local_time(column.due_at)}})"
                        if column.due_at else column.label)
        if column.module.has_quiz:
            headings.append(_("%(module)s: best score (%%)", module=column.label))
        if column.module.id in practised:
            headings += [_("%(module)s: live answers", module=column.label),
                         _("%(module)s: live answers correct", module=column.label)]

    def values(cells: list[Cell]) -> Iterable[Any]:
        for cell, column in zip(cells, grid.columns, strict=True):
            yield cell.text(grid.labels, cell.overdue_in(column), with_score=False, with_practice=False)
            if column.module.has_quiz:
                yield "" if cell.score is None else round(cell.score)
            if column.module.id in practised:
                correct, answered = cell.practice or (0, 0)
                yield from (answered, correct)

    rows: Iterable[list[Any]] = [
        [_("Learner"), _("Username"), *headings],
        *([user.display_name, user.username, *values(cells)] for user, cells in grid.rows),
    ]
    for row in rows:
        writer.writerow([csv_safe(value) for value in row])
    return buffer.getvalue()


def session_answers_csv(answers: AnswersByLearner) -> str:
    """A live session's answers, a learner per row: what each gave to each question asked, and how many rightly."""
    buffer = io.StringIO()
    buffer.write(EXCEL_UTF8_MARK)
    writer = csv.writer(buffer)
    labels = {True: _("correct"), False: _("not correct")}
    writer.writerow([_("Learner"), *(step.title for step in answers.questions), _("Answered"), _("Correct")])
    for name, given in answers.rows:
        answered = [answer for answer in given if answer]
        writer.writerow([csv_safe(value) for value in (
            name, *("" if answer is None else f"{answer.text} ({labels[answer.correct]})" for answer in given),
            len(answered), sum(answer.correct for answer in answered))])
    return buffer.getvalue()


# --- One learner -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerLine:
    prompt: str
    given: str
    correct: bool


@dataclass(frozen=True)
class AttemptView:
    attempt: QuizAttempt
    answers: list[AnswerLine]


@dataclass(frozen=True)
class ModuleRecord:
    column: Column
    cell: Cell
    attempts: list[AttemptView]
    practice: list[AnswerLine]
    attempt_limit: int | None = None  # counting the attempts a trainer allowed
    extra_attempts: int = 0  # allowed by a trainer beyond the quiz's limit


def _questions(quiz: dict | None) -> dict[str, dict]:
    return {question["id"]: question for question in (quiz or {}).get("questions") or []}


def describe_response(question: dict | None, response: Any) -> str:
    """A response as the learner saw it: option texts, or the words they typed."""
    if question is None:
        return str(response)
    if question["type"] == "short_answer":
        return response if isinstance(response, str) else ""
    # Markup(...).striptags() here and below: sanitised HTML in, plain text out (escaped in pages, quoted in CSV).
    labels = {option["id"]: Markup(option["html"]).striptags()  # nosec B704
              for option in question.get("options") or []}
    chosen = response if isinstance(response, list) else [response]
    return "; ".join(labels.get(option_id, "?") for option_id in chosen) or _("(no answer)")


def describe_wrong_answer(question: dict, response: Any) -> str:
    """A wrong response for item analysis. A multiple-choice answer can be wrong by what it leaves out: ticking
    only one of two right options must not read as if that right option were the mistake."""
    described = describe_response(question, normalise_answer(response) if isinstance(response, str) else response)
    if question["type"] != "multiple" or not isinstance(response, list) or not response:
        return described
    # Sanitised HTML in, plain text out.
    missed = [Markup(option["html"]).striptags() for option in question.get("options") or []  # nosec B704
              if option.get("correct") and option["id"] not in response]
    return _("%(chosen)s (not ticked: %(missed)s)", chosen=described, missed="; ".join(missed)) if missed else described


def _line(question: dict | None, key: str, response: Any, correct: bool) -> AnswerLine:
    # Sanitised HTML in, plain text out.
    prompt = Markup(question["prompt_html"]).striptags() if question else key  # nosec B704
    return AnswerLine(prompt, describe_response(question, response), correct)


def learner_record(session: Session, classroom: Classroom, learner: User) -> list[ModuleRecord]:
    columns = report_columns(session, classroom)
    module_ids = [column.module.id for column in columns]
    if not module_ids:
        return []
    progress = {row.module_id: row for row in session.scalars(select(ModuleProgress).where(
        ModuleProgress.user_id == learner.id, ModuleProgress.module_id.in_(module_ids)))}
    attempts = session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == learner.id, QuizAttempt.module_id.in_(module_ids),
                                  QuizAttempt.status == AttemptStatus.SUBMITTED)
        .options(selectinload(QuizAttempt.answers)).order_by(QuizAttempt.number)).all()
    revision_ids = {attempt.revision_id for attempt in attempts if attempt.revision_id}
    revision_quizzes = dict(session.execute(select(ContentRevision.id, ContentRevision.quiz).where(
        ContentRevision.id.in_(revision_ids))).all()) if revision_ids else {}
    practice = session.scalars(select(PracticeAnswer).where(
        PracticeAnswer.user_id == learner.id, PracticeAnswer.module_id.in_(module_ids))
        .order_by(PracticeAnswer.created_at, PracticeAnswer.id)).all()
    records = []
    for column in columns:
        module = column.module
        current = _questions(module.quiz)
        views = []
        for attempt in (a for a in attempts if a.module_id == module.id):
            # Graded against the revision the learner saw: show that wording.
            questions = _questions(revision_quizzes.get(attempt.revision_id)) or current
            views.append(AttemptView(attempt, [_line(questions.get(a.question_key), a.question_key, a.response,
                                                     a.correct) for a in attempt.answers]))
        row = progress.get(module.id)
        extra_attempts = row.extra_attempts if row else 0
        limit = attempt_limit(module.quiz, extra_attempts)
        cell = _cell(row.completed_at is not None, row.quiz_passed_at is not None, row.best_score,
                     module.has_quiz, len(views), limit) if row else NOT_STARTED
        lines = [_line(current.get(p.question_key), p.question_key, p.response, p.correct)
                 for p in practice if p.module_id == module.id]
        records.append(ModuleRecord(column, cell, views, lines, limit, extra_attempts))
    return records


# --- Item analysis ---------------------------------------------------------------------------------------------


TYPED_ANSWERS_SHOWN = 10


@dataclass(frozen=True)
class ItemStats:
    question: dict
    answered: int
    correct: int
    option_counts: list[tuple[dict, int]]
    common_wrong: str | None
    common_wrong_count: int
    scenario: dict | None = None  # the case study the question belongs to
    typed_answers: list[tuple[str, int, bool]] = field(default_factory=list)  # short answers: text, count, correct

    @property
    def percent_correct(self) -> float | None:
        return 100 * self.correct / self.answered if self.answered else None

    @property
    def prompt(self) -> str:
        # Sanitised HTML in, plain text out: escaped where a template shows it.
        return Markup(self.question["prompt_html"]).striptags()  # nosec B704


def assigned_module(session: Session, classroom: Classroom, module_id: int) -> Column:
    for column in report_columns(session, classroom):
        if column.module.id == module_id:
            return column
    raise NotFound()


def _class_attempt_ids(classroom: Classroom, module_ids: list[int], pick):
    """One submitted attempt per learner and module, `pick` (func.min: the first, func.max: the latest), for the
    class's members and for its former members who erased their accounts (counted by their anonymous key)."""
    submitted = (QuizAttempt.module_id.in_(module_ids), QuizAttempt.status == AttemptStatus.SUBMITTED)
    members = (select(pick(QuizAttempt.id))
               .join(ClassroomMember, ClassroomMember.user_id == QuizAttempt.user_id)
               .where(ClassroomMember.classroom_id == classroom.id, *submitted)
               .group_by(QuizAttempt.user_id, QuizAttempt.module_id))
    erased = (select(pick(QuizAttempt.id))
              .join(ErasedMembership, ErasedMembership.anonymous_member == QuizAttempt.anonymous_member)
              .where(ErasedMembership.classroom_id == classroom.id, *submitted)
              .group_by(QuizAttempt.anonymous_member, QuizAttempt.module_id))
    return union_all(members, erased)


def _first_attempt_ids(classroom: Classroom, module_ids: list[int]):
    """Each learner's first submitted attempt per module: what they knew before the feedback taught them."""
    return _class_attempt_ids(classroom, module_ids, func.min)


def _latest_attempt_ids(classroom: Classroom, module_ids: list[int]):
    return _class_attempt_ids(classroom, module_ids, func.max)


def item_analysis(session: Session, classroom: Classroom, module: Module) -> list[ItemStats]:
    answers = defaultdict(list)
    for key, response, correct in session.execute(
            select(AttemptAnswer.question_key, AttemptAnswer.response, AttemptAnswer.correct)
            .where(AttemptAnswer.attempt_id.in_(_first_attempt_ids(classroom, [module.id])))):
        answers[key].append((response, correct))
    stats = []
    scenarios = {scenario["id"]: scenario for scenario in (module.quiz or {}).get("scenarios") or []}
    for question in (module.quiz or {}).get("questions") or []:
        given = answers.get(question["id"], [])
        options = question.get("options") or []
        chosen = Counter(option_id for response, _correct in given
                         for option_id in (response if isinstance(response, list) else [response]))
        # An erased learner's typed words are gone (None): still counted as right or wrong, never as a text.
        wrong = Counter(describe_wrong_answer(question, response) for response, correct in given
                        if not correct and response is not None)
        common_wrong, common_count = wrong.most_common(1)[0] if wrong else (None, 0)
        typed = Counter((normalise_answer(response), bool(correct)) for response, correct in given
                        if isinstance(response, str)) if question["type"] == "short_answer" else Counter()
        stats.append(ItemStats(question, len(given), sum(correct for _response, correct in given),
                               [(option, chosen.get(option["id"], 0)) for option in options],
                               common_wrong, common_count, scenarios.get(question.get("scenario_id")),
                               [(text, count, correct) for (text, correct), count
                                in typed.most_common(TYPED_ANSWERS_SHOWN)]))
    return stats


# --- Standards mastery -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mastery:
    standards: list[str]
    columns: list[Column]
    cells: dict[tuple[str, int], tuple[int, int]]  # (code, module id) -> (correct, answered)

    def percent(self, code: str, module_id: int) -> float | None:
        correct, answered = self.cells.get((code, module_id), (0, 0))
        return 100 * correct / answered if answered else None

    def overall(self, code: str) -> float | None:
        pairs = [self.cells[key] for key in self.cells if key[0] == code]
        answered = sum(answered for _correct, answered in pairs)
        return 100 * sum(correct for correct, _answered in pairs) / answered if answered else None


def standards_mastery(session: Session, classroom: Classroom) -> Mastery:
    """Per standard and module: the share of correct answers in each member's latest attempt (what the class
    knows now)."""
    columns = [column for column in report_columns(session, classroom) if column.module.has_quiz]
    module_ids = [column.module.id for column in columns]
    questions = {column.module.id: _questions(column.module.quiz) for column in columns}
    standards = list(dict.fromkeys(code for column in columns for question in questions[column.module.id].values()
                                   for code in question.get("standards") or []))
    cells: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    if module_ids:
        for module_id, key, correct in session.execute(
                select(QuizAttempt.module_id, AttemptAnswer.question_key, AttemptAnswer.correct)
                .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
                .where(AttemptAnswer.attempt_id.in_(_latest_attempt_ids(classroom, module_ids)))):
            for code in (questions[module_id].get(key) or {}).get("standards") or []:
                cells[(code, module_id)][0] += int(bool(correct))
                cells[(code, module_id)][1] += 1
    return Mastery(_in_registry_order(session, standards), columns,
                   {key: (value[0], value[1]) for key, value in cells.items()})


def _in_registry_order(session: Session, codes: list[str]) -> list[str]:
    """UDHR-7 before UDHR-10, instruments as courses/standards.yaml lists them; a code the registry no longer has
    comes last."""
    positions = dict(session.execute(select(StandardEntry.code, StandardEntry.position)
                                     .where(StandardEntry.code.in_(codes))).all()) if codes else {}
    return sorted(codes, key=lambda code: (code not in positions, positions.get(code, 0), code))
