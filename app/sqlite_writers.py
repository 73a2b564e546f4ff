"""SQLite connections whose writers take turns through an OS file lock instead of SQLite's busy handler.

SQLite lets one writer at a time. The others wait in its busy handler, which sleeps 1, 2, 5, 10 ... 100 ms between
tries, so under many simultaneous quiz submissions those sleeps, not the work, set the latency. Here a connection
takes an exclusive `flock` on `<database>-writer.lock` just before its first writing statement and lets it go when
its transaction ends: waiting writers sleep in the kernel and wake the moment the lock is free, across every worker
process and thread on the machine (SQLite's file lives on one machine anyway). Writers that do not use these
connections (the sqlite3 shell, a backup) still meet SQLite's busy timeout as before.
"""

import fcntl
import os
import sqlite3
import threading

READ_ONLY_STATEMENTS = ("SELECT", "PRAGMA", "EXPLAIN")
_threads_holding_a_turn: set[int] = set()  # thread idents; a connection may end its turn from another thread


def lock_path_for(database: str) -> str | None:
    """The lock file beside a database file; None for an in-memory database, which has no other writers."""
    path = database.removeprefix("file:").split("?", 1)[0] if database.startswith("file:") else database
    if not path or path == ":memory:" or "mode=memory" in database:
        return None
    return f"{path}-writer.lock"


def _writes(statement: str) -> bool:
    return not statement.lstrip()[:7].upper().startswith(READ_ONLY_STATEMENTS)


class QueuedWriterConnection(sqlite3.Connection):
    """Pass as `factory` to sqlite3.connect (SQLAlchemy: connect_args={"factory": QueuedWriterConnection})."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        lock_path = lock_path_for(os.fsdecode(database))
        self._lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600) if lock_path else None
        self._turn_taken_by: int | None = None  # the thread that took this connection's turn

    def take_writer_turn(self) -> None:
        thread = threading.get_ident()
        # A thread never waits for itself: if it already writes through another connection, this one falls back
        # to SQLite's busy timeout (an error after a while) rather than a wait that could never end.
        if self._turn_taken_by is not None or self._lock_fd is None or thread in _threads_holding_a_turn:
            return
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._turn_taken_by = thread
        _threads_holding_a_turn.add(thread)

    def end_writer_turn(self) -> None:
        if self._turn_taken_by is not None:
            _threads_holding_a_turn.discard(self._turn_taken_by)
            self._turn_taken_by = None
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def cursor(self, factory=None):
        return super().cursor(factory or QueuedWriterCursor)

    def execute(self, sql, parameters=(), /):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, parameters, /):
        return self.cursor().executemany(sql, parameters)

    def executescript(self, script, /):
        return self.cursor().executescript(script)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.end_writer_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.end_writer_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.end_writer_turn()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None


class QueuedWriterCursor(sqlite3.Cursor):
    def _before(self, sql: str) -> None:
        if not self.connection.in_transaction and _writes(sql):
            self.connection.take_writer_turn()

    def execute(self, sql, parameters=(), /):
        self._before(sql)
        return super().execute(sql, parameters)

    def executemany(self, sql, parameters, /):
        self._before(sql)
        return super().executemany(sql, parameters)

    def executescript(self, script, /):
        self._before(script)
        return super().executescript(script)
