"""SQLite writers take turns through a file lock (app/sqlite_writers.py) rather than SQLite's sleeping busy handler."""

import fcntl
import os
import sqlite3
import threading

import pytest

from app import create_app
from app.extensions import db
from app.sqlite_writers import QueuedWriterConnection, lock_path_for
from config import TestingConfig


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "writers.sqlite3"
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE notes (body TEXT)")
    return str(path)


def connect(path: str, timeout: float = 5.0) -> QueuedWriterConnection:
    return sqlite3.connect(path, timeout=timeout, factory=QueuedWriterConnection, check_same_thread=False)


def writer_lock_is_free(path: str) -> bool:
    fd = os.open(lock_path_for(path), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_a_write_holds_the_turn_until_its_transaction_ends(database, end):
    connection = connect(database)
    connection.execute("SELECT count(*) FROM notes").fetchone()
    assert writer_lock_is_free(database), "a read must not take the writers' turn"
    connection.execute("INSERT INTO notes VALUES ('one')")
    assert not writer_lock_is_free(database)
    getattr(connection, end)()
    assert writer_lock_is_free(database)
    if end != "close":
        connection.close()


def test_a_second_writer_waits_for_its_turn_instead_of_failing(database):
    first, second = connect(database), connect(database, timeout=0)  # no busy timeout at all for the second
    first.execute("INSERT INTO notes VALUES ('first')")
    finished = threading.Event()
    errors = []

    def write_second():
        try:
            second.execute("INSERT INTO notes VALUES ('second')")
            second.commit()
        except sqlite3.Error as error:
            errors.append(error)
        finished.set()

    thread = threading.Thread(target=write_second)
    thread.start()
    assert not finished.wait(0.2), "the second writer should be waiting for the first"
    first.commit()
    assert finished.wait(5) and not errors
    thread.join()
    rows = [body for (body,) in first.execute("SELECT body FROM notes ORDER BY rowid")]
    assert rows == ["first", "second"]
    first.close()
    second.close()


def test_a_thread_never_waits_for_itself(database):
    """Two connections written to from one thread: the second meets SQLite's busy timeout, not an endless wait."""
    outcome = []

    def write_twice():
        first, second = connect(database), connect(database, timeout=0.1)
        first.execute("INSERT INTO notes VALUES ('first')")
        try:
            second.execute("INSERT INTO notes VALUES ('second')")
        except sqlite3.OperationalError as error:
            outcome.append(str(error))
        first.rollback()
        first.close()
        second.close()

    thread = threading.Thread(target=write_twice, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), "the thread waited for a lock it holds itself"
    assert outcome == ["database is locked"]
    assert writer_lock_is_free(database)


def test_in_memory_databases_need_no_lock_file():
    assert lock_path_for(":memory:") is None
    assert lock_path_for("file:shared?mode=memory&cache=shared") is None
    assert lock_path_for("/srv/a26/article26.db") == "/srv/a26/article26.db-writer.lock"
    connection = sqlite3.connect(":memory:", factory=QueuedWriterConnection)
    connection.execute("CREATE TABLE t (x)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    connection.close()


def test_the_app_connects_to_sqlite_files_through_the_writer_queue(tmp_path):
    app = create_app(TestingConfig, {"DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}"})
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            assert isinstance(raw.driver_connection, QueuedWriterConnection)
        finally:
            raw.close()
        db.engine.dispose()


def test_a_turn_ended_from_another_thread_frees_the_thread_that_took_it(database):
    """A pooled connection may be reset (rolled back) by a thread other than the one that wrote through it."""
    taker = connect(database)
    started = threading.Thread(target=lambda: taker.execute("INSERT INTO notes VALUES ('from a thread')"))
    started.start()
    started.join()
    assert not writer_lock_is_free(database)
    taker.rollback()  # from the main thread
    assert writer_lock_is_free(database)
    writer = connect(database, timeout=0)
    writer.execute("INSERT INTO notes VALUES ('main')")  # the main thread holds no turn: it queues normally
    assert not writer_lock_is_free(database)
    writer.commit()
    writer.close()
    taker.close()
