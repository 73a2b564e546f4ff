"""Classrooms: 60 students following a live session, and the progress grid of a class of 500 x 40 modules.

live-session: Article 26 under gunicorn with 2 *sync* workers (no websocket server, no keep-alive). Each of 60
students polls the stage endpoint every 2 s with If-None-Match (304 until the presenter changes something) and
answers each question the moment it sees it open; a presenter advances the session every 3 s (sections, then open
and reveal each question). Baseline: a bare Flask "hello" app served the same way and polled the same way.
Targets: p99 < 100 ms, zero errors; every answer accepted is in the database once.

classroom-grid: the report page rendered in-process for a class of 500 learners x 40 modules; baseline: the same
page for 10 learners. Target < 300 ms, and the same number of queries for both.
"""

from __future__ import annotations

import http.client
import random
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import RunOptions, benchmark
from bench.content_sync import database_for_run
from bench.harness import Browser, GunicornServer, LoadResult, ServerSettings
from bench.report import Measurement

STUDENTS = 60
POLL_SECONDS = 2.0
PRESENTER_SECONDS = 3.0
PASSWORD = "bench password 1234"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
OPEN_QUESTION = re.compile(r'name="question" value="([^"]+)"')
OPTION = re.compile(r'name="choice" value="([^"]+)"')
SETTINGS = ServerSettings(workers=2, worker_class="sync")


def _app(database_url: str):
    from app import create_app
    from config import Config

    # A cheap hash for seeded accounts only: the server verifies whatever method a stored hash names.
    return create_app(Config, {"DATABASE_URL": database_url, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})


def _seed_live(database_url: str, workdir: Path) -> tuple[str, int, int]:
    """A course, a trainer, 60 students in a class, a live session on the module with a quiz: (code, class, session)."""
    import flask_migrate
    from sqlalchemy import select

    from app.auth import services as auth_services
    from app.catalog.cli import sync_library
    from app.catalog.models import Module
    from app.classrooms import live, services
    from app.classrooms.models import ClassroomMember
    from app.extensions import db
    from tests.course_builder import write_course

    app = _app(database_url)
    with app.app_context():
        flask_migrate.upgrade()
        write_course(workdir / "courses", "live-course", modules=2, quiz_modules=(2,))
        assert sync_library(workdir / "courses", echo=lambda line: None)
        trainer = auth_services.create_user(db.session, username="bench-trainer", password=PASSWORD, role="trainer")
        classroom = services.create_classroom(db.session, trainer, name="Bench class", audience="student")
        for number in range(STUDENTS):
            student = auth_services.create_user(db.session, username=f"student{number}", password=PASSWORD)
            db.session.add(ClassroomMember(classroom_id=classroom.id, user_id=student.id))
        module = db.session.scalar(select(Module).where(Module.slug == "module-2"))
        session = live.start_live_session(db.session, trainer, classroom, module)
        db.session.commit()
        result = session.code, classroom.id, session.id
        db.engine.dispose()
    return result


def _sign_in(port: int, username: str) -> Browser:
    browser = Browser(port)
    _status, page, _ = browser.send("GET", "/signin")
    status, _, _ = browser.send("POST", "/signin", {"username": username, "password": PASSWORD,
                                                    "csrf_token": CSRF.search(page).group(1), "next": ""})
    if status != 302:
        raise RuntimeError(f"{username} could not sign in (HTTP {status})")
    return browser


