"""The parsed, validated and rendered form of a course folder: frozen dataclasses, no behaviour beyond lookups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]
QuestionType = Literal["single", "multiple", "true_false", "short_answer"]


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        if self.severity == "warning":
            return f"{self.path}:{self.line}: warning: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


def has_errors(problems) -> bool:
    return any(problem.severity == "error" for problem in problems)


# What an instrument's numbered items are, and how a citation names one: "ICCPR Art. 9" but "BPUFF Principle 9" and
# "NMR Rule 43" — calling a principle an article is a citation error.
UNIT_CITATION_WORDS = {
    "article": "Art.",
    "principle": "Principle",
    "rule": "Rule",
    "guideline": "Guideline",
    "value": "Value",
    "paragraph": "Paragraph",
    "section": "Section",
    "phase": "Phase",
}
DEFAULT_UNIT = "article"


@dataclass(frozen=True)
class Standard:
    code: str
    instrument: str
    article: str | None
    title: str
    instrument_title: str
    unit: str = DEFAULT_UNIT

    @property
    def label(self) -> str:
        """How a page cites it: "ICCPR Art. 9 — Liberty and security of person", "BPUFF Principle 9 — ...", or
        "CCLEO — Code of Conduct ..."."""
        if self.article is None:
            return f"{self.instrument} — {self.instrument_title}"
        return f"{self.instrument} {UNIT_CITATION_WORDS[self.unit]} {self.article} — {self.title}"


@dataclass(frozen=True)
class Instrument:
    key: str
    title: str
    kind: str
    adopted: str | None
    source: str | None
    articles: tuple[Standard, ...]
    unit: str = DEFAULT_UNIT  # what the `articles` are: see UNIT_CITATION_WORDS


@dataclass(frozen=True)
class StandardsRegistry:
    instruments: tuple[Instrument, ...] = ()
    _by_code: dict[str, Standard] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        by_code: dict[str, Standard] = {}
        for instrument in self.instruments:
            by_code[instrument.key] = Standard(
                code=instrument.key,
                instrument=instrument.key,
                article=None,
                title=instrument.title,
                instrument_title=instrument.title,
                unit=instrument.unit,
            )
            for article in instrument.articles:
                by_code[article.code] = article
        object.__setattr__(self, "_by_code", by_code)

    def get(self, code: str) -> Standard | None:
        return self._by_code.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __len__(self) -> int:
        return len(self._by_code)

    @property
    def codes(self) -> tuple[str, ...]:
        """Every citable code: each instrument key, then its article codes, in file order."""
        return tuple(self._by_code)


@dataclass(frozen=True)
class Option:
    id: str
    html: str
    correct: bool
    feedback_html: str


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    prompt_html: str
    options: tuple[Option, ...]
    accepted_answers: tuple[str, ...]
    explanation_html: str
    standards: tuple[str, ...]
    scenario_id: str | None
    line: int


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    text_html: str


@dataclass(frozen=True)
class Quiz:
    pass_mark: int
    max_attempts: int | None
    shuffle: bool
    questions: tuple[Question, ...]
    scenarios: tuple[Scenario, ...]


@dataclass(frozen=True)
class TocEntry:
    level: int
    anchor: str
    title: str


@dataclass(frozen=True)
class Module:
    slug: str
    position: int
    filename: str
    title: str
    estimated_minutes: int | None
    objectives: tuple[str, ...]
    standards: tuple[str, ...]
    source: str
    learner_html: str
    trainer_html: str
    toc: tuple[TocEntry, ...]
    quiz: Quiz | None
    images: tuple[str, ...]
    word_count: int


@dataclass(frozen=True)
class CompletionRule:
    modules: Literal["all"] | tuple[str, ...] = "all"
    quizzes: Literal["passed", "none"] = "passed"


@dataclass(frozen=True)
class CourseMeta:
    slug: str
    title: str
    summary: str
    audiences: tuple[str, ...]
    language: str
    estimated_minutes: int
    status: Literal["draft", "published"]
    objectives: tuple[str, ...]
    standards: tuple[str, ...]
    completion: CompletionRule
    source: str
    intro_html: str


@dataclass(frozen=True)
class Course:
    meta: CourseMeta
    modules: tuple[Module, ...]

    @property
    def slug(self) -> str:
        return self.meta.slug

    def module(self, slug: str) -> Module | None:
        return next((module for module in self.modules if module.slug == slug), None)


@dataclass(frozen=True)
class CourseResult:
    slug: str
    path: str
    course: Course | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.severity == "warning")


@dataclass(frozen=True)
class LibraryResult:
    registry: StandardsRegistry | None
    courses: tuple[CourseResult, ...]
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.severity == "warning")

    @property
    def summary(self) -> str:
        """`2 courses checked: 1 error, 0 warnings`"""
        return (f"{_counted(len(self.courses), 'course')} checked: {_counted(len(self.errors), 'error')}, "
                f"{_counted(len(self.warnings), 'warning')}")


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
