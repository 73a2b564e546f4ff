from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import can_manage_user, gate, is_admin
from app.admin import services
from app.admin.forms import ChangeRoleForm, CreateUserForm
from app.admin.queries import learners_out_of_attempts, users_matching
from app.auth.forms import ROLE_LABELS, ConfirmForm
from app.auth.models import Role, User
from app.catalog.models import Module
from app.classrooms.forms import AnotherAttemptForm
from app.classrooms.services import allow_another_attempt
from app.errors import DomainError
from app.extensions import db
from app.one_shot import claim_or_warn, one_shot_token

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
bp.before_request(gate(is_admin))


@bp.route("/users")
def users():
    search = request.args.get("q", "")[:64]
    role = request.args.get("role", "")
    if role not in {"", *Role}:
        role = ""
    page = db.paginate(users_matching(search, role), per_page=50, error_out=False)
    return render_template("admin/users.html", page=page, search=search, role=role, role_labels=ROLE_LABELS,
                           reset_token=one_shot_token())


@bp.route("/users/new", methods=["GET", "POST"])
def create_user():
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            user = services.create_account(
                db.session,
                current_user,
                username=form.username.data,
                password=form.password.data,
                display_name=form.display_name.data,
                email=form.email.data,
                role=form.role.data,
                audience=form.audience.data,
            )
        except DomainError as error:
            db.session.rollback()
            form.username.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Account %(name)s created.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/create_user.html", form=form)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def deactivate_user(user_id: int):
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/activate", methods=["POST"])
def activate_user(user_id: int):
    return _set_active(user_id, True)


def _managed_user(user_id: int) -> User:
    """The account, if this admin may manage it: 404 for no account, 403 for their own."""
    user = db.get_or_404(User, user_id)
    if not can_manage_user(current_user, user):
        abort(403)
    return user


def _set_active(user_id: int, active: bool):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = _managed_user(user_id)
    services.set_account_active(db.session, current_user, user, active)
    db.session.commit()
    message = _("%(name)s can sign in again.", name=user.username) if active else _(
        "%(name)s is deactivated and signed out everywhere.", name=user.username)
    flash(message, "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
def change_role(user_id: int):
    form = ChangeRoleForm()
    if not form.validate_on_submit():
        abort(400)
    user = _managed_user(user_id)
    if services.change_role(db.session, current_user, user, form.role.data):
        db.session.commit()
        flash(_("The role of %(name)s is now %(role)s.", name=user.username, role=ROLE_LABELS[user.role]), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/passphrase", methods=["POST"])
def reset_password(user_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = _managed_user(user_id)
    if not claim_or_warn(db.session, request.args.get("once"), f"user-{user.id}", _(
            "That passphrase was already changed: the one shown then is the valid one. Set a new passphrase again "
            "if it is lost.")):
        return redirect(url_for("admin.users"))
    passphrase = services.reset_password(db.session, current_user, user)
    db.session.commit()
    # The only time this passphrase exists in clear: this response (no-store), never the database or the log.
    return render_template("admin/new_passphrase.html", user=user, passphrase=passphrase)


@bp.route("/attempts")
def spent_quizzes():
    search = request.args.get("q", "")[:64]
    return render_template("admin/spent_quizzes.html", spent=learners_out_of_attempts(db.session, search),
                           search=search)


@bp.route("/users/<int:user_id>/modules/<int:module_id>/another-attempt", methods=["POST"])
def allow_attempt(user_id: int, module_id: int):
    learner = _managed_user(user_id)
    module = db.session.get(Module, module_id)
    if module is None or not module.has_quiz:
        abort(404)
    form = AnotherAttemptForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        allow_another_attempt(db.session, current_user, None, learner, module, int(form.allowed_before.data))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("%(name)s can take the quiz of %(module)s once more.", name=learner.display_name,
                module=module.title), "success")
    return redirect(url_for("admin.spent_quizzes", q=request.args.get("q") or None))
