"""One test per validation rule, each asserting the exact 'path:line: message' an author sees."""

from __future__ import annotations

import pytest

from app.content import check_library

# Four lines of valid module front matter: the body starts on line 5.
HEAD = "---\ntitle: T\nobjectives: [x]\n---\n"
COURSE_HEAD = "---\ntitle: C\nsummary: S\naudiences: [police]\nlanguage: en\nestimated_minutes: 10\n"


def quiz(*lines: str, settings: str = "") -> str:
    """A module whose quiz opens on line 7 and whose first quiz line is line 8."""
    return HEAD + "Body.\n\n" + f":::quiz {settings}".rstrip() + "\n" + "\n".join(lines) + "\n:::\n"


GOOD_QUESTION = ["### Q {#good}", "- [x] a", "- [ ] b", "Explanation: e."]


# --- Front matter -------------------------------------------------------------------------------------------------


def test_front_matter_missing(module_problems):
    assert module_problems("Just a body.\n") == ["m.md:1: front matter missing: the file must start with a '---' line"]


def test_front_matter_not_closed(module_problems):
    assert module_problems("---\ntitle: T\nBody\n") == ["m.md:1: front matter is not closed: add a '---' line after it"]


def test_invalid_yaml_reports_its_line(module_problems):
    text = "---\ntitle: T\nobjectives: [x]\nestimated_minutes: 10\n  extra: indented\n---\nBody\n"
    assert module_problems(text) == ["m.md:5: invalid YAML in front matter: mapping values are not allowed here"]


def test_invalid_yaml_names_where_the_value_started(module_problems):
    text = "---\ntitle: [unclosed\nobjectives: [a]\n---\nBody\n"
    assert module_problems(text) == [
        "m.md:3: invalid YAML in front matter: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence that starts on line 2)"
    ]


def test_front_matter_that_is_not_a_mapping(module_problems):
    assert module_problems("---\n- a\n---\nBody\n") == ["m.md:2: front matter must be 'key: value' lines"]


def test_unknown_key(module_problems):
    text = "---\ntitle: T\nobjectives: [x]\nauthor: Me\n---\nBody\n"
    assert module_problems(text) == [
        "m.md:4: unknown key 'author' (allowed: title, estimated_minutes, objectives, standards)"
    ]


def test_duplicate_key(module_problems):
    text = "---\ntitle: T\nobjectives: [x]\ntitle: U\n---\nBody\n"
    assert module_problems(text) == ["m.md:4: duplicate key 'title' (first on line 2)"]


def test_missing_required_key(module_problems):
    assert module_problems("---\nobjectives: [x]\n---\nBody\n") == ["m.md:1: missing required key 'title'"]


def test_empty_title(module_problems):
    assert module_problems("---\ntitle:\nobjectives: [x]\n---\nBody\n") == ["m.md:2: 'title' is empty"]


@pytest.mark.parametrize("minutes", ["-5", "0", "1.5", "ten", "true", "[10]"])
def test_estimated_minutes_must_be_a_positive_whole_number(module_problems, minutes):
    text = f"---\ntitle: T\nobjectives: [x]\nestimated_minutes: {minutes}\n---\nBody\n"
    [problem] = module_problems(text)
    assert problem.startswith("m.md:4: 'estimated_minutes' must be a positive whole number of minutes, not ")


def test_objective_with_a_colon_is_explained(module_problems):
    text = "---\ntitle: T\nobjectives:\n  - Apply three tests: legality and necessity.\n---\nBody\n"
    assert module_problems(text) == [
        "m.md:4: an item of 'objectives' contains ': ', which YAML reads as a key; put the item in quotes"
    ]


def test_course_missing_required_keys(course_problems):
    assert course_problems("---\ntitle: C\n---\nIntro\n") == [
        "course.md:1: missing required key 'summary'",
        "course.md:1: missing required key 'audiences'",
        "course.md:1: missing required key 'language'",
        "course.md:1: missing required key 'estimated_minutes'",
    ]


def test_course_unknown_key(course_problems):
    assert course_problems(COURSE_HEAD + "price: 10\n---\nIntro\n") == [
        "course.md:7: unknown key 'price' (allowed: title, summary, audiences, language, estimated_minutes, "
        "status, objectives, standards, completion)"
    ]


