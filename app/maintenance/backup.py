"""Whole-database backups: one archive file holding a manifest and the database, and restore into an empty database.

The archive is a tar file with two members: `manifest.json` (format version, app name, dialect, Alembic revision,
row counts per table, SHA-256 of the database member) and the database itself — a SQLite file made with SQLite's
online-backup API, or a `pg_dump --format=custom` file for PostgreSQL. A restore reads and checks the manifest and the
checksum before it touches the target, writes only into a database without tables, then compares row counts.
"""

import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3

# pg_dump and pg_restore run by absolute path with argument lists, never through a shell.
import subprocess  # nosec B404
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Engine

FORMAT_VERSION = 1
APP_NAME = "article26"
MANIFEST_NAME = "manifest.json"
PAYLOAD_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
DIALECT_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A refusal or failure, worded as one line for the person running the command."""


@dataclass(frozen=True)
class Manifest:
    format_version: int
    app: str
    created_at: str
    dialect: str
    server_version: str
    alembic_revision: str | None
    row_counts: dict[str, int]
    payload: str
    sha256: str

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes, source: Path) -> "Manifest":
        not_ours = BackupError(f"{source} is not an Article 26 backup (its manifest is not ours)")
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise not_ours from None
        if not isinstance(data, dict) or data.get("app") != APP_NAME:
            raise not_ours
        version = data.get("format_version")
        if not isinstance(version, int):
            raise not_ours
        if version > FORMAT_VERSION:
            raise BackupError(f"{source} was made by a newer version of Article 26 (backup format {version}); "
                              f"upgrade the app before restoring it")
        try:
            manifest = cls(**{name: data[name] for name in cls.__dataclass_fields__})
        except KeyError:
            raise not_ours from None
        if manifest.dialect not in PAYLOAD_NAMES or manifest.payload != PAYLOAD_NAMES[manifest.dialect] \
                or not isinstance(manifest.row_counts, dict):
            raise not_ours
        return manifest


# --- Reading a live database ----------------------------------------------------------------------------------------

def _quoted(engine: Engine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote(name)


def row_counts(engine: Engine, connection) -> dict[str, int]:
    names = sorted(inspect(connection).get_table_names())
    # Table names come from the database's own catalog, quoted by the dialect.
    return {name: connection.scalar(text(f"SELECT COUNT(*) FROM {_quoted(engine, name)}"))  # nosec B608
            for name in names}


def alembic_revision(connection) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    return connection.scalar(text("SELECT version_num FROM alembic_version"))


def table_count(engine: Engine) -> int:
    """Tables in the database (any schema a user can create tables in)."""
    if engine.dialect.name == "sqlite":
        path = sqlite_path(engine.url)
        if not path.exists() or path.stat().st_size == 0:
            return 0
        with closing_sqlite(path) as connection:
            return connection.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    with engine.connect() as connection:
        return connection.scalar(text(
            "SELECT COUNT(*) FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"))


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("backup and restore need a SQLite database file, not an in-memory database")
    return Path(url.database)


@contextmanager
def closing_sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path)
    try:
        yield connection
    finally:
        connection.close()


def sqlite_counts(path: Path) -> tuple[dict[str, int], str | None]:
    with closing_sqlite(path) as connection:
        names = sorted(row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
        quoted = {name: '"' + name.replace('"', '""') + '"' for name in names}  # names from sqlite_master
        counts = {name: connection.execute(f"SELECT COUNT(*) FROM {quoted[name]}").fetchone()[0]  # nosec B608
                  for name in names}
        revision = None
        if "alembic_version" in counts:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    return counts, revision


# --- PostgreSQL client tools ----------------------------------------------------------------------------------------

def libpq_arguments(url: URL) -> tuple[str, dict[str, str]]:
    """A conninfo URI without the password (so it never shows in `ps`) and an environment that carries it."""
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    environment = {**os.environ}
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return conninfo, environment


def _tool_major(path: str) -> int | None:
    try:
        # An argument list starting with the tool's absolute path: no shell, nothing interpolated.
        output = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10,  # nosec B603
                                check=False).stdout
    except OSError:
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", output)
    return int(match.group(1)) if match else None


def find_pg_tool(name: str, server_major: int) -> str:
    """The client tool whose major version matches the server's, else the oldest newer one (pg_dump reads older
    servers, never newer ones). Looks on PATH and in Debian's /usr/lib/postgresql/<version>/bin."""
    candidates = [shutil.which(name), *sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))]
    versions = {}
    for path in dict.fromkeys(filter(None, candidates)):
        major = _tool_major(path)
        if major is not None:
            versions.setdefault(major, path)
    usable = sorted(major for major in versions if major >= server_major)
    if not usable:
        found = ", ".join(f"{name} {major}" for major in sorted(versions)) or f"no {name}"
        raise BackupError(f"{name} {server_major} or newer is needed for this PostgreSQL {server_major} server "
                          f"(found: {found}); install postgresql-client-{server_major}")
    return versions[server_major] if server_major in versions else versions[usable[0]]


