"""Ping a pooled database connection before use only if it sat idle.

SQLAlchemy's pool_pre_ping pings on every checkout: one more round trip to PostgreSQL per request. A connection in
constant use does not need it: if the server goes away, the requests in flight fail, SQLAlchemy sees the disconnect
and replaces the whole pool. The connection that can be stale without anyone noticing is one that sat in the pool
while the server restarted, so only a connection idle for longer than IDLE_BEFORE_PING_SECONDS is pinged; a failed
ping makes the pool open a fresh connection, and the request never sees the stale one.
"""

import time

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

IDLE_BEFORE_PING_SECONDS = 1.0


def ping_connections_that_sat_idle(engine: Engine, idle_seconds: float = IDLE_BEFORE_PING_SECONDS) -> None:
    @event.listens_for(engine, "checkin")
    def note_when_idle_began(dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, proxy):
        idle_since = record.info.get("idle_since")  # None for a connection opened just now
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError("a pooled connection did not answer its ping") from error  # pool retries
