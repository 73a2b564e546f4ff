"""Sync killed: `kill -9` of `flask courses sync` while it writes a 300-module course.

Sync commits once per course, so learners see the old version or the new one, never a mix; progress and attempts are
kept, and running sync again completes.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from app.catalog.cli import sync_library
from app.catalog.models import Course, Module
from app.extensions import db
from app.learning.models import ModuleProgress
from app.quizzes.models import QuizAttempt
from tests.conftest import sign_in
from tests.course_builder import module_text, write_course

pytestmark = pytest.mark.slow

SLUG = "big-course"
OLD_MODULES, NEW_MODULES = 20, 300
WRITTEN_BEFORE_KILL = 64 * 1024  # bytes the sync must have written (uncommitted) before it is killed
DEADLINE_SECONDS = 90


class UncommittedWrites:
    """Bytes the sync has written so far, seen from outside its transaction: PostgreSQL extends the tables' files
    as rows are inserted, committed or not; SQLite spills dirty pages into its -wal file. SQLite reuses that file
    from its start after a checkpoint, so it is checkpointed and truncated to zero first."""

    def __init__(self, database_url: str):
        self.engine = None
        if database_url.startswith("postgresql"):
            self.engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
        else:
            path = database_url.removeprefix("sqlite:///")
            self.wal = Path(path + "-wal")
            with closing(sqlite3.connect(path)) as connection:
                busy, _frames, _checkpointed = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            assert busy == 0 and self.size() == 0, "the SQLite write-ahead log could not be reset"

    def size(self) -> int:
        if self.engine is None:
            return self.wal.stat().st_size if self.wal.exists() else 0
        with self.engine.connect() as connection:
            return connection.scalar(text(
                "SELECT pg_relation_size('modules') + pg_relation_size('content_revisions')"))

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


def module_titles(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(Module.title).join(Course).where(Course.slug == SLUG, Module.archived.is_(False))
            .order_by(Module.position)))


def kill_sync_while_it_writes(courses: Path, database_url: str) -> int:
    environment = {**os.environ, "ARTICLE26_ENV": "testing", "TEST_DATABASE_URL": database_url}
    writes = UncommittedWrites(database_url)
    baseline = writes.size()
    sync = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "courses", "sync", str(courses)],
                            env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + DEADLINE_SECONDS
    try:
        while sync.poll() is None and time.monotonic() < deadline:
            if writes.size() - baseline >= WRITTEN_BEFORE_KILL:
                os.killpg(sync.pid, signal.SIGKILL)
                break
            time.sleep(0.002)
        else:
            pytest.fail(f"the sync ended (exit {sync.returncode}) before it could be killed mid-write: "
                        f"{sync.stderr.read().decode()[-500:] if sync.stderr else ''}")
        return sync.wait(timeout=30)
    finally:
        if sync.poll() is None:
            os.killpg(sync.pid, signal.SIGKILL)
            sync.wait(timeout=30)
        sync.stderr.close()
        writes.close()


def test_killing_sync_mid_course_leaves_the_old_version_whole_and_progress_intact(app, database_url, make, tmp_path):
    courses = tmp_path / "library"
    folder = write_course(courses, SLUG, modules=OLD_MODULES, quiz_modules=(1,))
    old = make.synced_course(courses, SLUG)
    old_titles = [f"Module {number}" for number in range(1, OLD_MODULES + 1)]
    assert module_titles(app) == old_titles

    learner = make.user(username="kept-progress")
    first = next(module for module in old.modules if module.position == 1)
    attempt = make.submitted_attempt(learner, first, {"m1-single": "b", "m1-truefalse": "false"})
    with app.app_context():
        for module in old.modules[:5]:
            if not db.session.scalar(select(ModuleProgress).where(ModuleProgress.module_id == module.id)):
                db.session.add(ModuleProgress(user_id=learner.id, module_id=module.id))
        db.session.commit()
        progress_before = db.session.scalar(select(func.count()).select_from(ModuleProgress))

    new_titles = [f"Revised module {number}" for number in range(1, NEW_MODULES + 1)]
    for number, title in enumerate(new_titles, start=1):
        (folder / f"{number:02d}-module-{number}.md").write_text(
            module_text(number, title=title, with_quiz=number == 1, body_words=200))

    assert kill_sync_while_it_writes(courses, database_url) == -signal.SIGKILL

    after_kill = module_titles(app)
    assert after_kill in (old_titles, new_titles), f"a mix of versions: {after_kill[:3]} ... ({len(after_kill)})"
    assert after_kill == old_titles, "the kill landed after the commit: nothing was interrupted"
    client = app.test_client()
    sign_in(client, learner)
    page = client.get(f"/courses/{SLUG}").get_data(as_text=True)
    assert "Module 20" in page and "Revised module" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ModuleProgress)) == progress_before
        assert db.session.get(QuizAttempt, attempt.id).score == attempt.score

    with app.app_context():
        assert sync_library(courses, echo=lambda line: None), "sync did not complete after the kill"
    assert module_titles(app) == new_titles
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ModuleProgress)) == progress_before
        assert db.session.get(QuizAttempt, attempt.id).module_id == first.id
