from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from app.access import is_trainer
from app.auth import services
from app.auth.forms import (
    VISITOR_LANGUAGE,
    ChangePasswordForm,
    ConfirmForm,
    ProfileForm,
    SignInForm,
    SignUpForm,
    SiteLanguageForm,
    page_language,
)
from app.auth.limits import failed_signin, note_wrong_password, password_check_limit, signin_account_key
from app.errors import DomainError
from app.extensions import db, limiter
from app.security import safe_redirect_path

bp = Blueprint("auth", __name__, template_folder="templates")


def home_for(user) -> str:
    """Where signing in leads without a `next`: a teacher's classes, a learner's own work (My learning: what a
    class assigned first, then courses in progress)."""
    return url_for("classes.index") if is_trainer(user) else url_for("learning.dashboard")


def sign_in_and_redirect(user, next_path: str | None, *, remember: bool = False):
    session.clear()  # a new session at sign-in: nothing from the anonymous one carries over,
    # not even the CSRF token Flask-WTF cached for this request (generate_csrf() would return it, storing no secret)
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    lifetime = current_app.permanent_session_lifetime if remember else current_app.config["BROWSER_SESSION_LIFETIME"]
    services.start_login_session(db.session, user, lifetime)
    login_user(user)
    session.permanent = remember  # otherwise a cookie without an expiry: it ends when the browser closes
    generate_csrf()  # the new session's CSRF secret goes out with this cookie, not with the next page's
    db.session.commit()
    return redirect(safe_redirect_path(next_path, home_for(user)))


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=failed_signin)
@limiter.limit(lambda: current_app.config["SIGNIN_LIMIT_PER_ACCOUNT"], key_func=signin_account_key,
               methods=["POST"], deduct_when=failed_signin)
def sign_in():
    if current_user.is_authenticated:
        return redirect(safe_redirect_path(request.args.get("next"), home_for(current_user)))
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.username.data, form.password.data)
        if user is not None:
            return sign_in_and_redirect(user, form.next.data, remember=form.remember.data)
        form.password.errors.append(_("Unknown username or wrong password."))
        warning = _pause_warning()
        if warning:
            form.password.errors.append(warning)
    return render_template("auth/sign_in.html", form=form, signup_enabled=current_app.config["SIGNUP_ENABLED"])


PAUSE_WARNING_FROM = 2  # wrong passwords left before a pause: say so from here on


def _pause_warning() -> str | None:
    """Before the account's sign-in pauses, say so: the pause holds even the right password, which is a surprise
    to someone who does not know it is coming. Said for any username typed, existing or not: nothing is revealed."""
    for limit in limiter.current_limits:
        if "signin-account:" in limit.key:
            left = limit.remaining - 1  # this failure is counted after the response
            if 0 < left <= PAUSE_WARNING_FROM:
                return ngettext("%(num)d more wrong password and signing in to this account pauses for a few "
                                "minutes, even with the right one.",
                                "%(num)d more wrong passwords and signing in to this account pauses for a few "
                                "minutes, even with the right one.", left)
            if left <= 0:
                return _("Signing in to this account is now paused for a few minutes, even with the right password.")
    return None


@bp.route("/signout", methods=["POST"])
def sign_out():
    if current_user.is_authenticated:
        services.end_login_session(db.session, current_user.current_session_token)
        db.session.commit()
    language = page_language()
    logout_user()
    session.clear()
    session[VISITOR_LANGUAGE] = language  # the pages that follow stay in the language the person was reading
    flash(_("You are signed out."), "info")
    return redirect(url_for("core.home"))


@bp.post("/language")
def choose_language():
    """The footer's language choice: an account keeps it in its profile, a visitor in the session cookie."""
    form = SiteLanguageForm()
    back = safe_redirect_path(form.next.data, url_for("core.home"))
    if not form.validate():
        flash(_("Choose one of the languages offered."), "error")
        return redirect(back)
    if current_user.is_authenticated:
        services.set_language(current_user, form.language.data)
        db.session.commit()
    else:
        session[VISITOR_LANGUAGE] = form.language.data
    return redirect(back)


@bp.route("/signup", methods=["GET", "POST"])
# A taken username must be reported, so failed sign-ups are limited like failed sign-ins: the form cannot be used
# to probe for usernames faster than the sign-in form.
@limiter.limit(lambda: current_app.config["SIGNUP_LIMIT_PER_IP"], methods=["POST"], deduct_when=failed_signin)
def sign_up():
    if not current_app.config["SIGNUP_ENABLED"]:
        abort(404)
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                db.session,
                username=form.username.data,
                password=form.password.data,
                display_name=form.display_name.data,
                email=form.email.data,
                audience=form.audience.data,
                language=form.language.data,
            )
        except DomainError as error:
            db.session.rollback()
            form.username.errors.append(error.message)
        else:
            response = sign_in_and_redirect(user, None)
            flash(_("Welcome to Article 26. Your account is ready."), "success")  # after the session is renewed
            return response
    return render_template("auth/sign_up.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(
            current_user,
            display_name=form.display_name.data,
            audience=form.audience.data,
            language=form.language.data,
            email=form.email.data,
            time_zone=form.time_zone.data,
        )
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form)


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.end_all_login_sessions(db.session, current_user, keep_token=current_user.current_session_token)
    db.session.commit()
    flash(_("Every other device and browser is signed out. This one stays signed in."), "success")
    return redirect(url_for("auth.profile"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@password_check_limit
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(db.session, current_user, form.current_password.data, form.new_password.data)
        except DomainError as error:
            db.session.rollback()
            note_wrong_password(error)
            form.current_password.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/change_password.html", form=form)
