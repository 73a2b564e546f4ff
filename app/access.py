"""Who may do what: every permission predicate, and the blueprint gates built from them."""

from collections.abc import Callable

from flask import abort, redirect, request, url_for
from flask_login import current_user

from app.auth.models import Role, User


def is_admin(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def is_trainer(user: User) -> bool:
    """Trainers and admins: admins can do everything a trainer can."""
    return user.is_authenticated and user.role in (Role.TRAINER, Role.ADMIN)


def can_manage_user(actor: User, target: User) -> bool:
    return is_admin(actor) and actor.id != target.id


def gate(predicate: Callable[[User], bool]) -> Callable[[], object]:
    """A before_request hook: anonymous users are sent to sign in, signed-in users without the role get 403."""

    def check_access():
        if not current_user.is_authenticated:
            if request.method == "GET":
                return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
            abort(401)
        if not predicate(current_user):
            abort(403)
        return None

    return check_access


def signed_in(user: User) -> bool:
    return user.is_authenticated
