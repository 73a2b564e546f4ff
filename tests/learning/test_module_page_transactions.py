"""The module page runs its statements in autocommit on PostgreSQL (no BEGIN/ROLLBACK round trips), and only there:
SQLite keeps its transaction, and the next request on the same pooled connection gets a transaction again."""

from contextlib import contextmanager

from sqlalchemy import event, select

from app.extensions import db
from app.learning.models import Enrolment, ModuleProgress
from tests.conftest import sign_in


@contextmanager
def autocommit_modes(app):
    """Whether each statement sent to the database ran in the driver's autocommit mode."""
    with app.app_context():
        engine = db.engine
    modes: list[bool] = []

    def record(connection, cursor, statement, parameters, context, executemany):
        driver_connection = connection.connection.dbapi_connection
        if engine.dialect.name == "postgresql":
            modes.append(driver_connection.autocommit)
        else:
            modes.append(driver_connection.isolation_level is None)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield modes, engine.dialect.name == "postgresql"
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_module_page_reads_and_records_the_visit_in_autocommit_on_postgresql_only(app, client, people,
                                                                                     course_builder):
    course_builder(modules=2)
    sign_in(client, people.learner)
    with autocommit_modes(app) as (modes, postgres):
        assert client.get("/courses/torture-prevention/m/m1").status_code == 200  # first visit: writes
    assert len(modes) >= 4 and all(mode is postgres for mode in modes)
    with app.app_context():  # both single-statement writes stood on their own
        assert db.session.scalar(select(ModuleProgress.module_id)) is not None
        assert db.session.scalar(select(Enrolment.source)) == "self"

    with autocommit_modes(app) as (modes, postgres):
        assert client.post("/courses/torture-prevention/m/m1/complete").status_code == 302
        assert client.get("/courses/torture-prevention").status_code == 200
    assert modes and not any(modes)  # the pooled connection went back to transactions
