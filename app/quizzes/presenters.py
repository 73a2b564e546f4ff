"""What the quiz templates receive: built from the quiz JSON, never the JSON itself.

The quiz page gets only prompts, scenario texts and option texts, so no template can leak a correct flag, feedback,
an explanation or an accepted answer. The result page gets what the learner chose, its feedback and the
explanation — never which options they should have chosen. Only the editor's preview, for trainers, gets the whole
question (questions_for_author).
"""

from dataclasses import dataclass
from typing import Any

from app.quizzes.models import QuizAttempt


@dataclass(frozen=True)
class ScenarioView:
    id: str
    title: str
    text_html: str


@dataclass(frozen=True)
class OptionView:
    id: str
    html: str


@dataclass(frozen=True)
class QuestionView:
    id: str
    number: int
    type: str
    prompt_html: str
    options: tuple[OptionView, ...]  # in the order this attempt shows them


@dataclass(frozen=True)
class ChosenOptionView:
    html: str
    feedback_html: str


@dataclass(frozen=True)
class ReviewedQuestionView:
    id: str
    number: int
    type: str
    prompt_html: str
    answered: bool
    correct: bool
    points: float
    chosen: tuple[ChosenOptionView, ...]
    text_answer: str | None  # short answers
    explanation_html: str
    standards: tuple[str, ...]


@dataclass(frozen=True)
class AuthorOptionView:
    html: str
    correct: bool
    feedback_html: str


@dataclass(frozen=True)
class AuthorQuestionView:
    """Everything about a question, correct answers included: for the authoring preview only, never a learner."""

    id: str
    number: int
    type: str
    prompt_html: str
    options: tuple[AuthorOptionView, ...]  # in the order written
    accepted_answers: tuple[str, ...]
    explanation_html: str
    standards: tuple[str, ...]


@dataclass(frozen=True)
class QuestionGroup:
    """Consecutive questions sharing a scenario (shown once above them), or standalone questions (scenario None)."""

    scenario: ScenarioView | None
    questions: tuple[Any, ...]


def _ordered_options(question: dict[str, Any], order: list[str] | None) -> list[dict[str, Any]]:
    by_id = {option["id"]: option for option in question.get("options") or []}
    ids = [option_id for option_id in order or [] if option_id in by_id]
    ids += [option_id for option_id in by_id if option_id not in ids]  # options the stored order does not know
    return [by_id[option_id] for option_id in ids]


def _grouped(quiz: dict[str, Any], views: list[Any]) -> list[QuestionGroup]:
    scenarios = {
        scenario["id"]: ScenarioView(scenario["id"], scenario["title"], scenario["text_html"])
        for scenario in quiz.get("scenarios") or []
    }
    groups: list[QuestionGroup] = []
    for question, view in zip(quiz.get("questions") or [], views, strict=True):
        scenario = scenarios.get(question.get("scenario_id"))
        if groups and groups[-1].scenario == scenario:
            groups[-1] = QuestionGroup(scenario, (*groups[-1].questions, view))
        else:
            groups.append(QuestionGroup(scenario, (view,)))
    return groups


def questions_to_answer(quiz: dict[str, Any], option_order: dict[str, list[str]]) -> list[QuestionGroup]:
    views = [
        QuestionView(
            id=question["id"],
            number=number,
            type=question["type"],
            prompt_html=question["prompt_html"],
            options=tuple(
                OptionView(option["id"], option["html"])
                for option in _ordered_options(question, option_order.get(question["id"]))
            ),
        )
        for number, question in enumerate(quiz.get("questions") or [], start=1)
    ]
    return _grouped(quiz, views)


def questions_for_author(quiz: dict[str, Any]) -> list[QuestionGroup]:
    """The quiz as its author checks it in the editor's preview: the options in the order written, the correct ones
    flagged, with feedback, accepted answers and explanations. Trainers only."""
    views = [
        AuthorQuestionView(
            id=question["id"],
            number=number,
            type=question["type"],
            prompt_html=question["prompt_html"],
            options=tuple(AuthorOptionView(option["html"], bool(option["correct"]), option.get("feedback_html") or "")
                          for option in question.get("options") or []),
            accepted_answers=tuple(question.get("accepted_answers") or ()),
            explanation_html=question.get("explanation_html") or "",
            standards=tuple(question.get("standards") or ()),
        )
        for number, question in enumerate(quiz.get("questions") or [], start=1)
    ]
    return _grouped(quiz, views)


def reviewed_questions(quiz: dict[str, Any], attempt: QuizAttempt) -> list[QuestionGroup]:
    """The attempt's recorded answers (graded when it was submitted) laid over the quiz it was taken on."""
    answers = {answer.question_key: answer for answer in attempt.answers}
    views = []
    for number, question in enumerate(quiz.get("questions") or [], start=1):
        answer = answers.get(question["id"])
        response = answer.response if answer is not None else None
        chosen_ids = set(response) if isinstance(response, list) else set()
        text_answer = response if isinstance(response, str) else None
        views.append(ReviewedQuestionView(
            id=question["id"],
            number=number,
            type=question["type"],
            prompt_html=question["prompt_html"],
            answered=bool(chosen_ids or (text_answer or "").strip()),
            correct=bool(answer and answer.correct),
            points=answer.points if answer is not None else 0.0,
            chosen=tuple(
                ChosenOptionView(option["html"], option.get("feedback_html") or "")
                for option in _ordered_options(question, attempt.option_order.get(question["id"]))
                if option["id"] in chosen_ids
            ),
            text_answer=text_answer,
            explanation_html=question.get("explanation_html") or "",
            standards=tuple(question.get("standards") or ()),
        ))
    return _grouped(quiz, views)


def draft_values(draft_answers: dict[str, Any]) -> dict[str, set[str] | str]:
    """Saved answers as the form shows them: chosen option ids as a set, short answers as text."""
    return {
        question_id: set(response) if isinstance(response, list) else str(response)
        for question_id, response in (draft_answers or {}).items()
    }


def answered_count(quiz: dict[str, Any], drafts: dict[str, set[str] | str]) -> int:
    """How many of the quiz's questions have a saved answer: a choice, or text other than spaces."""
    return sum(1 for question in quiz.get("questions") or []
               if (draft := drafts.get(question["id"])) and (not isinstance(draft, str) or draft.strip()))
