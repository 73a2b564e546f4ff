from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, utcnow


class Role(StrEnum):
    LEARNER = "learner"
    TRAINER = "trainer"
    ADMIN = "admin"


class Audience(StrEnum):
    STUDENT = "student"
    POLICE = "police"
    JUDGE = "judge"
    PROSECUTOR = "prosecutor"
    LAWYER = "lawyer"
    DEFENDER = "defender"
    OTHER = "other"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored case-folded, so the unique constraint makes usernames case-insensitive on every database.
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=Role.LEARNER)
    audience: Mapped[str] = mapped_column(String(16), default=Audience.OTHER)
    language: Mapped[str] = mapped_column(String(16), default="en")
    # An IANA name ("Africa/Nairobi") the person chose for reading and typing times; None: the installation's.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when the account is erased at the owner's request: the row stays so statistics stay true.
    erased: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime)

    sessions: Mapped[list["LoginSession"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The server-side session this request was authenticated with (see LoginSession).
    current_session_token = None

    @property
    def is_active(self) -> bool:
        return self.active and not self.erased

    def get_id(self) -> str | None:
        return self.current_session_token

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_trainer(self) -> bool:
        return self.role in (Role.TRAINER, Role.ADMIN)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class LoginSession(db.Model):
    """A signed-in browser. The cookie holds only this random token: deleting the row signs the browser out
    everywhere at once (sign-out, deactivation, password change), and every app server sees it."""

    __tablename__ = "login_sessions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)

    user: Mapped[User] = relationship(back_populates="sessions")