class Student:
    """Polls every 2 s (first poll at a random offset, as tablets do not start together) and answers once per
    question it sees open."""

    def __init__(self, port: int, number: int, code: str):
        self.port = port
        self.browser = _sign_in(port, f"student{number}")
        status, page, _ = self.browser.send("GET", f"/live/{code}")
        self.browser.close()
        if status != 200:
            raise RuntimeError(f"student{number} cannot open the session (HTTP {status})")
        self.code, self.csrf = code, CSRF.search(page).group(1)
        self.etag = re.search(r'data-etag="([^"]+)"', page).group(1)
        self.answered: set[str] = set()
        self.polls, self.answers = LoadResult(), LoadResult()

    def _timed(self, result: LoadResult, expect: tuple[int, ...], method: str, path: str, headers: dict,
               body: bytes | None = None) -> tuple[int, str, str]:
        began = time.perf_counter()
        # A new connection per request, as sync workers close every connection after answering.
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers={**dict(self.browser.cookie_header()), **headers})
            response = connection.getresponse()
            text = response.read().decode()
        except (OSError, http.client.HTTPException):
            result.errors += 1
            return 0, "", ""
        finally:
            connection.close()
        result.statuses[response.status] += 1
        if response.status in expect:
            result.latencies.append(time.perf_counter() - began)
        else:
            result.errors += 1
        return response.status, text, response.headers.get("ETag", "")

    def run(self, stop_at: float) -> None:
        time.sleep(random.uniform(0, POLL_SECONDS))
        while time.time() < stop_at:
            next_poll = time.perf_counter() + POLL_SECONDS
            status, text, etag = self._timed(self.polls, (200, 304), "GET", f"/live/{self.code}/stage",
                                             {"If-None-Match": f'"{self.etag}"'})
            if status == 200:
                self.etag = etag.strip('"')
                question = OPEN_QUESTION.search(text)
                if question and question.group(1) not in self.answered:
                    self.answered.add(question.group(1))
                    options = OPTION.findall(text)
                    form = {"question": question.group(1), "csrf_token": self.csrf}
                    form.update({"choice": random.choice(options)} if options else {"text": "Article 26"})
                    self._timed(self.answers, (302,), "POST", f"/live/{self.code}/answer",
                                {"Content-Type": "application/x-www-form-urlencoded"}, urlencode(form).encode())
            time.sleep(max(0.0, next_poll - time.perf_counter()))


def _present(port: int, classroom_id: int, session_id: int, stop_at: float) -> int:
    """Sections: next. Questions: open, then reveal, then next. Returns how many controls were applied."""
    presenter = _sign_in(port, "bench-trainer")
    url = f"/classes/{classroom_id}/live/{session_id}"
    applied = 0
    while time.time() + PRESENTER_SECONDS < stop_at:
        time.sleep(PRESENTER_SECONDS)
        presenter.connection.close()  # sync workers close idle connections: start each exchange afresh
        _status, page, _ = presenter.send("GET", url)
        version = re.search(r'name="version"[^>]*value="(\d+)"', page)
        if "Open question<" in page:
            action = "open"
        elif "Reveal answer<" in page:
            action = "reveal"
        elif ">Next<" in page:
            action = "next"
        else:
            break
        presenter.connection.close()
        status, _, _ = presenter.send("POST", f"{url}/{action}", {"version": version.group(1),
                                                                  "csrf_token": CSRF.search(page).group(1)})
        applied += status == 302
        presenter.connection.close()
    return applied


def _poll_hello(port: int, stop_at: float, result: LoadResult) -> None:
    time.sleep(random.uniform(0, POLL_SECONDS))
    while time.time() < stop_at:
        next_poll = time.perf_counter() + POLL_SECONDS
        began = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/")
            response = connection.getresponse()
            response.read()
            connection.close()
            result.statuses[response.status] += 1
            result.latencies.append(time.perf_counter() - began)
        except OSError:
            result.errors += 1
        time.sleep(max(0.0, next_poll - time.perf_counter()))


def _merge(parts: list[LoadResult]) -> LoadResult:
    total = LoadResult()
    for part in parts:
        total.latencies.extend(part.latencies)
        total.statuses.update(part.statuses)
        total.errors += part.errors
    return total


