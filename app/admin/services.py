"""Account management by an admin: creating accounts, deactivating and reactivating them, changing their role and
giving them a new passphrase.

Functions take the acting admin and explicit objects, flush and never commit: the view owns the transaction. Every
action is written to the audit log in that same transaction (never a password or a passphrase), like the trainers'
actions in app/classrooms/services.py.
"""

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.auth import services as auth_services
from app.auth.models import Role, User
from app.classrooms.services import record_audit, reset_member_password
from app.errors import Forbidden, InvalidInput, NotFound


def create_account(session: Session, actor: User, *, username: str, password: str, display_name: str,
                   email: str | None, role: str, audience: str) -> User:
    user = auth_services.create_user(session, username=username, password=password, display_name=display_name,
                                     email=email, role=role, audience=audience)
    record_audit(session, actor, "account_created", target=user, username=user.username, role=user.role)
    return user


def set_account_active(session: Session, actor: User, user: User, active: bool) -> None:
    """Deactivating signs the user out everywhere at once. Asking for the state the account is already in changes
    and records nothing."""
    if user.active == active:
        return
    auth_services.set_user_active(session, user, active)
    record_audit(session, actor, "account_reactivated" if active else "account_deactivated", target=user,
                 username=user.username)


def change_role(session: Session, actor: User, user: User, role: str) -> bool:
    """True when the role changed. An admin cannot change their own role, so the site cannot lose its last admin by
    accident: whoever demotes an admin is an admin who stays one."""
    _refuse_erased(user)
    if role not in set(Role):
        raise InvalidInput(_("Unknown role."))
    if user.id == actor.id:
        raise Forbidden(_("You cannot change your own role."))
    if user.role == role:
        return False
    before, user.role = user.role, role
    session.flush()
    record_audit(session, actor, "role_changed", target=user, username=user.username, role_before=before, role=role)
    return True


def reset_password(session: Session, actor: User, user: User) -> str:
    """A new passphrase (the generator of accounts made in class), returned once to show the admin; the account is
    signed out everywhere. For anyone who cannot reset their own: a self-registered learner has no trainer who can."""
    _refuse_erased(user)
    return reset_member_password(session, actor, None, user)


def _refuse_erased(user: User) -> None:
    # An erased account is a tombstone kept for statistics: nobody's, and never to be signed in to again.
    if user.erased:
        raise NotFound(_("There is no such account."))
