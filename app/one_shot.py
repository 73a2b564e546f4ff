"""One-shot tokens, for the forms whose answer shows passphrases: creating class accounts, a trainer's or an admin's
"new passphrase". That answer is the only time the passphrases exist in clear, and sending the form again (a reload,
a double click, a second click while the first is still being served) must not create or reset anything twice.

Each such form carries a random token; the view claims it in the database, in the same transaction as the accounts or
the passphrase. The token's primary key settles races: a second claim waits for the first transaction and then
fails, on every app server. A form refused for a typo rolls back, claim included, so it works once corrected. This
guards against repeats, not an attacker (CSRF protection and the permission checks do that): a post without a token,
which our pages never send, is not refused.
"""

import secrets
from datetime import datetime, timedelta

from flask import flash
from sqlalchemy import DateTime, String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db, utcnow

KEPT_FOR = timedelta(days=2)  # longer than any page stays open; then the token is forgotten


class UsedFormToken(db.Model):
    __tablename__ = "used_form_tokens"

    token: Mapped[str] = mapped_column(String(100), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


def one_shot_token() -> str:
    return secrets.token_urlsafe(16)


def claim(session: Session, token: str | None, scope: str = "") -> bool:
    """True if the form may do its work now; False if this token (for this scope, e.g. one learner) was used.
    Commit or roll back with the work it guards."""
    if not token:
        return True
    session.execute(delete(UsedFormToken).where(UsedFormToken.used_at < utcnow() - KEPT_FOR))
    try:
        with session.begin_nested():
            session.add(UsedFormToken(token=f"{token[:64]}:{scope}"))
    except IntegrityError:
        return False
    return True


def claim_or_warn(session: Session, token: str | None, scope: str, already_done: str) -> bool:
    """`claim` for a view: a form already sent rolls back and flashes why nothing happened again."""
    if claim(session, token, scope):
        return True
    session.rollback()
    flash(already_done, "warning")
    return False