def _stored_answers(database_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.scalar(text("SELECT count(*) FROM live_answers"))
    engine.dispose()
    return stored


def _measure_live(database: str, database_url: str, workdir: Path, seconds: float,
                  hello: LoadResult) -> list[Measurement]:
    code, classroom_id, session_id = _seed_live(database_url, workdir)
    env = {"ARTICLE26_ENV": "production", "DATABASE_URL": database_url, "SECRET_KEY": "b" * 64,
           "COURSES_DIR": str(workdir / "courses")}
    with GunicornServer("bench.apps:article26()", SETTINGS, env=env, ready_path="/healthz") as server:
        students = [Student(server.port, number, code) for number in range(STUDENTS)]
        stop_at = time.time() + seconds
        threads = [threading.Thread(target=student.run, args=(stop_at,)) for student in students]
        for thread in threads:
            thread.start()
        controls = _present(server.port, classroom_id, session_id, stop_at)
        for thread in threads:
            thread.join()
    polls = _merge([student.polls for student in students])
    answers = _merge([student.answers for student in students])
    everything = _merge([polls, answers])
    stored = _stored_answers(database_url)
    not_modified = polls.statuses.get(304, 0)
    return [
        Measurement(f"live session: {STUDENTS} students polling every 2 s, p50 ({database})",
                    everything.percentile_ms(0.5), "ms", hello.percentile_ms(0.5), "hello p50"),
        Measurement(f"live session p99, polls and answers ({database}; {SETTINGS.describe()})",
                    everything.percentile_ms(0.99), "ms", hello.percentile_ms(0.99), "hello p99", "< 100 ms",
                    everything.percentile_ms(0.99) < 100),
        Measurement(f"live session polls answered 304 ({database}; {controls} presenter controls)",
                    100 * not_modified / max(1, polls.ok), "%"),
        Measurement(f"live answers p99, {answers.ok} answers ({database})", answers.percentile_ms(0.99), "ms"),
        Measurement(f"live session errors, {polls.ok + answers.ok + everything.errors} requests ({database})",
                    everything.errors, "", target="0", met=everything.errors == 0),
        Measurement(f"live answers accepted vs stored ({database})", stored - answers.ok, "difference",
                    target="0", met=stored == answers.ok),
    ]


@benchmark("live-session")
def live_session(options: RunOptions) -> list[Measurement]:
    seconds = 8.0 if options.quick else 40.0
    hello = LoadResult()
    with GunicornServer("bench.apps:hello", SETTINGS) as server:
        stop_at = time.time() + min(seconds, 12.0)
        parts = [LoadResult() for _ in range(STUDENTS)]
        threads = [threading.Thread(target=_poll_hello, args=(server.port, stop_at, part)) for part in parts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        hello = _merge(parts)
    rows: list[Measurement] = []
    for postgres in (False, True) if options.postgres else (False,):
        workdir = Path(tempfile.mkdtemp(prefix="a26-bench-live-"))
        database_url, drop_database = database_for_run(postgres, workdir)
        try:
            rows += _measure_live("PostgreSQL" if postgres else "SQLite", database_url, workdir, seconds, hello)
        finally:
            drop_database()
            shutil.rmtree(workdir, ignore_errors=True)
    return rows


# --- The progress grid -----------------------------------------------------------------------------------------

GRID_MODULES = 40


def _seed_grid(app, learners: int, name: str, course_id: int, trainer_id: int) -> int:
    """A class of `learners` with progress on every module (some completed, some failed quizzes, some untouched),
    inserted in bulk: the benchmark measures the report, not the seeding."""
    from sqlalchemy import insert, select

    from app.auth.models import User
    from app.catalog.models import Module
    from app.classrooms import services
    from app.classrooms.models import ClassroomMember
    from app.extensions import db, utcnow
    from app.learning.models import ModuleProgress
    from app.quizzes.models import QuizAttempt

    with app.app_context():
        trainer = db.session.get(User, trainer_id)
        classroom = services.create_classroom(db.session, trainer, name=name, audience="student")
        password_hash = trainer.password_hash
        now = utcnow()
        db.session.execute(insert(User), [
            {"username": f"{name}-{n}", "display_name": f"Learner {n}", "password_hash": password_hash,
             "role": "learner", "audience": "student", "language": "en", "active": True, "erased": False,
             "created_at": now} for n in range(learners)])
        user_ids = db.session.scalars(select(User.id).where(User.username.like(f"{name}-%"))).all()
        db.session.execute(insert(ClassroomMember), [
            {"classroom_id": classroom.id, "user_id": user_id, "joined_at": now,
             "account_created_by_trainer": True} for user_id in user_ids])
        modules = db.session.scalars(select(Module).where(Module.course_id == course_id)).all()
        progress, attempts = [], []
        for index, user_id in enumerate(user_ids):
            for module in modules:
                kind = (index + module.position) % 4
                if kind == 3:
                    continue  # not started
                done = kind == 0
                progress.append({"user_id": user_id, "module_id": module.id, "first_opened_at": now,
                                 "last_seen_at": now, "completed_at": now if done else None,
                                 "best_score": (100.0 if done else 40.0) if module.quiz else None,
                                 "last_score": None, "quiz_passed_at": now if done and module.quiz else None})
                if module.quiz and kind in (0, 1):
                    attempts.append({"token": f"{name}-{user_id}-{module.id}", "user_id": user_id,
                                     "module_id": module.id, "number": 1, "status": "submitted", "open_slot": None,
                                     "option_order": {}, "draft_answers": {}, "started_at": now,
                                     "submitted_at": now, "score": 100.0 if done else 40.0, "passed": done})
        db.session.execute(insert(ModuleProgress), progress)
        db.session.execute(insert(QuizAttempt), attempts)
        from app.classrooms.models import Assignment

        db.session.add(Assignment(classroom_id=classroom.id, course_id=course_id, created_by_id=trainer_id))
        db.session.commit()
        return classroom.id


def _time_report(app, classroom_id: int, renders: int) -> tuple[list[float], int]:
    from sqlalchemy import event

    from app.extensions import db

    client = app.test_client()
    client.post("/signin", data={"username": "grid-trainer", "password": PASSWORD})
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(*_args):
        statements.append("")

    assert client.get(f"/classes/{classroom_id}/report").status_code == 200  # warm-up
    event.listen(engine, "before_cursor_execute", count)
    assert client.get(f"/classes/{classroom_id}/report").status_code == 200
    event.remove(engine, "before_cursor_execute", count)
    timings = []
    for _ in range(renders):
        began = time.perf_counter()
        response = client.get(f"/classes/{classroom_id}/report")
        timings.append(time.perf_counter() - began)
        assert response.status_code == 200
    return sorted(timings), len(statements)


@benchmark("classroom-grid")
def classroom_grid(options: RunOptions) -> list[Measurement]:
    import flask_migrate

    from app.auth import services as auth_services
    from app.catalog.cli import sync_library
    from app.catalog.models import Course
    from app.extensions import db
    from tests.course_builder import write_course

    renders = 3 if options.quick else 15
    rows: list[Measurement] = []
    for postgres in (False, True) if options.postgres else (False,):
        database = "PostgreSQL" if postgres else "SQLite"
        workdir = Path(tempfile.mkdtemp(prefix="a26-bench-grid-"))
        database_url, drop_database = database_for_run(postgres, workdir)
        try:
            app = _app(database_url)
            app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
            with app.app_context():
                flask_migrate.upgrade()
                write_course(workdir / "courses", "grid-course", modules=GRID_MODULES,
                             quiz_modules=tuple(range(2, GRID_MODULES + 1, 2)))
                assert sync_library(workdir / "courses", echo=lambda line: None)
                course_id = db.session.scalar(db.select(Course.id))
                trainer_id = auth_services.create_user(db.session, username="grid-trainer", password=PASSWORD,
                                                       role="trainer").id
                db.session.commit()
            small = _seed_grid(app, 10, "small", course_id, trainer_id)
            large = _seed_grid(app, 500, "large", course_id, trainer_id)
            small_times, small_queries = _time_report(app, small, renders)
            large_times, large_queries = _time_report(app, large, renders)
            with app.app_context():
                db.engine.dispose()
        finally:
            drop_database()
            shutil.rmtree(workdir, ignore_errors=True)
        median = large_times[len(large_times) // 2] * 1000
        rows += [
            Measurement(f"progress grid 500 learners x {GRID_MODULES} modules, median render ({database})", median,
                        "ms", small_times[len(small_times) // 2] * 1000, "10 learners", "< 300 ms", median < 300),
            Measurement(f"progress grid queries, 500 learners ({database})", large_queries, "queries",
                        small_queries, "10 learners", "same as 10", large_queries == small_queries),
        ]
    return rows


if __name__ == "__main__":
    from bench.report import print_table

    print_table(live_session(RunOptions(quick=True)) + classroom_grid(RunOptions(quick=True)))
