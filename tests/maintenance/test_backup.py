"""`flask backup` / `flask restore` on the suite's database kind (SQLite file, or throwaway PostgreSQL databases)."""

import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from app.auth.models import User
from app.extensions import db
from app.maintenance.backup import MANIFEST_NAME, PAYLOAD_NAMES, table_count
from app.quizzes.models import QuizAttempt
from config import TestingConfig
from tests.conftest import sign_in
from tests.databases import throwaway_databases
from tests.factories import Factory

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    with throwaway_databases(tmp_path_factory.mktemp("databases")) as databases:
        yield databases


@pytest.fixture(scope="module")
def app_on(databases):
    """app_on(): an app on a new, empty database; every pool is closed before the databases are dropped."""
    apps = []

    def _app_on():
        apps.append(create_app(TestingConfig, {"DATABASE_URL": databases.new()}))
        return apps[-1]

    yield _app_on
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def counts_of(app) -> dict[str, int]:
    with app.app_context():
        return {name: db.session.scalar(select(func.count()).select_from(table))
                for name, table in db.metadata.tables.items()}


def tables_in(app) -> int:
    with app.app_context():
        return table_count(db.engine)


@pytest.fixture(scope="module")
def source(app_on):
    """A migrated database with accounts, a synced course and a submitted quiz attempt."""
    app = app_on()
    with app.app_context():
        upgrade()
    make = Factory(app)
    learner = make.user(username="restored-learner", password="a long restore password")
    make.user(role="trainer", username="restored-trainer")
    course = make.course(modules=2)
    quiz_module = next(module for module in course.modules if module.quiz)
    make.submitted_attempt(learner, quiz_module, {"m2-single": "b", "m2-truefalse": "false"})
    return app


