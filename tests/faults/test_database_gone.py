"""Database gone: a private PostgreSQL is stopped under a running app and started again.

While it is down every request gets a 503 with Retry-After (a page in the site layout, or JSON for JSON clients) and
/healthz says 503; when it is back the same app answers again, without a restart. A restart while the app is idle
costs no request at all: connections that sat idle are pinged before use (app/pool_ping.py).
"""

import time

import pytest
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.pool_ping import IDLE_BEFORE_PING_SECONDS
from config import TestingConfig
from tests.conftest import sign_in
from tests.factories import Factory
from tests.faults.postgres_server import PostgresServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server():
    server = PostgresServer()
    try:
        server.create()
        yield server
    finally:
        server.destroy()


@pytest.fixture
def app_on_server(server, tmp_path):
    app = create_app(TestingConfig, {"DATABASE_URL": server.url, "COURSES_DIR": str(tmp_path / "courses")})
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def assert_unavailable_page(response):
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    html = response.get_data(as_text=True)
    assert 'class="site-header"' in html and "Temporarily unavailable" in html
    assert "OperationalError" not in html and "Traceback" not in html


def test_requests_get_503_while_the_database_is_down_and_the_app_recovers_when_it_returns(app_on_server, server):
    make = Factory(app_on_server)
    learner = make.user(username="fault-learner")
    make.course(modules=2)
    signed_in, anonymous = app_on_server.test_client(), app_on_server.test_client()
    sign_in(signed_in, learner)
    assert signed_in.get("/courses/test-course").status_code == 200
    assert anonymous.get("/healthz").status_code == 200

    server.stop()
    try:
        # The signed-in request fails first in Flask-Login's user loader, before any view runs.
        assert_unavailable_page(signed_in.get("/courses/test-course"))
        assert_unavailable_page(anonymous.get("/courses"))
        assert_unavailable_page(anonymous.post("/signin", data={"username": "fault-learner", "password": "x"}))
        as_json = signed_in.get("/courses/test-course", headers={"Accept": "application/json"})
        assert as_json.status_code == 503 and as_json.headers["Retry-After"]
        assert as_json.get_json()["status"] == 503
        health = anonymous.get("/healthz")
        assert health.status_code == 503 and health.get_json() == {"status": "unavailable"}
        assert signed_in.get("/healthz").status_code == 503
        assert signed_in.get("/no-such-page").status_code == 503
    finally:
        server.start()

    assert anonymous.get("/healthz").status_code == 200
    page = signed_in.get("/courses/test-course")
    assert page.status_code == 200, "the app did not recover without a restart"
    assert "Module 1" in page.get_data(as_text=True)
    assert signed_in.get("/learning").status_code == 200


def test_a_restart_while_the_app_is_idle_costs_no_request(app_on_server, server):
    make = Factory(app_on_server)
    learner = make.user(username="idle-learner")
    make.course(modules=2)
    client = app_on_server.test_client()
    sign_in(client, learner)
    assert client.get("/courses/test-course").status_code == 200  # the pool now holds a connection to the old server

    server.stop()
    server.start()
    time.sleep(IDLE_BEFORE_PING_SECONDS)

    page = client.get("/courses/test-course")
    assert page.status_code == 200, "the first request after an idle restart met the stale connection"
    assert "Module 1" in page.get_data(as_text=True)
