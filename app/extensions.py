"""Extensions, created unbound and bound to the app in create_app()."""

from datetime import UTC, datetime
from functools import cached_property

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Naive UTC: SQLite drops time zones, so every timestamp is stored as naive UTC on both databases."""
    return datetime.now(UTC).replace(tzinfo=None)


class MigrationSettings:
    """What Flask-Migrate's functions and migrations/env.py read from `app.extensions["migrate"]`. Flask-Migrate
    itself is imported the first time a migration runs: it brings Alembic and Mako, about 11 MB in every process,
    and a worker serving requests never migrates."""

    def __init__(self, database: SQLAlchemy, directory: str, **configure_args):
        self.db = database
        self.directory = directory
        self.configure_args = configure_args

    @cached_property
    def migrate(self):
        from flask_migrate import Migrate

        return Migrate(db=self.db, directory=self.directory, **self.configure_args)

    @property
    def metadata(self) -> MetaData:
        return self.db.metadata


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, headers_enabled=True)


@limiter.request_filter
def only_posts_are_rate_limited() -> bool:
    """Every limit we set is on a POST (sign-in, join codes): skip the limiter's work on all other requests."""
    return request.method != "POST"


def client_ip() -> str:
    return request.remote_addr or "unknown"
