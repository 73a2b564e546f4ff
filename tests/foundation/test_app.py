import re
import subprocess
import sys

import pytest
from sqlalchemy import select

from app import create_app
from app.auth.models import User
from app.extensions import db
from config import ProductionConfig, TestingConfig
from tests.conftest import sign_in


def test_the_favicon_browsers_ask_for_leads_to_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.location.endswith("/static/favicon.svg")
    icon = client.get(response.location)
    assert icon.mimetype == "image/svg+xml"
    icon.close()  # a static file's response holds the file open until closed


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_healthz_503_when_the_database_does_not_answer(tmp_path):
    app = create_app(overrides={"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                                "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True,
                                                              "connect_args": {"connect_timeout": 1}}})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "unavailable"
    assert response.headers["Retry-After"]


def test_production_refuses_to_start_without_a_real_secret_key():
    result = subprocess.run(
        [sys.executable, "-c", "from app import create_app; create_app()"],
        env={"ARTICLE26_ENV": "production", "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "SECRET_KEY" in result.stderr


def test_production_starts_with_a_real_secret_key(tmp_path):
    app = create_app(ProductionConfig, {"SECRET_KEY": "k" * 40, "DATABASE_URL": f"sqlite:///{tmp_path}/p.db"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_html_lang_and_direction_come_from_the_locale(client):
    assert b'<html lang="en" dir="ltr">' in client.get("/").data


def test_cli_creates_users(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--role", "trainer", "--username", "Trainer.One",
                                 "--password", "a long pass phrase"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.username == "trainer.one")) == "trainer"
    weak = runner.invoke(args=["users", "create", "--username", "weak", "--password", "short"])
    assert weak.exit_code != 0 and "Use at least 8 characters." in weak.output


def test_demo_command_builds_the_database_and_prints_working_accounts(tmp_path):
    from app.cli import DEMO_ACCOUNTS
    from tests.conftest import sign_in

    app = create_app(TestingConfig, {"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
                                     "COURSES_DIR": str(tmp_path / "no-courses")})
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    second = app.test_cli_runner().invoke(args=["demo"])  # running it again upgrades, never duplicates
    assert second.exit_code == 0, second.output
    client = app.test_client()
    for username, _role, _name, _audience, password in DEMO_ACCOUNTS:
        assert f"username: {username}" in result.output and password in result.output
        sign_in(client, type("U", (), {"username": username}), password)
        client.post("/signout")
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("who, shown, hidden", [
    ("learner", ["My learning", "My classes"], ["Write", "Classes", "Users"]),
    ("trainer", ["My learning", "Write", "Classes"], ["My classes", "Users"]),
    ("admin", ["Write", "Classes", "Users", "Audit log"], ["My classes"]),
])
def test_the_menu_offers_each_role_its_own_places(client, people, who, shown, hidden):
    sign_in(client, getattr(people, who))
    menu = client.get("/courses").text.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'<a href="[^"]+">([^<]+)</a>', menu)
    assert set(shown) <= set(links) and not set(hidden) & set(links), links