def _run_tool(arguments: list[str], environment: dict[str, str], what: str) -> None:
    # An argument list starting with the tool's absolute path: no shell, nothing interpolated.
    result = subprocess.run(arguments, env=environment, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{what} failed: {detail}")


# --- Backup ---------------------------------------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _snapshot_sqlite(engine: Engine, payload: Path) -> tuple[dict[str, int], str | None, str]:
    raw = engine.raw_connection()
    try:
        with closing_sqlite(payload) as destination:
            raw.driver_connection.backup(destination)
            destination.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
    finally:
        raw.close()
    counts, revision = sqlite_counts(payload)
    return counts, revision, sqlite3.sqlite_version


def _snapshot_postgresql(engine: Engine, payload: Path) -> tuple[dict[str, int], str | None, str]:
    """pg_dump reads the snapshot this transaction exported, so the row counts describe exactly the dumped data."""
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
            server_version = connection.scalar(text("SHOW server_version"))
            server_major = int(connection.scalar(text("SHOW server_version_num"))) // 10000
            counts = row_counts(engine, connection)
            revision = alembic_revision(connection)
            pg_dump = find_pg_tool("pg_dump", server_major)
            conninfo, environment = libpq_arguments(engine.url)
            _run_tool([pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-password",
                       f"--file={payload}", f"--dbname={conninfo}"], environment, "pg_dump")
    return counts, revision, server_version


def backup_destination(destination: Path, now: datetime | None = None) -> Path:
    if destination.is_dir():
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
        destination = destination / f"article26-{stamp}.backup"
    if destination.exists():
        raise BackupError(f"{destination} already exists; a backup never overwrites a file, choose a new name")
    if not destination.parent.is_dir():
        raise BackupError(f"{destination.parent} is not a folder")
    return destination


def create_backup(engine: Engine, destination: Path) -> tuple[Path, Manifest]:
    """Write a backup archive of the whole database to destination (a new file, or a folder to put one in)."""
    dialect = engine.dialect.name
    if dialect not in PAYLOAD_NAMES:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {dialect}")
    destination = backup_destination(destination)
    if dialect == "sqlite":
        sqlite_path(engine.url)
    with tempfile.TemporaryDirectory(prefix="a26-backup-", dir=destination.parent) as work:
        payload = Path(work) / PAYLOAD_NAMES[dialect]
        snapshot = _snapshot_sqlite if dialect == "sqlite" else _snapshot_postgresql
        counts, revision, server_version = snapshot(engine, payload)
        manifest = Manifest(
            format_version=FORMAT_VERSION, app=APP_NAME, created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            dialect=dialect, server_version=str(server_version), alembic_revision=revision, row_counts=counts,
            payload=payload.name, sha256=_sha256(payload))
        manifest_path = Path(work) / MANIFEST_NAME
        manifest_path.write_bytes(manifest.to_json())
        partial = Path(work) / "archive.partial"
        # pg_dump's custom format is compressed already; a SQLite file compresses well.
        with tarfile.open(partial, "w:gz" if dialect == "sqlite" else "w") as archive:
            archive.add(manifest_path, arcname=MANIFEST_NAME)
            archive.add(payload, arcname=payload.name)
        os.replace(partial, destination)
    return destination, manifest


# --- Restore --------------------------------------------------------------------------------------------------------

@contextmanager
def opened_backup(source: Path) -> Iterator[tuple[Manifest, Path]]:
    """The manifest and the database file, extracted to a temporary folder after the checksum matched."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist or is not a file")
    try:
        archive = tarfile.open(source, "r:*")
    except (tarfile.TarError, OSError, EOFError):
        raise BackupError(f"{source} is not an Article 26 backup (not a backup archive, or damaged)") from None
    with archive, tempfile.TemporaryDirectory(prefix="a26-restore-") as work:
        try:
            manifest = Manifest.from_json(_member_bytes(archive, MANIFEST_NAME, source), source)
            payload = Path(work) / manifest.payload
            digest = hashlib.sha256()
            stream = _member_stream(archive, manifest.payload, source)
            with payload.open("wb") as copy:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    copy.write(chunk)
        except (tarfile.TarError, OSError, EOFError) as error:
            raise BackupError(f"{source} is damaged (truncated or corrupt: {type(error).__name__}); "
                              f"nothing was restored") from None
        if digest.hexdigest() != manifest.sha256:
            raise BackupError(f"{source} is damaged: the database inside does not match the checksum in its manifest; "
                              f"nothing was restored")
        yield manifest, payload


def _member_stream(archive: tarfile.TarFile, name: str, source: Path):
    try:
        member = archive.getmember(name)
    except KeyError:
        if name == MANIFEST_NAME:
            raise BackupError(f"{source} is not an Article 26 backup (it has no manifest)") from None
        raise BackupError(f"{source} is damaged: the database file {name} is missing") from None
    stream = archive.extractfile(member) if member.isreg() else None
    if stream is None:
        raise BackupError(f"{source} is not an Article 26 backup ({name} is not a regular file)")
    return stream


def _member_bytes(archive: tarfile.TarFile, name: str, source: Path) -> bytes:
    return _member_stream(archive, name, source).read(CHUNK)


def _restore_sqlite(engine: Engine, payload: Path) -> dict[str, int]:
    target = sqlite_path(engine.url)
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder")
    engine.dispose()
    with closing_sqlite(payload) as source, closing_sqlite(target) as destination:
        source.backup(destination)
        destination.execute("PRAGMA journal_mode=WAL")
    return sqlite_counts(target)[0]


def _restore_postgresql(engine: Engine, payload: Path) -> dict[str, int]:
    with engine.connect() as connection:
        server_major = int(connection.scalar(text("SHOW server_version_num"))) // 10000
    pg_restore = find_pg_tool("pg_restore", server_major)
    conninfo, environment = libpq_arguments(engine.url)
    _run_tool([pg_restore, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
               "--no-password", f"--dbname={conninfo}", str(payload)], environment, "pg_restore")
    engine.dispose()
    with engine.connect() as connection:
        return row_counts(engine, connection)


def restore_backup(engine: Engine, source: Path, known_revisions: set[str]) -> Manifest:
    """Restore a backup archive into the (empty) database behind engine. Every check runs before the first write."""
    dialect = engine.dialect.name
    with opened_backup(source) as (manifest, payload):
        if manifest.dialect != dialect:
            raise BackupError(f"{source} is a {DIALECT_LABELS[manifest.dialect]} backup; restore it into a "
                              f"{DIALECT_LABELS[manifest.dialect]} database (set DATABASE_URL)")
        if manifest.alembic_revision and manifest.alembic_revision not in known_revisions:
            raise BackupError(f"{source} was made by a newer version of Article 26 (database revision "
                              f"{manifest.alembic_revision}); upgrade the app before restoring it")
        tables = table_count(engine)
        if tables:
            raise BackupError(f"the target database is not empty ({tables} tables); restore writes only into an "
                              f"empty database: create a new one and point DATABASE_URL at it")
        restored = _restore_sqlite(engine, payload) if dialect == "sqlite" else _restore_postgresql(engine, payload)
    if restored != manifest.row_counts:
        differing = sorted(name for name in set(restored) | set(manifest.row_counts)
                           if restored.get(name) != manifest.row_counts.get(name))
        raise BackupError(f"restored, but the row counts differ from the manifest in: {', '.join(differing)}")
    return manifest
