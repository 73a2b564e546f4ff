"""Shared fixtures: a fresh app per test on a schema created once; tables emptied after each test.

TEST_DATABASE_URL selects the database (PostgreSQL in CI's second leg); the default is a SQLite file.
No app context stays pushed during a test, so every test-client request gets its own, as in production.
"""

import os
import re
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import event, text

from app import create_app
from app.extensions import db
from config import TestingConfig
from tests.factories import DEFAULT_PASSWORD, Factory

# One definition of the browser fixtures for the whole suite: a second session-scoped Chromium would start a second
# Playwright inside the first one's event loop.
pytest_plugins = ["tests.browser.fixtures"]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app(TestingConfig, {"DATABASE_URL": database_url})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def empty_all_tables() -> None:
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
        if any(row[0] == "sqlite_sequence" for row in db.session.execute(
                text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'"))):
            db.session.execute(text("DELETE FROM sqlite_sequence"))
    db.session.commit()


@pytest.fixture
def app_overrides() -> dict:
    """Override in a test module to change settings, e.g. to switch CSRF or rate limits on."""
    return {}


@pytest.fixture
def app(_schema, database_url, app_overrides, tmp_path):
    settings = {"DATABASE_URL": database_url, "COURSES_DIR": str(tmp_path / "courses")}
    settings.update(app_overrides)
    app = create_app(TestingConfig, settings)
    yield app
    with app.app_context():
        db.session.rollback()
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(app) -> Factory:
    return Factory(app)


@pytest.fixture
def people(make) -> SimpleNamespace:
    """The cast for permission tests. `anonymous` is None."""
    return SimpleNamespace(
        anonymous=None,
        learner=make.user(role="learner", username="lena"),
        other_learner=make.user(role="learner", username="omar"),
        trainer=make.user(role="trainer", username="tomas"),
        other_trainer=make.user(role="trainer", username="tanvi"),
        admin=make.user(role="admin", username="ada"),
    )


def sign_in(client, user, password: str = DEFAULT_PASSWORD):
    response = client.post("/signin", data={"username": user.username, "password": password})
    assert response.status_code == 302, f"sign-in failed for {user.username}"
    return response


@pytest.fixture
def login():
    """login(client, user) signs the client in through the real form; login(client, None) does nothing."""

    def _login(client, user):
        if user is not None:
            sign_in(client, user)
        return client

    return _login


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


ROOT_DIR = Path(__file__).resolve().parent.parent
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*"')


def translated(language: str, message: str) -> str:
    """The interface's message as its catalogue for `language` has it (compiled, as the app reads it)."""
    from babel.support import Translations

    return Translations.load(str(ROOT_DIR / "app" / "translations"), [language]).gettext(message)


def main_of(html: str) -> str:
    """The page's <main> element: what the page itself says, without the menu (whose sign-out form carries a CSRF
    token that changes every second, so two whole pages fetched a moment apart may differ)."""
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def without_csrf_tokens(html: str) -> str:
    """The page with its CSRF tokens' values left out, for checks that a short text is absent: a token (random bytes,
    a timestamp and a signature in base64, on every signed-in page's sign-out form) may hold "omar" or "None" by
    chance."""
    return CSRF_VALUE.sub(r'\1"', html)


@contextmanager
def counting_queries(app):
    """Counts the SQL statements run while the block runs (every connection of the app's engine)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