def test_audiences_must_be_a_list(course_problems):
    text = COURSE_HEAD.replace("audiences: [police]", "audiences: police") + "---\nIntro\n"
    assert course_problems(text) == [
        "course.md:4: 'audiences' must be a list, e.g. [a, b] or one '- item' per line"
    ]


def test_unknown_audience(course_problems):
    text = COURSE_HEAD.replace("audiences: [police]", "audiences:\n  - police\n  - astronaut") + "---\nIntro\n"
    assert course_problems(text) == [
        "course.md:6: unknown audience 'astronaut' (use any of: student, police, judge, prosecutor, lawyer, "
        "defender, general)"
    ]


def test_empty_audiences(course_problems):
    text = COURSE_HEAD.replace("audiences: [police]", "audiences: []") + "---\nIntro\n"
    assert course_problems(text) == [
        "course.md:4: 'audiences' needs at least one of: student, police, judge, prosecutor, lawyer, defender, general"
    ]


@pytest.mark.parametrize("tag", ["english", "en_GB", "e", "fr-CA-x-y-z"])
def test_bad_language_tag(course_problems, tag):
    text = COURSE_HEAD.replace("language: en", f"language: {tag}") + "---\nIntro\n"
    assert course_problems(text) == [f"course.md:5: 'language' must be a BCP 47 tag like en, fr or es-419, not '{tag}'"]


@pytest.mark.parametrize("tag", ["en", "fr-CA", "es-419", "zh-Hant-TW", "ar"])
def test_good_language_tags(course_problems, tag):
    assert course_problems(COURSE_HEAD.replace("language: en", f"language: {tag}") + "---\nIntro\n") == []


def test_bad_status(course_problems):
    assert course_problems(COURSE_HEAD + "status: live\n---\nIntro\n") == [
        "course.md:7: 'status' must be one of draft, published, not 'live'"
    ]


def test_completion_names_a_module_that_does_not_exist(course_problems):
    text = COURSE_HEAD + "completion:\n  modules: [a, zzz]\n  quizzes: passed\n---\nIntro\n"
    assert course_problems(text) == ["course.md:8: completion names module 'zzz', which does not exist"]


def test_completion_bad_values(course_problems):
    text = COURSE_HEAD + "completion:\n  modules: some\n  quizzes: always\n  grade: A\n---\nIntro\n"
    assert course_problems(text) == [
        "course.md:8: completion 'modules' must be 'all' or a list of module slugs",
        "course.md:9: 'quizzes' must be one of passed, none, not 'always'",
        "course.md:10: unknown key 'grade' in 'completion' (allowed: modules, quizzes)",
    ]


def test_quiz_in_course_intro(course_problems):
    text = COURSE_HEAD + "---\nIntro\n\n:::quiz\n### Q {#q}\n- [x] a\n- [ ] b\n:::\n"
    assert course_problems(text) == ["course.md:10: a quiz is only allowed in a module file"]


# --- Standards ----------------------------------------------------------------------------------------------------


def test_unknown_standard_in_front_matter(module_problems):
    text = "---\ntitle: T\nobjectives: [x]\nstandards: [ICCPR-9, ICCPR-999]\n---\nBody\n"
    assert module_problems(text) == ["m.md:4: unknown standard code 'ICCPR-999' (not in standards.yaml)"]


def test_unknown_standard_in_course_front_matter(course_problems):
    assert course_problems(COURSE_HEAD + "standards: [NOPE]\n---\nIntro\n") == [
        "course.md:7: unknown standard code 'NOPE' (not in standards.yaml)"
    ]


def test_unknown_standard_in_callout(module_problems):
    text = HEAD + "Body.\n\n:::standard ICCPR-9, CAT-99\nText.\n:::\n"
    assert module_problems(text) == ["m.md:7: unknown standard code 'CAT-99' (not in standards.yaml)"]


def test_standard_callout_without_codes(module_problems):
    assert module_problems(HEAD + "Body.\n\n:::standard\nText.\n:::\n") == [
        "m.md:7: ':::standard' needs at least one standard code, e.g. ':::standard ICCPR-9'"
    ]


def test_unknown_standard_in_question(module_problems):
    text = quiz("### Q {#q}", "- [x] a", "- [ ] b", "Explanation: e.", "Standards: CAT-2, XYZ-1")
    assert module_problems(text) == ["m.md:12: unknown standard code 'XYZ-1' (not in standards.yaml)"]


# --- Module body and Markdown ---------------------------------------------------------------------------------------


