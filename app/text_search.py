"""Case-insensitive "contains" for searches people type, the same on SQLite and PostgreSQL.

SQLite's lower(), LIKE and upper() fold ASCII only, so "новый" never found "Новый Тренер" there. SQLite connections
get a casefold() SQL function (Python's str.casefold, registered in app/__init__.py); on PostgreSQL casefold() is
lower(), which folds every script in a UTF-8 database. Both sides of the comparison go through the same function, so
they are folded alike. The typed text is matched literally: % and _ are escaped, not wildcards.
"""

from sqlalchemy import String, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import GenericFunction

LIKE_ESCAPE = "/"


class casefold(GenericFunction):  # noqa: N801  (named like the SQL function it is)
    type = String()
    inherit_cache = True


@compiles(casefold, "postgresql")
def _lower_on_postgresql(element, compiler, **kw) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


def register_sqlite_functions(dbapi_connection) -> None:
    dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)


def escape_like(text: str) -> str:
    return text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


def contains_text(column, text: str) -> ColumnElement[bool]:
    """`column` contains `text`, ignoring case in any script."""
    return casefold(column).like(casefold(literal(f"%{escape_like(text)}%", String)), escape=LIKE_ESCAPE)
