"""Grading: pure functions over the quiz JSON and the learner's responses. No Flask, no database.

A question is the dict stored in `Module.quiz["questions"]` (`dataclasses.asdict(app.content.Question)`). A response
is whatever arrived from the browser — usually a list of option ids for choice questions and a string for short
answers — and may be malformed in any way: the graders never raise, they grade nonsense as wrong.

Partial credit for multiple choice is proportional with a penalty: each correct option chosen earns
1/(number of correct options), each incorrect option chosen takes the same amount away, and the total never goes
below zero. A question counts as *correct* only when exactly the correct options are chosen. So ticking every box
earns nothing for a question with as many wrong options as right ones, and guessing costs as much as it gains.
Every other type is all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.content import normalise_answer

# Longer answers are never right (the longest accepted answer is a short phrase) and are not worth normalising.
MAX_SHORT_ANSWER_CHARS = 500
QUESTION_TYPES = ("single", "multiple", "true_false", "short_answer")


@dataclass(frozen=True)
class QuestionGrade:
    correct: bool
    points: float  # 0..1
    chosen: tuple[str, ...] = ()  # the known option ids the learner chose, in the question's order


@dataclass(frozen=True)
class QuizGrade:
    grades: dict[str, QuestionGrade]  # question id -> grade, in the quiz's order
    score: float  # percent, 0..100
    passed: bool


WRONG = QuestionGrade(correct=False, points=0.0)


def _option_ids(question: Mapping[str, Any]) -> list[str]:
    return [option["id"] for option in question.get("options") or ()]


def _correct_ids(question: Mapping[str, Any]) -> set[str]:
    return {option["id"] for option in question.get("options") or () if option.get("correct")}


def _as_choices(response: Any) -> list[str]:
    """The strings in a response: a lone string becomes a one-item list; anything else that is not a list is empty."""
    if isinstance(response, str):
        return [response]
    if isinstance(response, (list, tuple)):
        return [item for item in response if isinstance(item, str)]
    return []


def _known_chosen(question: Mapping[str, Any], response: Any) -> tuple[str, ...]:
    chosen = set(_as_choices(response))
    return tuple(option_id for option_id in _option_ids(question) if option_id in chosen)


def grade_single(question: Mapping[str, Any], response: Any) -> QuestionGrade:
    """One option: right or wrong. Several options sent for a one-answer question are wrong, whatever they are."""
    chosen = _known_chosen(question, response)
    correct = len(chosen) == 1 and len(_as_choices(response)) == 1 and set(chosen) == _correct_ids(question)
    return QuestionGrade(correct=correct, points=1.0 if correct else 0.0, chosen=chosen)


def grade_multiple(question: Mapping[str, Any], response: Any) -> QuestionGrade:
    chosen = _known_chosen(question, response)
    correct_ids = _correct_ids(question)
    if not correct_ids:
        return QuestionGrade(correct=False, points=0.0, chosen=chosen)
    hits = sum(option_id in correct_ids for option_id in chosen)
    misses = len(chosen) - hits
    points = max(0.0, (hits - misses) / len(correct_ids))
    correct = set(chosen) == correct_ids
    return QuestionGrade(correct=correct, points=1.0 if correct else points, chosen=chosen)


def grade_short_answer(question: Mapping[str, Any], response: Any) -> QuestionGrade:
    if isinstance(response, (list, tuple)) and len(response) == 1:
        response = response[0]
    if not isinstance(response, str) or len(response) > MAX_SHORT_ANSWER_CHARS:
        return WRONG
    given = normalise_answer(response)
    accepted = {normalise_answer(answer) for answer in question.get("accepted_answers") or ()
                if isinstance(answer, str)}
    correct = bool(given) and given in accepted
    return QuestionGrade(correct=correct, points=1.0 if correct else 0.0)


Grader = Callable[[Mapping[str, Any], Any], QuestionGrade]

# Questions inside a scenario carry their own type: the scenario is only shared text, so there is no scenario grader.
GRADERS: dict[str, Grader] = {
    "single": grade_single,
    "multiple": grade_multiple,
    "true_false": grade_single,
    "short_answer": grade_short_answer,
}


def clean_response(question: Mapping[str, Any], response: Any) -> list[str] | str:
    """What is stored of a response: the known option ids chosen, or the typed text (cut to the length limit)."""
    if question.get("type") != "short_answer":
        return list(_known_chosen(question, response))
    if isinstance(response, (list, tuple)) and response:
        response = response[0]
    return response[:MAX_SHORT_ANSWER_CHARS] if isinstance(response, str) else ""


def grade_question(question: Mapping[str, Any], response: Any) -> QuestionGrade:
    grader = GRADERS.get(question.get("type"))
    if grader is None:
        return WRONG
    return grader(question, response)


def grade_quiz(quiz: Mapping[str, Any], responses: Any) -> QuizGrade:
    """Every question graded (unanswered ones as wrong), the score in percent and whether it reaches the pass mark."""
    if not isinstance(responses, Mapping):
        responses = {}
    questions = quiz.get("questions") or []
    grades = {question["id"]: grade_question(question, responses.get(question["id"])) for question in questions}
    total = sum(grade.points for grade in grades.values())
    score = round(100 * total / len(questions), 2) if questions else 0.0
    return QuizGrade(grades=grades, score=score, passed=score >= quiz.get("pass_mark", 0))
