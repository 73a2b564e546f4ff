"""Throwaway databases of the kind the suite runs on: a new SQLite file, or a new database on the PostgreSQL server
that TEST_DATABASE_URL points at (created and dropped like tests/foundation/test_migrations.py does)."""

import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def on_postgresql() -> bool:
    return (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql")


class ThrowawayDatabases:
    """new() hands out the URL of a new, empty database; close() drops every one handed out."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.server_url = os.environ.get("TEST_DATABASE_URL") if on_postgresql() else None
        self.names: list[str] = []

    def new(self) -> str:
        name = f"a26_throwaway_{uuid.uuid4().hex[:12]}"
        if self.server_url is None:
            return f"sqlite:///{self.folder / (name + '.db')}"
        self._admin(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def close(self) -> None:
        """Dropped together: each DROP waits for a checkpoint, and concurrent ones share it."""
        if self.names:
            with ThreadPoolExecutor(max_workers=len(self.names)) as pool:
                list(pool.map(lambda name: self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'),
                              self.names))

    def _admin(self, statement: str) -> None:
        engine = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(statement))
        finally:
            engine.dispose()


@contextmanager
def throwaway_databases(folder: Path) -> Iterator[ThrowawayDatabases]:
    databases = ThrowawayDatabases(folder)
    try:
        yield databases
    finally:
        databases.close()
