"""Transaction shapes that the hottest pages need."""

from functools import wraps

from app.extensions import db


def statements_commit_one_by_one(view):
    """Run a read-mostly view with each statement committing on its own (autocommit) on PostgreSQL.

    This saves the BEGIN and ROLLBACK round trips around the page's reads. Under READ COMMITTED every statement
    sees a fresh snapshot even inside a transaction, so the reads see what they would see anyway. Use it only on views
    whose writes are single statements that stand on their own (each one idempotent). SQLite keeps its transactions:
    they cost no round trip, and its writers queue on commit (app/sqlite_writers.py).
    """

    @wraps(view)
    def run(*args, **kwargs):
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return view(*args, **kwargs)

    return run
