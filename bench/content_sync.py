"""Course content: validation throughput, cold sync of 1,000 modules, and an unchanged re-sync.

Run alone: `python -m bench.content_sync [--postgres]`. Targets (2 cores): cold sync < 10 s, unchanged re-sync < 1 s.
"""

import argparse
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import markdown
from sqlalchemy import create_engine, text

from bench import RunOptions, benchmark
from bench.report import Measurement, print_table

COURSES = 20
MODULES_PER_COURSE = 50
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def generate_library(root: Path) -> int:
    from tests.course_builder import write_course

    for number in range(COURSES):
        write_course(root, f"bench-course-{number:02d}", modules=MODULES_PER_COURSE,
                     quiz_modules=tuple(range(1, MODULES_PER_COURSE + 1, 2)))
        for module in (root / f"bench-course-{number:02d}").glob("*-module-*.md"):
            prose = "\n\n".join(f"## Part {part}\n\n" + "Human rights protect dignity. " * 40 for part in range(6))
            module.write_text(module.read_text().replace("## Practice", prose + "\n\n## Practice"))
    return COURSES * MODULES_PER_COURSE


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def database_for_run(postgres: bool, folder: Path):
    if not postgres:
        return f"sqlite:///{folder / 'bench.db'}", lambda: None
    name = f"a26_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return PG_SERVER.rsplit("/", 1)[0] + f"/{name}", drop


def measure(postgres: bool = False) -> list[Measurement]:
    from app import content, create_app
    from app.catalog.cli import sync_library
    from app.extensions import db
    from config import TestingConfig

    workdir = Path(tempfile.mkdtemp(prefix="a26-bench-content-"))
    url, drop_database = database_for_run(postgres, workdir)
    try:
        modules = generate_library(workdir / "courses")
        sources = [path.read_text() for path in (workdir / "courses").rglob("*-module-*.md")]
        converter = markdown.Markdown(extensions=["tables", "footnotes", "def_list", "fenced_code", "toc"])
        markdown_seconds, _ = timed(lambda: [converter.reset().convert(source) for source in sources])
        check_seconds, library = timed(lambda: content.check_library(workdir / "courses"))
        assert not library.errors, library.errors[:3]

        app = create_app(TestingConfig, {"DATABASE_URL": url})
        with app.app_context():
            db.create_all()
            quiet = lambda line: None  # noqa: E731
            cold_seconds, ok = timed(lambda: sync_library(workdir / "courses", echo=quiet))
            assert ok
            resync_seconds, ok = timed(lambda: sync_library(workdir / "courses", echo=quiet))
            assert ok
            db.engine.dispose()
    finally:
        drop_database()
        shutil.rmtree(workdir, ignore_errors=True)

    database = "PostgreSQL" if postgres else "SQLite"
    return [
        Measurement("validate + render (modules/s)", modules / check_seconds, "modules/s",
                    baseline=modules / markdown_seconds, baseline_label="bare Python-Markdown"),
        Measurement(f"cold sync, {modules} modules ({database})", cold_seconds, "s",
                    baseline=check_seconds, baseline_label="validation alone", target="< 10 s",
                    met=cold_seconds < 10),
        Measurement(f"unchanged re-sync ({database})", resync_seconds, "s",
                    baseline=cold_seconds, baseline_label="cold sync", target="< 1 s", met=resync_seconds < 1),
    ]


@benchmark("content-sync")
def content_sync(options: RunOptions) -> list[Measurement]:
    return measure(options.postgres)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", action="store_true", help="sync into PostgreSQL on 127.0.0.1:5432")
    arguments = parser.parse_args(argv)
    print_table(measure(arguments.postgres), "Course content")
    return 0


if __name__ == "__main__":
    sys.exit(main())