def test_empty_module_body(module_problems):
    assert module_problems(HEAD + "\n  \n") == ["m.md:4: module has no body text after the front matter"]


def test_missing_image(module_problems):
    text = HEAD + "Body.\n\n![A cell](images/cell.png)\n"
    assert module_problems(text, asset_exists=lambda path: False) == ["m.md:7: image not found: 'images/cell.png'"]


def test_image_type_not_allowed(module_problems):
    text = HEAD + "Body.\n\n![A drawing](images/drawing.svg)\n"
    assert module_problems(text) == ["m.md:7: image type not allowed: 'images/drawing.svg' (use PNG, JPEG, GIF or WebP)"]


def test_image_from_another_site(module_problems):
    text = HEAD + "Body.\n\n![Tracker](https://example.org/pixel.png)\n"
    assert module_problems(text) == [
        "m.md:7: image 'https://example.org/pixel.png' must be a file in the course folder, not a web address"
    ]


def test_image_outside_the_course_folder(module_problems):
    text = HEAD + "Body.\n\n![Secret](../other-course/images/a.png)\n"
    assert module_problems(text) == ["m.md:7: '../other-course/images/a.png' points outside the course folder"]


def test_link_to_a_module_that_does_not_exist(module_problems):
    text = HEAD + "Body.\n\nSee [arrest](03-arrest.md).\n"
    assert module_problems(text) == ["m.md:7: link to a module that does not exist: '03-arrest.md'"]


def test_link_to_a_markdown_file_that_is_not_a_module(module_problems):
    text = HEAD + "Body.\n\nSee [notes](notes.md).\n"
    assert module_problems(text) == [
        "m.md:7: link to a module that does not exist: 'notes.md' (module files are named NN-slug.md)"
    ]


def test_link_in_facilitator_notes_is_checked(module_problems):
    text = HEAD + "Body.\n\n:::facilitator\nSee [arrest](03-arrest.md).\n:::\n"
    assert module_problems(text) == ["m.md:8: link to a module that does not exist: '03-arrest.md'"]


def test_unclosed_callout(module_problems):
    assert module_problems(HEAD + "Body.\n\n:::tip\nNever closed.\n") == [
        "m.md:7: ':::tip' is not closed: add a ':::' line after it"
    ]


def test_unknown_callout_kind(module_problems):
    assert module_problems(HEAD + "Body.\n\n:::sidebar\nText.\n:::\n") == [
        "m.md:7: unknown callout kind 'sidebar' (use one of: standard, case-study, discussion, tip, warning, "
        "facilitator, quiz)"
    ]


def test_nested_callout(module_problems):
    text = HEAD + "Body.\n\n:::tip\nOuter.\n:::warning\nInner.\n:::\n:::\n"
    assert module_problems(text) == ["m.md:9: callouts cannot be nested: close ':::tip' (line 7) with ':::' first"]


def test_closing_line_without_a_callout(module_problems):
    assert module_problems(HEAD + "Body.\n:::\n") == ["m.md:6: ':::' closes nothing: no callout or quiz is open"]


def test_callout_markers_inside_fenced_code_are_text(module_problems):
    assert module_problems(HEAD + "Body.\n\n```\n:::tip\n```\n") == []


def test_bad_module_filename_when_parsed_alone(module_problems):
    assert module_problems(HEAD + "Body.\n", filename="intro.md") == [
        "m.md:1: bad module file name 'intro.md': module files are named NN-slug.md (digits, a hyphen, then "
        "lower-case letters, digits and hyphens)"
    ]


# --- Quizzes ------------------------------------------------------------------------------------------------------


def test_question_with_no_correct_option(module_problems):
    assert module_problems(quiz("### Q {#q}", "- [ ] a", "- [ ] b", "Explanation: e.")) == [
        "m.md:8: question has no correct option: mark the right one with [x]"
    ]


def test_multiple_choice_with_no_correct_option(module_problems):
    assert module_problems(quiz("### Q {#q multiple}", "- [ ] a", "- [ ] b", "Explanation: e.")) == [
        "m.md:8: question has no correct option: mark the right one with [x]"
    ]


def test_single_choice_with_two_correct_options(module_problems):
    assert module_problems(quiz("### Q {#q}", "- [x] a", "- [x] b", "Explanation: e.")) == [
        "m.md:8: single-choice question has 2 correct options: mark one, or make it multiple choice with {#q multiple}"
    ]


