"""Taking a module's quiz: the start page, the answer form, saving, submitting, and each attempt's result."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import can_see_attempt, can_take_quiz, gate, signed_in
from app.catalog.models import Module
from app.errors import NotFound, wants_json
from app.extensions import db, utcnow
from app.learning.queries import standards_by_code
from app.quizzes import presenters, queries, services
from app.quizzes.forms import field_name, responses_from_form
from app.quizzes.models import AttemptStatus, QuizAttempt

bp = Blueprint("quizzes", __name__, url_prefix="/courses/<course_slug>/m/<module_slug>/quiz",
               template_folder="templates")
bp.before_request(gate(signed_in))


def _module_or_404(course_slug: str, module_slug: str, *, needs_quiz: bool = True) -> Module:
    module = queries.module_with_course(db.session, course_slug, module_slug)
    if module is None or not can_take_quiz(current_user, module) or (needs_quiz and not module.has_quiz):
        raise NotFound(_("There is no quiz at this address."))
    return module


def _refuse_unless_visible(attempt: QuizAttempt | None) -> QuizAttempt:
    if attempt is None or not can_see_attempt(current_user, attempt):
        raise NotFound(_("There is no quiz attempt at this address."))
    return attempt


def _attempt_or_404(module: Module, token: str, *, with_answers: bool = False) -> QuizAttempt:
    return _refuse_unless_visible(
        queries.owned_attempt(db.session, current_user, module, token, with_answers=with_answers))


def _module_attempt_and_quiz_or_404(course_slug: str, module_slug: str,
                                    token: str) -> tuple[Module, QuizAttempt, dict | None]:
    """_module_or_404 (quiz or not: a quiz removed since keeps its attempts) and _attempt_or_404, in one statement."""
    module, attempt, quiz = queries.module_attempt_and_quiz(db.session, current_user, course_slug, module_slug, token)
    if module is None or not can_take_quiz(current_user, module):
        raise NotFound(_("There is no quiz at this address."))
    return module, _refuse_unless_visible(attempt), quiz


# Built from the URL's own arguments: after the commit, reading them off the (expired) objects would cost queries.
def _quiz_url() -> str:
    return url_for(".quiz_page", course_slug=request.view_args["course_slug"],
                   module_slug=request.view_args["module_slug"])


def _result_url() -> str:
    return url_for(".attempt_result", **request.view_args)


@bp.get("")
def quiz_page(course_slug: str, module_slug: str):
    module = _module_or_404(course_slug, module_slug)
    attempt = queries.open_attempt(db.session, current_user, module)
    if attempt is None:
        attempts = queries.attempts_of(db.session, current_user, module)
        attempts_left = services.attempts_left_for(db.session, current_user, module, len(attempts))
        return render_template("quizzes/start.html", module=module, course=module.course, quiz=module.quiz,
                               attempts=attempts, attempts_left=attempts_left)
    quiz = queries.attempt_quiz(db.session, attempt, module)
    drafts = presenters.draft_values(attempt.draft_answers)
    return render_template("quizzes/quiz.html", module=module, course=module.course, attempt=attempt, quiz=quiz,
                           groups=presenters.questions_to_answer(quiz, attempt.option_order), drafts=drafts,
                           answered=presenters.answered_count(quiz, drafts), field_name=field_name)


@bp.post("/attempts")
def start_attempt(course_slug: str, module_slug: str):
    """Idempotent: a second click, or a second tab, resumes the open attempt instead of starting another."""
    module = _module_or_404(course_slug, module_slug)
    try:
        services.start_attempt(db.session, current_user, module)
    except services.NoAttemptsLeft as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(_quiz_url())
    db.session.commit()
    return redirect(_quiz_url())


@bp.post("/attempts/<token>/save")
def save_answers(course_slug: str, module_slug: str, token: str):
    _module, attempt, quiz = _module_attempt_and_quiz_or_404(course_slug, module_slug, token)
    try:
        services.save_draft(db.session, attempt, quiz, responses_from_form(quiz, request.form))
    except services.AttemptAlreadySubmitted:
        db.session.rollback()
        if wants_json():  # the autosave script of a tab left open after submitting in another
            return {"saved": False, "submitted": True, "result": _result_url()}, 409
        return redirect(_result_url())
    db.session.commit()
    if wants_json():  # the autosave script
        return {"saved": True}
    flash(_("Your answers are saved. You can come back and finish later, even after signing in again."), "success")
    return redirect(_quiz_url())


@bp.post("/attempts/<token>/submit")
def submit_attempt(course_slug: str, module_slug: str, token: str):
    module, attempt, quiz = _module_attempt_and_quiz_or_404(course_slug, module_slug, token)
    responses = responses_from_form(quiz, request.form)
    if attempt.status == AttemptStatus.OPEN and not services.answers_anything(responses):
        flash(_("Answer at least one question before you submit. Nothing was graded; the attempt is still open."),
              "warning")
        return redirect(_quiz_url())
    submitted_at = utcnow()
    try:
        certificate = services.submit_attempt(db.session, current_user, attempt, module, quiz, responses)
    except services.AttemptAlreadySubmitted:
        db.session.rollback()
        flash(_("This attempt was already submitted: here is its result."), "info")
        return redirect(_result_url())
    completed_the_course = certificate is not None and certificate.issued_at >= submitted_at
    db.session.commit()
    if completed_the_course:
        flash(_("You have completed the course. Your certificate is ready."), "success")
    return redirect(_result_url())


@bp.get("/attempts/<token>")
def attempt_result(course_slug: str, module_slug: str, token: str):
    module = _module_or_404(course_slug, module_slug, needs_quiz=False)
    attempt = _attempt_or_404(module, token, with_answers=True)
    if attempt.status == AttemptStatus.OPEN:
        return redirect(_quiz_url())
    quiz = queries.attempt_quiz(db.session, attempt, module) or {}
    groups = presenters.reviewed_questions(quiz, attempt)
    codes = sorted({code for group in groups for question in group.questions for code in question.standards})
    attempts = queries.attempts_of(db.session, current_user, module)
    attempts_left = (services.attempts_left_for(db.session, current_user, module, len(attempts))
                     if module.has_quiz else 0)
    next_step = queries.next_step(db.session, current_user, module) if attempt.passed else None
    return render_template("quizzes/result.html", module=module, course=module.course, attempt=attempt, quiz=quiz,
                           groups=groups, standards=standards_by_code(db.session, codes),
                           attempts=attempts, attempts_left=attempts_left, next_step=next_step)
