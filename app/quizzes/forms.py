"""The quiz form has one field per question, named after the question id, so it is read by hand rather than WTForms.
CSRF is checked for every POST by CSRFProtect; the templates carry the token."""

from typing import Any

from werkzeug.datastructures import MultiDict

FIELD_PREFIX = "q-"


def field_name(question_id: str) -> str:
    return FIELD_PREFIX + question_id


def responses_from_form(quiz: dict[str, Any], form: MultiDict) -> dict[str, Any]:
    """Question id -> the submitted values: a list of option ids for choice questions, the text for short answers.
    Nothing is trusted: grading cleans and bounds it."""
    responses: dict[str, Any] = {}
    for question in quiz.get("questions") or []:
        name = field_name(question["id"])
        if question.get("type") == "short_answer":
            responses[question["id"]] = form.get(name, "")
        else:
            responses[question["id"]] = form.getlist(name)
    return responses
