"""Grading is pure: question dicts (as stored in Module.quiz) and raw responses in, frozen grades out. No app."""

import pytest

from app.quizzes.grading import GRADERS, MAX_SHORT_ANSWER_CHARS, QuestionGrade, grade_question, grade_quiz


def option(option_id, correct=False):
    return {"id": option_id, "html": f"Option {option_id}", "correct": correct, "feedback_html": ""}


SINGLE = {"id": "single", "type": "single", "options": [option("a"), option("b", True), option("c")],
          "accepted_answers": [], "scenario_id": None}
MULTIPLE = {"id": "multiple", "type": "multiple",
            "options": [option("a", True), option("b", True), option("c"), option("d")],
            "accepted_answers": [], "scenario_id": None}
TRUE_FALSE = {"id": "true-false", "type": "true_false", "options": [option("a"), option("b", True)],
              "accepted_answers": [], "scenario_id": None}
SHORT = {"id": "short", "type": "short_answer", "options": [], "accepted_answers": ["14", "Article 14"],
         "scenario_id": None}
IN_SCENARIO = {**SINGLE, "id": "in-scenario", "scenario_id": "the-confession"}

MALFORMED_RESPONSES = [
    None, "", "zz", ["zz"], ["a", "b", "c", "d", "zz"], 42, 3.5, True, {"b": True}, [None, 7, ["b"]],
    ["b"] * 10_000, "b" * 1_000_000, [""], ("b", "b"), object(), b"b",
]


def test_every_question_type_has_a_grader():
    assert set(GRADERS) == {"single", "multiple", "true_false", "short_answer"}


def test_a_grade_is_frozen():
    grade = grade_question(SINGLE, "b")
    with pytest.raises(AttributeError):
        grade.correct = False  # type: ignore[misc]


def test_single_choice_is_right_only_for_the_correct_option():
    assert grade_question(SINGLE, "b") == QuestionGrade(correct=True, points=1.0, chosen=("b",))
    assert grade_question(SINGLE, ["b"]) == QuestionGrade(correct=True, points=1.0, chosen=("b",))
    assert grade_question(SINGLE, "a") == QuestionGrade(correct=False, points=0.0, chosen=("a",))


def test_single_choice_with_several_options_sent_is_wrong_even_if_one_is_correct():
    grade = grade_question(SINGLE, ["a", "b"])
    assert grade.correct is False and grade.points == 0.0
    assert grade.chosen == ("a", "b")


def test_single_choice_with_the_correct_id_sent_twice_is_wrong():
    assert grade_question(SINGLE, ["b", "b"]).correct is False


def test_single_choice_ignores_unknown_option_ids_in_what_it_reports_as_chosen():
    grade = grade_question(SINGLE, ["zz", "b"])
    assert grade.correct is False
    assert grade.chosen == ("b",)


def test_true_false_is_graded_like_single_choice():
    assert grade_question(TRUE_FALSE, "b").correct is True
    assert grade_question(TRUE_FALSE, "a").correct is False
    assert grade_question(TRUE_FALSE, ["a", "b"]).correct is False


def test_multiple_choice_is_correct_only_with_exactly_the_correct_options():
    assert grade_question(MULTIPLE, ["b", "a"]) == QuestionGrade(correct=True, points=1.0, chosen=("a", "b"))


@pytest.mark.parametrize(("chosen", "points"), [
    ([], 0.0),
    (["a"], 0.5),              # one of two right
    (["a", "c"], 0.0),         # one right, one wrong: they cancel
    (["a", "b", "c"], 0.5),    # both right, one wrong
    (["a", "b", "c", "d"], 0.0),  # ticking every box earns nothing
    (["c", "d"], 0.0),         # never below zero
])
def test_multiple_choice_earns_proportional_credit_with_a_penalty_for_wrong_options(chosen, points):
    grade = grade_question(MULTIPLE, chosen)
    assert grade.correct is False
    assert grade.points == pytest.approx(points)


def test_multiple_choice_counts_a_repeated_option_once():
    assert grade_question(MULTIPLE, ["a", "a", "b", "b"]).correct is True


