"""Domain errors and the one place that maps every error to an HTTP response."""

import logging
import math
import time

from flask import Flask, current_app, g, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from app.security import is_safe_redirect_path

log = logging.getLogger(__name__)


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """Without a message, people see the generic not-found sentence."""

    status_code = 404

    def __init__(self, message: str = ""):
        super().__init__(message)


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class InvalidInput(DomainError):
    status_code = 400


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Sign in required"),
        403: _("Not allowed"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("File too large"),
        429: _("Too many requests"),
        500: _("Something went wrong"),
        503: _("Temporarily unavailable"),
    }


def _explanations() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Go back, check the form and try again."),
        401: _("Sign in to continue."),
        403: _("You do not have permission to do this."),
        404: _("There is nothing at this address."),
        405: _("This address does not accept that kind of request."),
        409: _("Someone else changed this at the same time. Reload and try again."),
        413: _("The file or form is larger than the server accepts."),
        429: _("Too many attempts. Wait a few minutes and try again."),
        500: _("The error has been logged. Please try again in a moment."),
        503: _("The service is briefly unavailable. Please try again in a minute."),
    }


def wants_json() -> bool:
    if request.is_json or request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


DATABASE_RETRY_AFTER = {"Retry-After": "30"}


def forget_user_without_database() -> None:
    """Render as if signed out: loading the user (Flask-Login's user loader), or refreshing one that a rollback
    expired, would query the database that just failed."""
    from app.extensions import login_manager

    g._login_user = login_manager.anonymous_user()


def _back_path() -> str | None:
    """Where "Go back" (without JavaScript) and "Sign in again" lead: the address that was posted to when it is
    also a page (most forms post to their own address), else the nearest page above it (a quiz's submit address
    leads to its attempt, which leads back to the quiz)."""
    if request.method == "GET":
        return None
    urls = current_app.url_map.bind_to_environ(request.environ)
    path = request.path
    while path not in ("", "/"):
        try:
            urls.match(path, method="GET")
        except HTTPException:  # not a page (404, 405, or a redirect to another spelling)
            path = path.rsplit("/", 1)[0]
        else:
            return request.script_root + path
    return None


def _error_body(status: int, message: str | None, title: str | None = None, go_back: bool = False,
                back_path: str | None = None):
    title = title or _titles().get(status, _("Error"))
    message = message or _explanations().get(status, "")
    if wants_json():
        return jsonify({"error": title, "message": message, "status": status})
    # A refused upload or form, or a form sent after the session ended: going back to it (with what was typed) is
    # what the person wants, and signing in again if they were signed out.
    go_back = go_back or status in (401, 413)
    return render_template("error.html", status=status, title=title, message=message, go_back=go_back,
                           back_path=(back_path or _back_path()) if go_back else None)


def error_response(status: int, message: str | None = None, headers: dict | None = None, *,
                   title: str | None = None, go_back: bool = False, back_path: str | None = None):
    try:
        body = _error_body(status, message, title, go_back, back_path)
    except (OperationalError, InterfaceError):  # the database went away while this error page was being built
        forget_user_without_database()
        status, headers, body = 503, DATABASE_RETRY_AFTER, _error_body(503, None)
    return body, status, headers or {}


def _too_many_requests(error: HTTPException):
    """How long to wait: the time left in the window of the limit that was hit; a sign-in pause says why it happens
    even to the right password."""
    from app.extensions import limiter

    breached = limiter.current_limit
    if breached is not None and breached.breached:
        seconds = max(1, math.ceil(breached.window[0] - time.time()))
    else:
        limit = getattr(getattr(error, "limit", None), "limit", None)
        seconds = limit.get_expiry() if limit is not None else 60
    minutes = max(1, -(-seconds // 60))
    message = back_path = None
    if request.endpoint == "auth.sign_in":  # back to the form, still leading where signing in was meant to lead
        next_path = request.form.get("next")
        back_path = url_for("auth.sign_in", next=next_path) if is_safe_redirect_path(next_path) else None
        message = ngettext(
            "Too many sign-in attempts. To protect the account, signing in is paused, even with the right password. "
            "Try again in %(num)d minute.",
            "Too many sign-in attempts. To protect the account, signing in is paused, even with the right password. "
            "Try again in %(num)d minutes.", minutes)
    # Always a form that was sent too often: "Go back" leads to it.
    return error_response(429, message, {"Retry-After": str(seconds)}, go_back=True, back_path=back_path)


def register_error_handlers(app: Flask) -> None:
    from app.extensions import db

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        db.session.rollback()
        return error_response(error.status_code, error.message or None)

    @app.errorhandler(CSRFError)
    def handle_expired_form(_error: CSRFError):
        # The session ended, or the page was open for days: say what to do, not what a token is.
        return error_response(400, _("Nothing was sent: you were signed out, or the page was open too long. Go back, "
                                     "reload the page (sign in again if asked) and send it again. On a quiz, the "
                                     "answers already saved are kept; with JavaScript on, those typed in this tab "
                                     "since come back too."),
                              title=_("This form has expired"), go_back=True)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        headers = {}
        if error.code == 405 and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
        # Werkzeug's default descriptions can be technical; ours are plain. Keep a custom description if given.
        custom = error.description if error.description != type(error).description else None
        if error.code == 429:
            return _too_many_requests(error)
        return error_response(error.code or 500, custom, headers)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def handle_database_unavailable(error: Exception):
        db.session.rollback()
        log.error("database unavailable: %s", type(error).__name__)
        forget_user_without_database()
        return error_response(503, headers=DATABASE_RETRY_AFTER)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500)