@pytest.fixture(scope="module")
def backup_file(source, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("backups") / "site.backup"
    result = run(source, "backup", str(path))
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def empty_target(app_on):
    """One empty database for every refusal: each test checks it is still empty afterwards."""
    return app_on()


def refused(result, *words: str) -> str:
    message = result.output.strip()
    assert result.exit_code == 1, message
    assert len(message.splitlines()) == 1, f"not one line: {message!r}"
    for word in words:
        assert word in message
    return message


def test_a_backup_restored_into_a_fresh_database_has_the_same_rows_and_lets_a_user_sign_in(
        source, backup_file, app_on):
    target = app_on()
    result = run(target, "restore", str(backup_file))
    assert result.exit_code == 0, result.output
    assert "counts verified" in result.output

    expected = counts_of(source)
    assert expected["users"] == 2 and expected["modules"] == 2 and expected["quiz_attempts"] == 1
    assert counts_of(target) == expected
    with target.app_context():
        assert db.session.scalar(select(QuizAttempt.score)) is not None
        assert db.session.scalar(select(User.username).where(User.role == "trainer")) == "restored-trainer"

    client = target.test_client()
    sign_in(client, User(username="restored-learner"), password="a long restore password")
    assert client.get("/learning").status_code == 200


def test_the_manifest_names_the_app_revision_dialect_row_counts_and_checksum(source, backup_file):
    with tarfile.open(backup_file) as archive:
        manifest = json.loads(archive.extractfile(MANIFEST_NAME).read())
    with source.app_context():
        assert manifest["dialect"] == db.engine.dialect.name
    assert manifest["app"] == "article26" and manifest["format_version"] == 1
    assert manifest["alembic_revision"]
    assert manifest["row_counts"]["users"] == 2 and manifest["row_counts"]["alembic_version"] == 1
    assert len(manifest["sha256"]) == 64


def test_a_backup_into_a_folder_gets_a_dated_name_and_never_overwrites_a_file(source, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    result = run(source, "backup", str(folder))
    assert result.exit_code == 0, result.output
    [written] = folder.iterdir()
    assert written.name.startswith("article26-") and written.name.endswith(".backup")

    before = written.read_bytes()
    refused(run(source, "backup", str(written)), "already exists")
    assert written.read_bytes() == before


def rewritten(backup: Path, destination: Path, *, manifest_changes: dict | None = None,
              payload_change=None) -> Path:
    """A copy of a real backup with its manifest and/or database bytes changed (the checksum is NOT updated)."""
    with tarfile.open(backup) as archive:
        manifest = json.loads(archive.extractfile(MANIFEST_NAME).read())
        payload = archive.extractfile(manifest["payload"]).read()
    manifest.update(manifest_changes or {})
    if payload_change:
        payload = payload_change(payload)
    with tarfile.open(destination, "w") as archive:
        for name, data in ((MANIFEST_NAME, json.dumps(manifest).encode()), (manifest["payload"], payload)):
            member = tarfile.TarInfo(name)
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return destination


def flip_a_byte(payload: bytes) -> bytes:
    middle = len(payload) // 2
    return payload[:middle] + bytes([payload[middle] ^ 0xFF]) + payload[middle + 1:]


def test_a_corrupt_backup_is_refused_and_the_target_stays_empty(backup_file, empty_target, tmp_path):
    corrupt = rewritten(backup_file, tmp_path / "corrupt.backup", payload_change=flip_a_byte)
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(backup_file.read_bytes()[: backup_file.stat().st_size * 2 // 3])

    refused(run(empty_target, "restore", str(corrupt)), "damaged", "checksum", "nothing was restored")
    refused(run(empty_target, "restore", str(truncated)), "damaged")
    assert tables_in(empty_target) == 0


def random_sqlite_database(path: Path) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
        connection.execute("INSERT INTO recipes VALUES ('bread')")
    connection.close()
    return path


def archive_of(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            member = tarfile.TarInfo(name)
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return path


FOREIGN_FILES = {
    "a text file": lambda folder, _backup: folder.joinpath("notes.txt").write_text("not a backup\n") and
    folder / "notes.txt",
    "a random SQLite database": lambda folder, _backup: random_sqlite_database(folder / "recipes.db"),
    "an archive without a manifest": lambda folder, _backup: archive_of(folder / "photos.tar.gz",
                                                                        {"photo.jpg": b"\xff\xd8\xff"}),
    "another application's backup": lambda folder, backup: rewritten(backup, folder / "other.backup",
                                                                     manifest_changes={"app": "wordpress"}),
}


@pytest.mark.parametrize("kind", FOREIGN_FILES)
def test_a_foreign_file_is_refused_as_not_a_backup_and_the_target_stays_empty(kind, backup_file, empty_target,
                                                                              tmp_path):
    foreign = FOREIGN_FILES[kind](tmp_path, backup_file)
    refused(run(empty_target, "restore", str(foreign)), "not an Article 26 backup")
    assert tables_in(empty_target) == 0


def claiming_the_other_kind(backup: Path, folder: Path) -> Path:
    """A well-formed backup (its checksum right) whose manifest claims the other database kind."""
    with tarfile.open(backup) as archive:
        manifest = json.loads(archive.extractfile(MANIFEST_NAME).read())
        payload = archive.extractfile(manifest["payload"]).read()
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[manifest["dialect"]]
    manifest.update(dialect=other, payload=PAYLOAD_NAMES[other])
    return archive_of(folder / "other-kind.backup", {MANIFEST_NAME: json.dumps(manifest).encode(),
                                                     PAYLOAD_NAMES[other]: payload})


def test_a_backup_from_a_newer_app_or_the_other_database_kind_is_refused(backup_file, empty_target, tmp_path):
    newer_format = rewritten(backup_file, tmp_path / "newer.backup", manifest_changes={"format_version": 99})
    newer_schema = rewritten(backup_file, tmp_path / "schema.backup", manifest_changes={"alembic_revision": "ffff0000"})

    refused(run(empty_target, "restore", str(newer_format)), "newer version", "upgrade the app")
    refused(run(empty_target, "restore", str(newer_schema)), "newer version", "ffff0000")
    refused(run(empty_target, "restore", str(claiming_the_other_kind(backup_file, tmp_path))), "backup; restore it into a")
    assert tables_in(empty_target) == 0


def test_restore_into_a_database_with_tables_is_refused_and_changes_nothing(source, backup_file):
    before = counts_of(source)
    refused(run(source, "restore", str(backup_file)), "not empty", "empty database")
    assert counts_of(source) == before