def test_choice_question_with_one_option(module_problems):
    assert module_problems(quiz("### Q {#q}", "- [x] a", "Explanation: e.")) == [
        "m.md:8: a choice question needs at least two options"
    ]


@pytest.mark.parametrize("marks", [("x", "x"), (" ", " ")])
def test_true_false_needs_exactly_one_correct_answer(module_problems, marks):
    text = quiz("### Q {#q}", f"- [{marks[0]}] True", f"- [{marks[1]}] False", "Explanation: e.")
    assert module_problems(text) == [
        "m.md:8: true/false question needs exactly one correct answer: mark True or False with [x]"
    ]


def test_true_false_cannot_be_multiple(module_problems):
    text = quiz("### Q {#q multiple}", "- [x] True", "- [ ] False", "Explanation: e.")
    assert module_problems(text) == ["m.md:8: a true/false question cannot be 'multiple'"]


def test_short_answer_without_accept(module_problems):
    assert module_problems(quiz("### Which article? {#q}", "Explanation: e.")) == [
        "m.md:8: question has no options and no 'Accept:' answers: add '- [x]' options or 'Accept: answer' lines"
    ]


def test_empty_accept_line(module_problems):
    assert module_problems(quiz("### Which article? {#q}", "Accept: 14", "Accept:", "Explanation: e.")) == [
        "m.md:10: 'Accept:' needs an answer after it"
    ]


def test_accept_line_of_punctuation_only(module_problems):
    assert module_problems(quiz("### Which article? {#q}", "Accept: 14", "Accept: ?!", "Explanation: e.")) == [
        "m.md:10: 'Accept: ?!' is only punctuation, which answers are compared without"
    ]


def test_options_and_accept_together(module_problems):
    text = quiz("### Q {#q}", "- [x] a", "- [ ] b", "Accept: a", "Explanation: e.")
    assert module_problems(text) == [
        "m.md:8: question has both options and 'Accept:' answers: a short answer question has no options"
    ]


def test_duplicate_question_id_in_a_module(module_problems):
    text = quiz(*GOOD_QUESTION, "", *GOOD_QUESTION)
    assert module_problems(text) == ["m.md:13: duplicate question id 'good' (also on line 8)"]


def test_duplicate_question_id_across_modules(make_library):
    module = HEAD + "Body.\n\n:::quiz\n" + "\n".join(GOOD_QUESTION) + "\n:::\n"
    root = make_library({"c": {"01-a.md": module, "02-b.md": module}})
    assert [str(problem) for problem in check_library(root).problems] == [
        f"{root}/c/02-b.md:8: duplicate question id 'good' (also in 01-a.md line 8)"
    ]


def test_bad_question_id(module_problems):
    assert module_problems(quiz("### Q {#Bad_Id}", "- [x] a", "- [ ] b", "Explanation: e.")) == [
        "m.md:8: question id 'Bad_Id' must be lower-case letters, digits and hyphens"
    ]


def test_unknown_word_in_question_braces(module_problems):
    assert module_problems(quiz("### Q {#q several}", "- [x] a", "- [ ] b", "Explanation: e.")) == [
        "m.md:8: unexpected 'several' in question heading: use {#some-id} or {#some-id multiple}"
    ]


def test_unknown_quiz_setting(module_problems):
    assert module_problems(quiz(*GOOD_QUESTION, settings="random")) == [
        "m.md:7: unknown quiz setting 'random' (use pass=N, attempts=N, shuffle)"
    ]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("pass=150", "quiz setting 'pass' must be a percentage from 0 to 100, not '150'"),
        ("pass=", "quiz setting 'pass' must be a percentage from 0 to 100, not ''"),
        ("attempts=0", "quiz setting 'attempts' must be a whole number of at least 1, not '0'"),
        ("attempts=many", "quiz setting 'attempts' must be a whole number of at least 1, not 'many'"),
        ("shuffle=yes", "quiz setting 'shuffle' takes no value: write just 'shuffle'"),
        ("pass=50 pass=60", "quiz setting 'pass' is given twice"),
    ],
)
def test_bad_quiz_setting_value(module_problems, setting, message):
    assert module_problems(quiz(*GOOD_QUESTION, settings=setting)) == [f"m.md:7: {message}"]


def test_more_than_one_quiz(module_problems):
    one = ":::quiz\n" + "\n".join(GOOD_QUESTION) + "\n:::\n"
    other = one.replace("{#good}", "{#other}")
    text = HEAD + "Body.\n\n" + one + "\n" + other
    assert module_problems(text) == ["m.md:14: a module may contain only one quiz (the first starts on line 7)"]