def test_short_answer_matches_accepted_answers_ignoring_case_and_spacing():
    assert grade_question(SHORT, "14").correct is True
    assert grade_question(SHORT, "  article   14 ").correct is True
    assert grade_question(SHORT, "ARTICLE 14").points == 1.0
    assert grade_question(SHORT, ["Article 14"]).correct is True
    assert grade_question(SHORT, "15").correct is False
    assert grade_question(SHORT, "Article 14 of the ICCPR").correct is False


@pytest.mark.parametrize("typed", ["Article 14.", "article 14!", "«Article 14»", '"14"', "(14)", "１４", "ARTICLE 14 ?",
                                   "١٤", "۱۴", "१४", "Article ١٤"])
def test_short_answer_ignores_punctuation_at_either_end_and_width(typed):
    assert grade_question(SHORT, typed).correct is True


def test_short_answer_keeps_punctuation_inside_the_answer():
    question = {**SHORT, "accepted_answers": ["34/169"]}
    assert grade_question(question, "34/169.").correct is True
    assert grade_question(question, "34169").correct is False
    assert grade_question(SHORT, "...").correct is False


def test_short_answer_reports_no_chosen_options():
    assert grade_question(SHORT, "14").chosen == ()


def test_a_short_answer_longer_than_the_limit_is_wrong_without_being_normalised():
    assert grade_question(SHORT, "14" + " " * MAX_SHORT_ANSWER_CHARS).correct is False


def test_an_empty_short_answer_is_wrong():
    assert grade_question(SHORT, "").correct is False
    assert grade_question(SHORT, "   ").correct is False


def test_a_question_in_a_scenario_is_graded_by_its_own_type():
    assert grade_question(IN_SCENARIO, "b").correct is True
    assert grade_question(IN_SCENARIO, "a").correct is False


@pytest.mark.parametrize("question", [SINGLE, MULTIPLE, TRUE_FALSE, SHORT, IN_SCENARIO], ids=lambda q: q["id"])
@pytest.mark.parametrize("response", MALFORMED_RESPONSES, ids=lambda r: type(r).__name__)
def test_malformed_responses_never_raise_and_never_score_full_marks_by_accident(question, response):
    grade = grade_question(question, response)
    assert isinstance(grade, QuestionGrade)
    assert 0.0 <= grade.points <= 1.0
    assert set(grade.chosen) <= {option["id"] for option in question["options"]}
    if grade.correct:  # only a well-formed right answer can be correct: a lone "b", or ["b"] for single choice
        assert question is not SHORT and response in ("b", ["b"])


def test_an_unknown_question_type_is_graded_wrong_instead_of_raising():
    grade = grade_question({"id": "x", "type": "essay", "options": []}, "anything")
    assert grade == QuestionGrade(correct=False, points=0.0)


QUIZ = {"pass_mark": 70, "max_attempts": None, "shuffle": False, "scenarios": [],
        "questions": [SINGLE, MULTIPLE, TRUE_FALSE, SHORT]}


def test_a_quiz_score_is_the_mean_of_the_points_in_percent():
    result = grade_quiz(QUIZ, {"single": "b", "multiple": ["a"], "true-false": "b", "short": "nope"})
    assert result.score == pytest.approx(62.5)
    assert result.passed is False
    assert list(result.grades) == ["single", "multiple", "true-false", "short"]


def test_a_quiz_passes_at_exactly_the_pass_mark():
    quiz = {**QUIZ, "pass_mark": 75}
    result = grade_quiz(quiz, {"single": "b", "multiple": ["a", "b"], "true-false": "b"})
    assert result.score == 75.0
    assert result.passed is True


def test_unanswered_questions_are_wrong_and_malformed_answer_sets_grade_as_nothing():
    assert grade_quiz(QUIZ, {}).score == 0.0
    assert grade_quiz(QUIZ, ["not", "a", "mapping"]).score == 0.0
    assert grade_quiz(QUIZ, None).passed is False


def test_a_quiz_without_questions_scores_zero():
    assert grade_quiz({"pass_mark": 0, "questions": []}, {}).score == 0.0
