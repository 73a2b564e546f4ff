"""Classes for trainers (/classes, trainers and admins only), joining and live sessions for learners (/join,
/live), and the audit log for admins (/admin/audit)."""

import json
import re
import zlib
from datetime import datetime
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.access import (
    can_read_course,
    can_reset_member_password,
    gate,
    is_admin,
    is_trainer,
    readable_courses_filter,
    signed_in,
)
from app.catalog.models import Course, Module
from app.classrooms import audit, queries, reports, services
from app.classrooms import live as live_sessions
from app.classrooms.codes import JOIN_CODE_LENGTH, LIVE_CODE_LENGTH, normalise_code, plausible_code
from app.classrooms.forms import (
    AccountsForm,
    AddTrainerForm,
    AnotherAttemptForm,
    AssignmentForm,
    ClassroomForm,
    DueForm,
    HiddenAnswerForm,
    JoinForm,
    LiveCodeForm,
    LiveControlForm,
    StartLiveForm,
)
from app.classrooms.models import Classroom, ClassroomMember, LiveAnswer, LiveParticipant, LiveSession
from app.classrooms.names import repeated
from app.errors import DomainError, NotFound
from app.extensions import client_ip, db, limiter, utcnow
from app.learning import privacy
from app.learning.queries import standards_by_code
from app.local_time import display_zone, local_time, utc_from_local
from app.one_shot import claim_or_warn, one_shot_token

bp = Blueprint("classes", __name__, url_prefix="/classes", template_folder="templates")
bp.before_request(gate(is_trainer))

learner_bp = Blueprint("classroom_learner", __name__, template_folder="templates")
learner_bp.before_request(gate(signed_in))

audit_bp = Blueprint("audit", __name__, url_prefix="/admin/audit", template_folder="templates")
audit_bp.before_request(gate(is_admin))


def _classroom(classroom_id: int):
    return queries.managed_classroom(db.session, current_user, classroom_id)