def test_empty_quiz(module_problems):
    assert module_problems(quiz("")) == ["m.md:7: quiz has no questions: start each one with a '### question' heading"]


def test_option_feedback_without_an_option(module_problems):
    text = quiz("### Q {#q}", "  > Feedback for nothing.", "- [x] a", "- [ ] b", "Explanation: e.")
    assert module_problems(text) == ["m.md:9: option feedback without an option: '>' lines go under an '- [ ]' option"]


def test_text_after_the_options(module_problems):
    text = quiz("### Q {#q}", "- [x] a", "- [ ] b", "", "Stray sentence.", "Explanation: e.")
    assert module_problems(text) == [
        "m.md:12: unindented text among the options belongs to no option: indent it to continue the option above, or start 'Explanation:'"
    ]


@pytest.mark.parametrize("lines", [
    ("- [x] a", "- [ ] b", "Unindented trailing text."),  # right under an option: not silently part of "b"
    ("- [x] a", "  > Feedback.", "Unindented trailing text.", "- [ ] b"),  # nor of a's feedback
])
def test_unindented_text_right_after_an_option_is_an_error(module_problems, lines):
    text = quiz("### Q {#q}", *lines, "Explanation: e.")
    line = 8 + lines.index("Unindented trailing text.") + 1
    assert module_problems(text) == [
        f"m.md:{line}: unindented text among the options belongs to no option: indent it to continue the option above, or start 'Explanation:'"
    ]


def test_indented_lines_continue_an_option_and_its_feedback(module_problems):
    assert module_problems(quiz("### Q {#q}", "- [x] a", "  continued", "  > Feedback", "  more feedback",
                                "- [ ] b", "Explanation: e.")) == []


def test_a_quotation_just_before_the_options_is_questioned(module_problems):
    """Meant as feedback, it would be shown before the learner answers; a quotation followed by the question is
    the usual way to quote a rule, and is not questioned."""
    assert module_problems(quiz("### Q {#q}", "> Meant as feedback?", "- [x] a", "- [ ] b", "Explanation: e.")) == [
        "m.md:9: warning: this '>' quotation sits right on the options, so learners see it before they answer: to make "
        "it an option's feedback, indent it under that option; to keep it as a quotation, leave a blank line before the "
        "options"]
    assert module_problems(quiz("### Which right is this?", "> No one shall be arbitrarily arrested.", "", "- [x] a",
                                "- [ ] b", "Explanation: e.")) == [
        "m.md:8: warning: question has no id: add {#some-id} to the heading so that reordering questions keeps "
        "learners' answers (for now it is 'm-q1')"]  # a quotation set apart from the options is not questioned
    assert module_problems(quiz("### Q {#q}", "> Article 9.", "", "Which is right?", "- [x] a", "- [ ] b",
                                "Explanation: e.")) == []
    assert module_problems(quiz("### Q {#q}", "> Article 9.", "Accept: nine", "Explanation: e.",
                                "### R {#r}", "- [x] a", "- [ ] b", "Explanation: e.")) == []


def test_text_before_the_first_question(module_problems):
    assert module_problems(quiz("Answer these.", *GOOD_QUESTION)) == [
        "m.md:8: text before the first question is not shown: start with '### question'"
    ]


def test_second_explanation(module_problems):
    assert module_problems(quiz(*GOOD_QUESTION, "Explanation: again.")) == [
        "m.md:12: question has a second 'Explanation:'; keep one"
    ]


def test_scenario_without_questions_or_text(module_problems):
    assert module_problems(quiz(*GOOD_QUESTION, "## Lonely {#lonely}")) == [
        "m.md:12: scenario 'lonely' has no text: write the case after its heading",
        "m.md:12: scenario 'lonely' has no questions: add '### question' headings",
    ]


# --- Warnings -----------------------------------------------------------------------------------------------------


def test_module_without_objectives_is_a_warning(module_problems):
    assert module_problems("---\ntitle: T\n---\nBody.\n") == [
        "m.md:1: warning: module has no objectives: list what learners will be able to do"
    ]


def test_question_without_id_is_a_warning(module_problems):
    assert module_problems(quiz("### Q", "- [x] a", "- [ ] b", "Explanation: e.")) == [
        "m.md:8: warning: question has no id: add {#some-id} to the heading so that reordering questions keeps "
        "learners' answers (for now it is 'm-q1')"
    ]


