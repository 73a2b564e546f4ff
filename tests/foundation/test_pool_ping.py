"""Pooled connections are pinged before use only after sitting idle (app/pool_ping.py)."""

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import QueuePool

from app.pool_ping import ping_connections_that_sat_idle

IDLE = 0.05


@pytest.fixture
def engine(tmp_path, monkeypatch):
    engine = create_engine(f"sqlite:///{tmp_path / 'ping.sqlite3'}", poolclass=QueuePool, pool_size=1)
    ping_connections_that_sat_idle(engine, idle_seconds=IDLE)
    engine.pings = []
    real_ping = engine.dialect.do_ping

    def counted_ping(dbapi_connection):
        engine.pings.append(dbapi_connection)
        if getattr(engine, "ping_fails", False):
            engine.ping_fails = False
            raise engine.dialect.loaded_dbapi.OperationalError("server closed the connection")
        return real_ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted_ping)
    yield engine
    engine.dispose()


def use(engine):
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
        return connection.connection.dbapi_connection


def test_a_connection_in_constant_use_is_not_pinged(engine):
    first = use(engine)
    for _ in range(5):
        assert use(engine) is first
    assert engine.pings == []


def test_a_connection_that_sat_idle_is_pinged_before_use(engine):
    first = use(engine)
    time.sleep(IDLE * 2)
    assert use(engine) is first
    assert engine.pings == [first]
    assert use(engine) is first and len(engine.pings) == 1  # just used: no second ping


def test_a_connection_that_fails_its_ping_is_replaced_before_the_request_sees_it(engine):
    stale = use(engine)
    time.sleep(IDLE * 2)
    engine.ping_fails = True
    fresh = use(engine)  # no error reaches the caller
    assert engine.pings == [stale]
    assert fresh is not stale