def _commit_or_flash(action) -> bool:
    """Run a service call; commit on success, roll back and flash its message on a domain error."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return False
    db.session.commit()
    return True


# --- Classes ---------------------------------------------------------------------------------------------------


@bp.route("")
def index():
    return render_template("classrooms/index.html", classrooms=queries.visible_classrooms(db.session, current_user))


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = ClassroomForm()
    if form.validate_on_submit():
        try:
            classroom = services.create_classroom(db.session, current_user, name=form.name.data,
                                                  audience=form.audience.data, starts_on=form.starts_on.data,
                                                  ends_on=form.ends_on.data)
        except DomainError as error:
            db.session.rollback()
            form.name.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Class created. Give your learners the join code."), "success")
            return redirect(url_for("classes.show", classroom_id=classroom.id))
    return render_template("classrooms/create.html", form=form)


def _course_label(course: Course) -> str:
    # Trainers may assign or present a draft; its learners see it only once it is published.
    return course.title if course.is_published else _("%(course)s (draft)", course=course.title)


def _assignment_choices(courses: list[Course]) -> list[tuple[str, str]]:
    choices = []
    for course in courses:
        choices.append((f"course:{course.id}", _("%(course)s (whole course)", course=_course_label(course))))
        choices.extend((f"module:{module.id}", f"{_course_label(course)} — {module.title}")
                       for module in course.active_modules)
    return choices


def _readable_courses() -> list[Course]:
    return list(db.session.scalars(select(Course).where(readable_courses_filter(current_user))
                                   .options(selectinload(Course.modules)).order_by(Course.title)))


@bp.route("/<int:classroom_id>")
def show(classroom_id: int):
    classroom = _classroom(classroom_id)
    page = queries.class_page(db.session, classroom)
    # The courses this class already works on come first, then those written for its audience, then the rest.
    assigned = {row.course.id for row in page.assignments}
    courses = sorted(_readable_courses(), key=lambda course: (
        course.id not in assigned, classroom.audience not in (course.audiences or [])))
    assign_form = AssignmentForm()
    assign_form.target.choices = _assignment_choices(courses)
    assign_form.due_at.description = _("Date and time in %(zone)s.", zone=display_zone().key)
    live_form = StartLiveForm()
    live_form.module_id.choices = [(module.id, f"{_course_label(course)} — {module.title}")
                                   for course in courses for module in course.active_modules]
    return render_template("classrooms/show.html", classroom=classroom, page=page, assign_form=assign_form,
                           live_form=live_form, trainer_form=AddTrainerForm(), due_form=DueForm(),
                           control=FlaskForm(), reset_token=one_shot_token())


@bp.route("/<int:classroom_id>/join-code", methods=["POST"])
def rotate_join_code(classroom_id: int):
    classroom = _classroom(classroom_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if _commit_or_flash(lambda: services.rotate_join_code(db.session, current_user, classroom)):
        flash(_("New join code: the old one no longer works."), "success")
    return redirect(url_for("classes.show", classroom_id=classroom.id))


@bp.route("/<int:classroom_id>/members/<int:user_id>/remove", methods=["POST"])
def remove_member(classroom_id: int, user_id: int):
    classroom = _classroom(classroom_id)
    _membership, member = queries.member_of(db.session, classroom, user_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if _commit_or_flash(lambda: services.remove_member(db.session, current_user, classroom, member)):
        flash(_("%(name)s was removed from the class.", name=member.display_name), "success")
    return redirect(url_for("classes.show", classroom_id=classroom.id))


@bp.route("/<int:classroom_id>/members/<int:user_id>/erase", methods=["POST"])
def erase_member_account(classroom_id: int, user_id: int):
    classroom = _classroom(classroom_id)
    membership, member = queries.member_of(db.session, classroom, user_id)
    if not can_reset_member_password(current_user, classroom, membership, member):  # only accounts this class made
        abort(403)
    if not FlaskForm().validate_on_submit():
        abort(400)
    name = member.display_name
    if _commit_or_flash(lambda: privacy.erase_class_account(db.session, current_user, classroom, member)):
        flash(_("The account of %(name)s is erased: it can no longer sign in, and their answers count in this "
                "class only anonymously.", name=name), "success")
    return redirect(url_for("classes.show", classroom_id=classroom.id))


@bp.route("/<int:classroom_id>/members/<int:user_id>/password", methods=["POST"])
def reset_password(classroom_id: int, user_id: int):
    classroom = _classroom(classroom_id)
    membership, member = queries.member_of(db.session, classroom, user_id)
    if not can_reset_member_password(current_user, classroom, membership, member):
        abort(403)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if not claim_or_warn(db.session, request.args.get("once"), f"user-{member.id}", _(
            "That passphrase was already changed: the card shown then is the valid one. Ask for a new passphrase "
            "again if it is lost.")):
        return redirect(url_for("classes.show", classroom_id=classroom.id))
    passphrase = services.reset_member_password(db.session, current_user, classroom, member)
    db.session.commit()
    return render_template("classrooms/cards.html", classroom=classroom, accounts=[(member, passphrase)],
                           reset=True)


@bp.route("/<int:classroom_id>/passphrases", methods=["POST"])
def reset_class_made_passphrases(classroom_id: int):
    classroom = _classroom(classroom_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if not claim_or_warn(db.session, request.args.get("once"), f"class-{classroom.id}-passphrases", _(
            "Those passphrases were already renewed: the cards shown then are the valid ones. Renew them again if "
            "they are lost.")):
        return redirect(url_for("classes.show", classroom_id=classroom.id))
    try:
        accounts = services.reset_class_made_passphrases(db.session, current_user, classroom)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("classes.show", classroom_id=classroom.id))
    db.session.commit()
    return render_template("classrooms/cards.html", classroom=classroom, accounts=accounts, reset=True)


@bp.route("/<int:classroom_id>/trainers", methods=["POST"])
def add_trainer(classroom_id: int):
    classroom = _classroom(classroom_id)
    form = AddTrainerForm()
    if not form.validate_on_submit():
        abort(400)
    if _commit_or_flash(lambda: services.add_co_trainer(db.session, current_user, classroom, form.username.data)):
        flash(_("Co-trainer added."), "success")
    return redirect(url_for("classes.show", classroom_id=classroom.id))


@bp.route("/<int:classroom_id>/trainers/<int:user_id>/remove", methods=["POST"])
def remove_trainer(classroom_id: int, user_id: int):
    classroom = _classroom(classroom_id)
    trainer = queries.trainer_of(db.session, classroom, user_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if _commit_or_flash(lambda: services.remove_co_trainer(db.session, current_user, classroom, trainer)):
        flash(_("Co-trainer removed."), "success")
    return redirect(url_for("classes.show", classroom_id=classroom.id))


@bp.route("/<int:classroom_id>/accounts", methods=["GET", "POST"])
def create_accounts(classroom_id: int):
    classroom = _classroom(classroom_id)
    form = AccountsForm()
    if request.method == "GET":
        form.once.data = one_shot_token()
    if form.validate_on_submit():
        if not claim_or_warn(db.session, form.once.data, "accounts", _(
                "These accounts were already created, and their cards were shown once. If a card is lost, give "
                "that learner a new passphrase from the list below.")):
            return redirect(url_for("classes.show", classroom_id=classroom.id))
        try:
            accounts = services.create_learner_accounts(
                db.session, current_user, classroom, username_prefix=form.username_prefix.data,
                count=form.count.data or 0, display_names=(form.display_names.data or "").splitlines())
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form.username_prefix.errors.append(error.message)
        except IntegrityError:  # another form took one of these usernames at the same moment
            db.session.rollback()
            form.username_prefix.errors.append(_("Someone else created accounts with this prefix at the same "
                                                 "moment: send the form again for the next free numbers."))
        else:
            twice = repeated(user.display_name for user, _passphrase in accounts)
            if twice:
                flash(_("Listed more than once: %(names)s. Their cards differ by username, and the class pages "
                        "show the username beside the name.", names=", ".join(twice)), "warning")
            # The only time these passphrases exist in clear: this response (no-store), never the database or log.
            return render_template("classrooms/cards.html", classroom=classroom, accounts=accounts, reset=False)
    return render_template("classrooms/accounts.html", classroom=classroom, form=form)


# --- Assignments -----------------------------------------------------------------------------------------------


def _assignment_target(value: str) -> tuple[Course, Module | None]:
    """"course:<id>" or "module:<id>" from the form, loaded; 404 for anything this trainer cannot read."""
    kind, _sep, raw_id = (value or "").partition(":")
    module = db.session.get(Module, int(raw_id)) if kind == "module" and raw_id.isdigit() else None
    course = module.course if module else (
        db.session.get(Course, int(raw_id)) if kind == "course" and raw_id.isdigit() else None)
    if course is None or not can_read_course(current_user, course):
        raise NotFound()
    return course, module


@bp.route("/<int:classroom_id>/assignments", methods=["POST"])
def assign(classroom_id: int):
    classroom = _classroom(classroom_id)
    form = AssignmentForm()
    if not form.validate_on_submit():
        flash(_("Choose a course or module, and a valid due date."), "error")
        return redirect(url_for("classes.show", classroom_id=classroom.id))
    course, module = _assignment_target(form.target.data)
    due_at = utc_from_local(form.due_at.data)
    if _commit_or_flash(lambda: services.assign_work(db.session, current_user, classroom, course, module, due_at)):
        flash(_("Assigned. Every learner in the class is enrolled."), "success")
        _warn_if_past(due_at)
    return redirect(url_for("classes.show", classroom_id=classroom.id))


def _warn_if_past(due_at: datetime | None) -> None:
    """A due date already gone is allowed (a late entry of last week's homework) but is more often a slip."""
    if due_at is not None and due_at < utcnow():
        flash(_("The due date %(when)s has already passed: unfinished work shows as overdue at once. Change the due "
                "date if that was a slip.", when=local_time(due_at)), "warning")


@bp.route("/<int:classroom_id>/assignments/<int:assignment_id>/due", methods=["POST"])
def change_due(classroom_id: int, assignment_id: int):
    classroom = _classroom(classroom_id)
    assignment = queries.assignment_of(db.session, classroom, assignment_id)
    form = DueForm()
    if not form.validate_on_submit():
        abort(400)
    due_at = utc_from_local(form.due_at.data)
    services.change_assignment_due(db.session, current_user, classroom, assignment, due_at)
    db.session.commit()
    flash(_("Due date changed."), "success")
    _warn_if_past(due_at)
    return redirect(url_for("classes.show", classroom_id=classroom.id))


@bp.route("/<int:classroom_id>/assignments/<int:assignment_id>/remove", methods=["POST"])
def remove_assignment(classroom_id: int, assignment_id: int):
    classroom = _classroom(classroom_id)
    assignment = queries.assignment_of(db.session, classroom, assignment_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.remove_assignment(db.session, current_user, classroom, assignment)
    db.session.commit()
    flash(_("Assignment removed; learners keep their progress."), "success")
    return redirect(url_for("classes.show", classroom_id=classroom.id))


# --- Reports ---------------------------------------------------------------------------------------------------


@bp.route("/<int:classroom_id>/report")
def report(classroom_id: int):
    classroom = _classroom(classroom_id)
    return render_template("classrooms/report.html", classroom=classroom,
                           grid=reports.progress_grid(db.session, classroom))


@bp.route("/<int:classroom_id>/report.csv")
def report_csv(classroom_id: int):
    classroom = _classroom(classroom_id)
    return _csv_download(reports.grid_csv(reports.progress_grid(db.session, classroom)), classroom,
                         "progress", utcnow())


def _csv_download(body: str, classroom: Classroom, what: str, when: datetime) -> Response:
    """A CSV file named after the class, what it holds and the day: "5b-progress-2026-05-20.csv"."""
    day = local_time(when, "%Y-%m-%d")
    name = re.sub(r"[^\w]+", "-", classroom.name.casefold()).strip("-_") or f"class-{classroom.id}"
    ascii_name = (re.sub(r"[^a-z0-9]+", "-", name.encode("ascii", "ignore").decode()).strip("-")
                  or f"class-{classroom.id}")
    # filename* carries the class's name in any script; filename is the fallback for old clients.
    disposition = (f'attachment; filename="{ascii_name}-{what}-{day}.csv"; '
                   f"filename*=UTF-8''{quote(f'{name}-{what}-{day}.csv')}")
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": disposition})


@bp.route("/<int:classroom_id>/learners/<int:user_id>")
def learner(classroom_id: int, user_id: int):
    classroom = _classroom(classroom_id)
    membership, member = queries.member_of(db.session, classroom, user_id)
    return render_template("classrooms/learner.html", classroom=classroom, member=member, membership=membership,
                           records=reports.learner_record(db.session, classroom, member),
                           report_labels=reports.report_labels)


@bp.route("/<int:classroom_id>/learners/<int:user_id>/modules/<int:module_id>/another-attempt", methods=["POST"])
def allow_another_attempt(classroom_id: int, user_id: int, module_id: int):
    classroom = _classroom(classroom_id)
    _membership, member = queries.member_of(db.session, classroom, user_id)
    module = reports.assigned_module(db.session, classroom, module_id).module
    if not module.has_quiz:
        abort(404)
    form = AnotherAttemptForm()
    if not form.validate_on_submit():
        abort(400)
    if _commit_or_flash(lambda: services.allow_another_attempt(
            db.session, current_user, classroom, member, module, int(form.allowed_before.data))):
        flash(_("%(name)s can take the quiz of %(module)s once more.", name=member.display_name,
                module=module.title), "success")
    return redirect(url_for("classes.learner", classroom_id=classroom.id, user_id=member.id,
                            _anchor=f"module-{module.id}"))


@bp.route("/<int:classroom_id>/items/<int:module_id>")
def items(classroom_id: int, module_id: int):
    classroom = _classroom(classroom_id)
    column = reports.assigned_module(db.session, classroom, module_id)
    return render_template("classrooms/items.html", classroom=classroom, column=column,
                           stats=reports.item_analysis(db.session, classroom, column.module))


@bp.route("/<int:classroom_id>/standards")
def standards(classroom_id: int):
    classroom = _classroom(classroom_id)
    mastery = reports.standards_mastery(db.session, classroom)
    return render_template("classrooms/standards.html", classroom=classroom, mastery=mastery,
                           standards=standards_by_code(db.session, mastery.standards))


# --- Live sessions: the presenter ------------------------------------------------------------------------------


def _live_of(classroom, session_id: int) -> tuple[LiveSession, Module]:
    row = db.session.execute(select(LiveSession, Module).join(Module, Module.id == LiveSession.module_id)
                             .where(LiveSession.id == session_id, LiveSession.classroom_id == classroom.id)).first()
    if row is None:
        raise NotFound()
    return row[0], row[1]


@bp.route("/<int:classroom_id>/live", methods=["POST"])
def start_live(classroom_id: int):
    classroom = _classroom(classroom_id)
    form = StartLiveForm()
    if not form.validate_on_submit():
        abort(400)
    module = db.session.get(Module, form.module_id.data)
    if module is None or not can_read_course(current_user, module.course):
        raise NotFound()
    try:
        live = live_sessions.start_live_session(db.session, current_user, classroom, module)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("classes.show", classroom_id=classroom.id))
    db.session.commit()
    return redirect(url_for("classes.presenter", classroom_id=classroom.id, session_id=live.id))


@bp.route("/<int:classroom_id>/live/<int:session_id>")
def presenter(classroom_id: int, session_id: int):
    classroom = _classroom(classroom_id)
    live, module = _live_of(classroom, session_id)
    steps = live_sessions.module_steps(module)
    ended = live.ended_at is not None
    return render_template("classrooms/presenter.html", classroom=classroom, live=live, module=module, steps=steps,
                           control=LiveControlForm(version=live.version), results_etag=_results_etag(live),
                           summary=live_sessions.ended_session_summary(db.session, live, steps) if ended else None,
                           by_learner=live_sessions.answers_by_learner(db.session, live, steps) if ended else None,
                           **_results(live, steps))


@bp.route("/<int:classroom_id>/live/<int:session_id>/answers.csv")
def live_answers_csv(classroom_id: int, session_id: int):
    classroom = _classroom(classroom_id)
    live, module = _live_of(classroom, session_id)
    answers = live_sessions.answers_by_learner(db.session, live, live_sessions.module_steps(module))
    return _csv_download(reports.session_answers_csv(answers), classroom, "live-answers",
                         live.ended_at or utcnow())


def _results(live: LiveSession, steps: list[live_sessions.Step]) -> dict:
    """What the presenter's polled region shows: who has joined, and the answers to the step's question."""
    step = live_sessions.current_step(live, steps)
    if live.ended_at:
        return {"step": step, "presence": None, "distribution": None}
    names = live_sessions.class_names(db.session, live)
    return {"step": step, "presence": live_sessions.presence(db.session, live, names),
            "distribution": step.question and live_sessions.answer_distribution(db.session, live, step.question, names)}


def _results_etag(live: LiveSession) -> str:
    # The class's size is part of it: a learner who joins mid-question joins the "not answered yet" list.
    members = (select(func.count()).select_from(ClassroomMember)
               .where(ClassroomMember.classroom_id == live.classroom_id).scalar_subquery())
    joined = (select(func.count()).select_from(LiveParticipant)
              .where(LiveParticipant.session_id == live.id).scalar_subquery())
    count, latest, size, present = db.session.execute(
        select(func.count(), func.max(LiveAnswer.updated_at), members, joined)
        .where(LiveAnswer.session_id == live.id)).one()
    hidden = zlib.crc32(json.dumps(live.hidden_answers or {}, sort_keys=True).encode())
    return f"r{live.version}-{count}-{latest.timestamp() if latest else 0}-{size}-{present}-{hidden}"


def _polled_fragment(etag: str, render) -> Response:
    """What a live.js region polls: 304 while `etag` still matches, else `render()`'s fragment."""
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    response = Response(render())
    response.set_etag(etag)
    return response


@bp.route("/<int:classroom_id>/live/<int:session_id>/results")
def live_results(classroom_id: int, session_id: int):
    classroom = _classroom(classroom_id)
    live, module = _live_of(classroom, session_id)
    return _polled_fragment(_results_etag(live), lambda: render_template(
        "classrooms/_results.html", classroom=classroom, live=live,
        **_results(live, live_sessions.module_steps(module))))


@bp.route("/<int:classroom_id>/live/<int:session_id>/screen")
def live_screen(classroom_id: int, session_id: int):
    """The class screen: the step and the class's answers for a projector or a TV, without the teacher's notes,
    controls or anyone's name. It follows the session by itself (live.js; a meta refresh without JavaScript)."""
    classroom = _classroom(classroom_id)
    live, module = _live_of(classroom, session_id)
    return render_template("classrooms/screen.html", classroom=classroom, live=live, module=module,
                           etag=_results_etag(live), **_results(live, live_sessions.module_steps(module)))


@bp.route("/<int:classroom_id>/live/<int:session_id>/screen/stage")
def live_screen_stage(classroom_id: int, session_id: int):
    classroom = _classroom(classroom_id)
    live, module = _live_of(classroom, session_id)
    return _polled_fragment(_results_etag(live), lambda: render_template(
        "classrooms/_screen.html", classroom=classroom, live=live, module=module,
        **_results(live, live_sessions.module_steps(module))))


@bp.route("/<int:classroom_id>/live/<int:session_id>/hidden-answers", methods=["POST"])
def hide_live_answer(classroom_id: int, session_id: int):
    """Take a typed answer off the presenter's screen ("hide"), or put it back ("show")."""
    classroom = _classroom(classroom_id)
    live, module = _live_of(classroom, session_id)
    form = HiddenAnswerForm()
    if not form.validate_on_submit() or request.form.get("do") not in ("hide", "show"):
        abort(400)
    _commit_or_flash(lambda: live_sessions.set_answer_hidden(
        db.session, live, module, form.question.data, form.text.data, hidden=request.form["do"] == "hide"))
    return redirect(url_for("classes.presenter", classroom_id=classroom.id, session_id=live.id,
                            _anchor="live-results"))


@bp.route("/<int:classroom_id>/live/<int:session_id>/<action>", methods=["POST"])
def control_live(classroom_id: int, session_id: int, action: str):
    classroom = _classroom(classroom_id)
    live, module = _live_of(classroom, session_id)
    form = LiveControlForm()
    if action not in live_sessions.CONTROL_ACTIONS or not form.validate_on_submit():
        abort(400 if action in live_sessions.CONTROL_ACTIONS else 404)
    to_step = int(form.step.data) if form.step.data else None
    if _commit_or_flash(lambda: live_sessions.control_live_session(
            db.session, current_user, classroom, live, module, action, int(form.version.data), to_step)) \
            and action == "end":
        flash(_("Session ended. Each learner's answers are saved as practice."), "success")
    return redirect(url_for("classes.presenter", classroom_id=classroom.id, session_id=live.id))


# --- Learners: joining a class, following a live session -------------------------------------------------------


def _per_user_key() -> str:
    # Per account, not per address: a whole school shares one address. The limiter may run before the sign-in gate.
    return f"join:{current_user.id}" if current_user.is_authenticated else f"join-ip:{client_ip()}"


LIVE_FORM_PREFIX = "live"  # the join page holds both code forms: their fields need ids of their own


@learner_bp.route("/join", methods=["GET", "POST"])
@limiter.limit("20 per 10 minutes", methods=["POST"], key_func=_per_user_key)
def join():
    form = JoinForm()
    if form.validate_on_submit():
        code = normalise_code(form.code.data)
        if plausible_code(code, LIVE_CODE_LENGTH):  # a live session's code, typed in the class box: follow it
            return redirect(url_for("classroom_learner.live", code=code))
        try:
            classroom, joined = services.join_classroom(db.session, current_user, form.code.data)
        except DomainError as error:
            db.session.rollback()
            form.code.errors.append(error.message)
        else:
            db.session.commit()
            if joined:
                flash(_("You joined %(name)s.", name=classroom.name), "success")
            else:
                flash(_("You are already in %(name)s.", name=classroom.name), "info")
            return redirect(url_for("classroom_learner.join"))
    return render_template("classrooms/join.html", form=form, live_form=LiveCodeForm(prefix=LIVE_FORM_PREFIX),
                           classes=queries.classes_of_learner(db.session, current_user))


@learner_bp.route("/join/<int:classroom_id>/leave", methods=["POST"])
def leave_class(classroom_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    classroom = services.leave_class(db.session, current_user, classroom_id)
    db.session.commit()
    flash(_("You left %(name)s. Your own progress and certificates stay yours.", name=classroom.name), "success")
    return redirect(url_for("classroom_learner.join"))


@learner_bp.route("/live", methods=["POST"])
@limiter.limit("20 per 10 minutes", methods=["POST"], key_func=_per_user_key)
def enter_live_code():
    live_form = LiveCodeForm(prefix=LIVE_FORM_PREFIX)
    if live_form.validate_on_submit():
        code = normalise_code(live_form.code.data)
        if _session_of_member(code) is not None:
            return redirect(url_for("classroom_learner.live", code=code))
        live_form.code.errors.append(
            _("This is a class code: type it under “Join a class” above.") if plausible_code(code, JOIN_CODE_LENGTH)
            else _unknown_session_message())
    # A wrong, empty or malformed code: the page again, what was typed kept, the message under the field.
    return render_template("classrooms/join.html", form=JoinForm(formdata=None), live_form=live_form,
                           classes=queries.classes_of_learner(db.session, current_user))


def _session_of_member(code: str) -> tuple[LiveSession, Module] | None:
    """The session with this code, for a member of its class; for anyone else it does not exist."""
    code = normalise_code(code)
    if not plausible_code(code, LIVE_CODE_LENGTH):
        return None
    row = db.session.execute(
        select(LiveSession, Module).join(Module, Module.id == LiveSession.module_id)
        .join(ClassroomMember, ClassroomMember.classroom_id == LiveSession.classroom_id)
        .where(LiveSession.code == code, ClassroomMember.user_id == current_user.id)).first()
    return None if row is None else (row[0], row[1])


def _unknown_session_message() -> str:
    return _("No live session has this code. Check it, and that you joined the class.")


def _followed_session(code: str) -> tuple[LiveSession, Module]:
    found = _session_of_member(code)
    if found is None:
        raise NotFound(_unknown_session_message())
    return found


def _stage(live: LiveSession, module: Module) -> dict:
    step = live_sessions.current_step(live, live_sessions.module_steps(module))
    mine = None
    if step.question:
        mine = db.session.scalar(select(LiveAnswer.response).where(
            LiveAnswer.session_id == live.id, LiveAnswer.user_id == current_user.id,
            LiveAnswer.question_key == step.question["id"]))
    # Once revealed, a typed answer is told whether it was accepted: the child cannot compare "١٨" with "18" alone.
    mine_accepted = (live_sessions.answer_accepted(step.question, mine)
                     if mine is not None and live.question_state == "revealed" else None)
    return {"live": live, "module": module, "step": step, "mine": mine, "mine_accepted": mine_accepted,
            "form": FlaskForm()}


def _live_etag(live: LiveSession) -> str:
    return f"v{live.version}"


@learner_bp.route("/live/<code>")
def live(code: str):
    live_session, module = _followed_session(code)
    live_sessions.record_participant(db.session, live_session, current_user)
    db.session.commit()
    return render_template("classrooms/live.html", etag=_live_etag(live_session), **_stage(live_session, module))


@learner_bp.route("/live/<code>/stage")
def live_stage(code: str):
    """What the students' devices poll: 304 until the presenter changes something."""
    live_session = db.session.scalar(
        select(LiveSession).join(ClassroomMember, ClassroomMember.classroom_id == LiveSession.classroom_id)
        .where(LiveSession.code == normalise_code(code), ClassroomMember.user_id == current_user.id))
    if live_session is None:
        abort(404)
    return _polled_fragment(_live_etag(live_session), lambda: render_template(
        "classrooms/_stage.html", **_stage(live_session, db.session.get(Module, live_session.module_id))))


@learner_bp.route("/live/<code>/answer", methods=["POST"])
def live_answer(code: str):
    live_session, module = _followed_session(code)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if _commit_or_flash(lambda: live_sessions.record_live_answer(
            db.session, current_user, live_session, module, request.form.get("question", ""),
            request.form.getlist("choice"), request.form.get("text", ""))):
        flash(_("Answer saved. You can change it until the question closes."), "success")
    return redirect(url_for("classroom_learner.live", code=live_session.code))


# --- Audit log (admins) ----------------------------------------------------------------------------------------


@audit_bp.route("")
def audit_log():
    action = request.args.get("action", "")[:64]
    page = db.paginate(queries.audit_events(action), per_page=50, error_out=False)
    return render_template("classrooms/audit.html", page=page, action=action, action_labels=audit.ACTION_LABELS,
                           action_label=audit.action_label, readable_details=audit.readable_details,
                           class_names=queries.classroom_names(db.session, {e.classroom_id for e in page.items}))

BLUEPRINTS = (bp, learner_bp, audit_bp)
learner_bp.add_app_template_filter(live_sessions.links_in_new_tab, "links_in_new_tab")
learner_bp.add_app_template_global(live_sessions.LETTERS, "OPTION_LETTERS")


@learner_bp.app_context_processor
def assigned_work_for_dashboard() -> dict:
    """Fills the "Assigned to you" slot of the learning dashboard (learning must not import classrooms)."""
    if request.endpoint != "learning.dashboard" or not current_user.is_authenticated:
        return {}
    return {"assigned_work": queries.assigned_work_for(db.session, current_user),
            "live_now": queries.live_sessions_now(db.session, current_user)}