def test_question_without_explanation_is_a_warning(module_problems):
    assert module_problems(quiz("### Q {#q}", "- [x] a", "- [ ] b")) == [
        "m.md:8: warning: question 'q' has no explanation: add an 'Explanation:' line"
    ]


def test_warnings_do_not_stop_a_module_from_parsing(registry):
    from app.content import parse_module_source

    module, problems = parse_module_source(
        "---\ntitle: T\n---\nBody.\n", filename="01-m.md", course_slug="c", registry=registry
    )
    assert module is not None and [problem.severity for problem in problems] == ["warning"]


# --- Course folders -----------------------------------------------------------------------------------------------


def library_problems(root) -> list[str]:
    return [str(problem) for problem in check_library(root).problems]


def test_duplicate_module_slug(make_library):
    root = make_library({"c": {"01-a.md": VALID_MODULE, "02-a.md": VALID_MODULE}})
    assert library_problems(root) == [f"{root}/c/02-a.md:1: duplicate module slug 'a' (also 01-a.md)"]


def test_module_file_with_an_unexpected_name(make_library):
    root = make_library({"c": {"01-a.md": VALID_MODULE, "intro.md": VALID_MODULE, "02_B.md": VALID_MODULE}})
    rule = "module files are named NN-slug.md (digits, a hyphen, then lower-case letters, digits and hyphens)"
    assert library_problems(root) == [
        f"{root}/c/02_B.md:1: unexpected file name '02_B.md': {rule}",
        f"{root}/c/intro.md:1: unexpected file name 'intro.md': {rule}",
    ]


def test_same_module_number_is_a_warning(make_library):
    root = make_library({"c": {"01-a.md": VALID_MODULE, "01-b.md": VALID_MODULE}})
    assert library_problems(root) == [
        f"{root}/c/01-b.md:1: warning: module number 1 is also used by 01-a.md: give each module its own"
    ]


def test_links_between_modules_resolve_by_slug(make_library):
    linking = VALID_MODULE + "\nSee [b](07-b.md) and [nothing](02-nothing.md).\n"
    root = make_library({"c": {"01-a.md": linking, "02-b.md": VALID_MODULE}})
    assert library_problems(root) == [f"{root}/c/01-a.md:7: link to a module that does not exist: '02-nothing.md'"]


def test_missing_image_in_a_folder(make_library):
    with_image = VALID_MODULE + "\n![Here](images/here.png) ![Gone](images/gone.png)\n"
    root = make_library({"c": {"01-a.md": with_image, "images/here.png": b"\x89PNG\r\n\x1a\n"}})
    assert library_problems(root) == [f"{root}/c/01-a.md:7: image not found: 'images/gone.png'"]


def test_bad_course_slug(make_library):
    root = make_library({"Bad_Course": {}})
    assert library_problems(root) == [
        f"{root}/Bad_Course:1: course folder name 'Bad_Course' is not a valid slug (lower-case letters, digits, hyphens)"
    ]


def test_completion_checked_against_the_folder(make_library):
    course = VALID_COURSE.replace("---\nIntro", "completion:\n  modules: [a, b]\n---\nIntro")
    root = make_library({"c": {"course.md": course, "01-a.md": VALID_MODULE}})
    assert library_problems(root) == [f"{root}/c/course.md:9: completion names module 'b', which does not exist"]


def test_every_problem_in_a_folder_is_reported_at_once(make_library):
    broken = HEAD + "Body ![x](images/none.png).\n\n:::tip\nunclosed\n"
    root = make_library({"c": {"course.md": "no front matter", "01-a.md": broken, "02-b.md": "---\n"}})
    assert library_problems(root) == [
        f"{root}/c/01-a.md:5: image not found: 'images/none.png'",
        f"{root}/c/01-a.md:7: ':::tip' is not closed: add a ':::' line after it",
        f"{root}/c/02-b.md:1: front matter is not closed: add a '---' line after it",
        f"{root}/c/course.md:1: front matter missing: the file must start with a '---' line",
    ]


VALID_MODULE = "---\ntitle: M\nobjectives: [x]\n---\nBody.\n"
VALID_COURSE = (
    "---\ntitle: C\nsummary: S\naudiences: [student]\nlanguage: en\nestimated_minutes: 10\nstatus: draft\n---\nIntro\n"
)
