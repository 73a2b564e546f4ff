"""Account writes. Functions flush, never commit: the caller owns the transaction."""

import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from app.auth.models import Audience, LoginSession, Role, User
from app.auth.passwords import hash_password, password_problem, spend_time_like_a_check, verify_password
from app.errors import Conflict, InvalidInput
from app.extensions import utcnow

USERNAME_ALPHABET = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
MIN_USERNAME_LENGTH = 3
MAX_USERNAME_LENGTH = 64  # users.username is String(64)


def normalise_username(username: str) -> str:
    return username.strip().casefold()


def username_problem(username: str) -> str | None:
    name = normalise_username(username)
    if not MIN_USERNAME_LENGTH <= len(name) <= MAX_USERNAME_LENGTH:
        return _("Use 3 to 64 characters.")
    if not set(name) <= USERNAME_ALPHABET:
        return _("Use only letters a–z, digits, dots, hyphens and underscores.")
    return None


def find_user_by_username(session: Session, username: str) -> User | None:
    if username_problem(username):
        return None  # cannot exist, so no query (and no NUL byte ever reaches PostgreSQL)
    return session.scalar(select(User).where(User.username == normalise_username(username)))


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str | None = None,
    role: str = Role.LEARNER,
    email: str | None = None,
    audience: str = Audience.OTHER,
    language: str = "en",
) -> User:
    name = normalise_username(username)
    for problem in (username_problem(name), password_problem(password, name)):
        if problem:
            raise InvalidInput(problem)
    if role not in set(Role):
        raise InvalidInput(_("Unknown role."))
    if find_user_by_username(session, name) is not None:
        raise Conflict(_("This username is taken."))
    user = User(
        username=name,
        display_name=(display_name or "").strip() or name,
        email=(email or "").strip() or None,
        password_hash=hash_password(password),
        role=role,
        audience=audience,
        language=language,
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user for these credentials, or None. Unknown users and wrong passwords cost the same time."""
    user = find_user_by_username(session, username)
    if user is None or not user.is_active:
        spend_time_like_a_check(password)
        return None
    return user if verify_password(user.password_hash, password) else None


def start_login_session(session: Session, user: User, lifetime: timedelta) -> str:
    now = utcnow()
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token=token, user_id=user.id, created_at=now, expires_at=now + lifetime))
    user.last_sign_in_at = now
    user.current_session_token = token
    session.flush()
    return token


# Built once: every signed-in request runs it.
_USER_FOR_TOKEN = (
    select(User, LoginSession.expires_at)
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(LoginSession.token == bindparam("token"))
)


def user_for_login_session(session: Session, token: str, now: datetime | None = None) -> User | None:
    row = session.execute(_USER_FOR_TOKEN, {"token": token}).first()
    if row is None:
        return None
    user, expires_at = row
    if expires_at <= (now or utcnow()) or not user.is_active:
        return None
    user.current_session_token = token
    return user


def end_login_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(LoginSession).where(LoginSession.token == token))


def end_all_login_sessions(session: Session, user: User, keep_token: str | None = None) -> None:
    statement = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep_token:
        statement = statement.where(LoginSession.token != keep_token)
    session.execute(statement)


class WrongPassword(InvalidInput):
    """The password a signed-in person typed to confirm an action was wrong (it counts against a rate limit)."""


def change_password(session: Session, user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise WrongPassword(_("The current password is wrong."))
    set_password(session, user, new_password)
    # Other browsers signed in with the old password are signed out; this one stays.
    end_all_login_sessions(session, user, keep_token=user.current_session_token)


def set_password(session: Session, user: User, new_password: str) -> None:
    problem = password_problem(new_password, user.username)
    if problem:
        raise InvalidInput(problem)
    user.password_hash = hash_password(new_password)
    session.flush()


def update_profile(user: User, *, display_name: str, audience: str, language: str, email: str | None,
                   time_zone: str | None = None) -> None:
    user.display_name = display_name.strip() or user.username
    user.audience = audience
    user.language = language
    user.email = (email or "").strip() or None
    user.time_zone = time_zone or None


def set_language(user: User, language: str) -> None:
    user.language = language


def set_user_active(session: Session, user: User, active: bool) -> None:
    user.active = active
    if not active:
        end_all_login_sessions(session, user)
    session.flush()


def purge_expired_login_sessions(session: Session) -> int:
    result = session.execute(delete(LoginSession).where(LoginSession.expires_at <= utcnow()))
    return result.rowcount or 0
