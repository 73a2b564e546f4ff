"""The migrations build the schema the models describe, and unwind completely — on SQLite and PostgreSQL."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from config import TestingConfig


@pytest.fixture
def empty_database_url(tmp_path):
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url or not server_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"a26_migrations_{uuid.uuid4().hex[:10]}"
    admin_engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    with admin_engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


def test_upgrade_to_head_matches_the_models_and_downgrade_to_base_empties(empty_database_url):
    app = create_app(TestingConfig, {"DATABASE_URL": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations disagree: {differences}"

        downgrade(revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def test_courses_synced_before_the_backfill_get_the_hash_of_the_text_sync_read(empty_database_url):
    """A course created by sync once recorded no course.md hash, so export and sync took the folder's unchanged
    course.md for an edit made there (8b1d3f0c2a77)."""
    import hashlib

    app = create_app(TestingConfig, {"DATABASE_URL": empty_database_url})
    with app.app_context():
        upgrade(revision="6de74e04a154")
        insert = text("INSERT INTO courses (slug, title, summary, audiences, language, estimated_minutes, status, "
                      "objectives, standards, completion, source, intro_html, version, synced_hash, "
                      "synced_source_hash, edited_in_browser, created_at, updated_at) VALUES (:slug, 'T', 'S', '[]', "
                      "'en', 10, 'draft', '[]', '[]', '{}', :source, '', 1, :synced, NULL, :edited, :now, :now)")
        with db.engine.begin() as connection:
            for slug, synced, edited in (("synced", "abc", False), ("edited", "abc", True), ("never", None, False)):
                connection.execute(insert, {"slug": slug, "source": f"source of {slug}", "synced": synced,
                                            "edited": edited, "now": "2026-11-25 10:00:00"})
        upgrade()
        with db.engine.connect() as connection:
            hashes = dict(connection.execute(text("SELECT slug, synced_source_hash FROM courses")).all())
        assert hashes == {"synced": hashlib.sha256(b"source of synced").hexdigest(), "edited": None, "never": None}
        downgrade(revision="base")
        db.engine.dispose()


def test_flask_db_commands_migrate_the_database(empty_database_url):
    app = create_app(TestingConfig, {"DATABASE_URL": empty_database_url})
    runner = app.test_cli_runner()
    assert "db" in app.cli.list_commands(None)
    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    with app.app_context():
        head = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config()).get_current_head()
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == head
    assert runner.invoke(args=["db", "current"]).exit_code == 0
    with app.app_context():
        db.engine.dispose()  # before the fixture drops the database: no connection left for the GC to warn about


def test_a_serving_process_never_imports_alembic():
    """Flask-Migrate, Alembic and Mako weigh about 11 MB per worker: they load when a migration runs, not before."""
    script = ("import sys\nfrom app import create_app\nfrom config import TestingConfig\n"
              "app = create_app(TestingConfig, {'DATABASE_URL': 'sqlite://'})\n"
              "app.test_client().get('/healthz')\n"
              "print(sorted(name for name in sys.modules if name.split('.')[0] in ('alembic', 'mako', 'flask_migrate')))")
    imported = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              cwd=Path(__file__).resolve().parents[2]).stdout
    assert imported.strip().splitlines()[-1] == "[]"
