"""Pooled connections are pinged before use only after sitting idle (app/pool_ping.py).

The pool's clock is a fake one the tests move on: with the real clock, a loaded machine pausing this process for
longer than the idle time between two uses would ping a connection "in constant use"."""

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import QueuePool

from app.pool_ping import ping_connections_that_sat_idle

IDLE = 1.0


class Clock:
    """Stands in for the `time` module inside app/pool_ping.py: monotonic() moves only when a test says so."""

    def __init__(self):
        self.now = time.monotonic()

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("app.pool_ping.time", clock)
    return clock


@pytest.fixture
def engine(tmp_path, monkeypatch, clock):
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


def test_a_connection_in_constant_use_is_not_pinged(engine, clock):
    first = use(engine)
    for _ in range(5):
        clock.sleep(IDLE * 0.9)  # each use comes just before the connection would count as idle
        assert use(engine) is first
    assert engine.pings == []


def test_a_connection_that_sat_idle_is_pinged_before_use(engine, clock):
    first = use(engine)
    clock.sleep(IDLE * 2)
    assert use(engine) is first
    assert engine.pings == [first]
    assert use(engine) is first and len(engine.pings) == 1  # just used: no second ping


def test_a_connection_that_fails_its_ping_is_replaced_before_the_request_sees_it(engine, clock):
    stale = use(engine)
    clock.sleep(IDLE * 2)
    engine.ping_fails = True
    fresh = use(engine)  # no error reaches the caller
    assert engine.pings == [stale]
    assert fresh is not stale
