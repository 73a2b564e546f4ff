"""Account management by an admin: creating accounts, deactivating and reactivating them.

Functions take the acting admin and explicit objects, flush and never commit: the view owns the transaction. Every
action is written to the audit log in that same transaction (never a password or a passphrase), like the trainers'
actions in app/classrooms/services.py.
"""

from sqlalchemy.orm import Session

from app.auth import services as auth_services
from app.auth.models import User
from app.classrooms.services import record_audit


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
