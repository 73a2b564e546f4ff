"""A mixed workload: 200 learners reading module pages and answering quizzes while 5 trainers open class reports.

Article 26 is served as in learner-paths (ServerSettings: gunicorn, 2 gthread workers x 4 threads on loopback). Each
learner, signed in over HTTP beforehand (untimed), loops through one course: reads modules 1, 2 and 3, starts the
quiz (POST, then the quiz page it is redirected to), submits it (POST, then the result page), with a think time of
1-5 s between steps, answers mixed right and wrong. Each trainer owns a class of 40 of those learners and alternates
between the class progress grid and the item analysis of the quiz, with the same think time. Connections are opened
per step (a learner thinking longer than gunicorn's 2 s keep-alive would find them closed anyway).

After a warm-up of the same workload, the workers' resident memory is read, the workload runs for 60 s, and it is
read again. Baseline: a bare Flask "hello" app served the same way, under the same 205 clients and think times.
Targets: zero 5xx (and no other failure), RSS growth per worker under 10%.
"""

from __future__ import annotations

import http.client
import multiprocessing
import random
import re
import shutil
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench import RunOptions, benchmark
from bench.classroom_live import PASSWORD, _app, _sign_in
from bench.content_sync import database_for_run
from bench.harness import LOOPBACK, Browser, GunicornServer, LoadResult, ServerSettings
from bench.report import Measurement

LEARNERS = 200
TRAINERS = 5
THINK_SECONDS = (1.0, 5.0)
COURSE = "mixed-course"
QUIZ_MODULE = 3
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SUBMIT_PATH = re.compile(r'action="(/courses/[^"]+/quiz/attempts/[^"]+/submit)"')
RIGHT = {"q-m3-single": "b", "q-m3-multiple": ["a", "b"], "q-m3-truefalse": "b", "q-m3-short": "26",
         "q-m3-case-first": "a"}
WRONG = {"q-m3-single": "a", "q-m3-multiple": ["c"], "q-m3-truefalse": "a", "q-m3-short": "14",
         "q-m3-case-first": "b"}
CLIENT_PROCESSES = 2


@dataclass(frozen=True)
class Sizes:
    warm_up_seconds: float
    seconds: float
    hello_seconds: float


FULL = Sizes(warm_up_seconds=10, seconds=60, hello_seconds=20)
QUICK = Sizes(warm_up_seconds=3, seconds=10, hello_seconds=5)


def _seed(database_url: str, workdir: Path) -> tuple[list[int], int]:
    """The course, 5 trainers each with a class of 40 learners who are assigned the course: (class ids, quiz module
    id). Learners are `mixed{n}`, trainers `mixed-trainer{n}`."""
    import flask_migrate
    from sqlalchemy import select

    from app.auth import services as auth_services
    from app.catalog.cli import sync_library
    from app.catalog.models import Course, Module
    from app.classrooms import services
    from app.classrooms.models import ClassroomMember
    from app.extensions import db
    from tests.course_builder import write_course

    app = _app(database_url)
    with app.app_context():
        flask_migrate.upgrade()
        write_course(workdir / "courses", COURSE, modules=3, quiz_modules=(QUIZ_MODULE,), attempts=1000)
        assert sync_library(workdir / "courses", echo=lambda line: None), "bench course did not sync"
        course = db.session.scalar(select(Course).where(Course.slug == COURSE))
        quiz_module = db.session.scalar(select(Module.id).where(Module.slug == f"module-{QUIZ_MODULE}"))
        per_class = LEARNERS // TRAINERS
        classes = []
        for number in range(TRAINERS):
            trainer = auth_services.create_user(db.session, username=f"mixed-trainer{number}", password=PASSWORD,
                                                role="trainer")
            classroom = services.create_classroom(db.session, trainer, name=f"Mixed class {number}",
                                                  audience="student")
            for learner in range(number * per_class, (number + 1) * per_class):
                user = auth_services.create_user(db.session, username=f"mixed{learner}", password=PASSWORD)
                db.session.add(ClassroomMember(classroom_id=classroom.id, user_id=user.id))
            db.session.flush()
            services.assign_work(db.session, trainer, classroom, course)
            classes.append(classroom.id)
        db.session.commit()
        db.engine.dispose()
    return classes, quiz_module


# --- The simulated people --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A signed-in browser's cookie and CSRF token, and what it does: learners follow the course, trainers the
    reports at `report_paths`."""

    cookie: str
    csrf: str
    report_paths: tuple[str, ...] = ()


@dataclass
class Tally:
    """Latencies (seconds) of the requests answered as expected, by kind; statuses; failures. One per thread."""

    latencies: defaultdict = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0

    def add(self, other: Tally) -> None:
        for kind, values in other.latencies.items():
            self.latencies[kind].extend(values)
        self.statuses.update(other.statuses)
        self.errors += other.errors

    def result(self, *kinds: str) -> LoadResult:
        return LoadResult(latencies=[value for kind in kinds for value in self.latencies[kind]])


class Visitor:
    """A person's requests, each on a connection of its own, timed into the person's tally under `kind` (the role)."""

    def __init__(self, port: int, person: Person, kind: str):
        self.port, self.person, self.kind, self.tally = port, person, kind, Tally()

    def send(self, method: str, path: str, expect: int, form: dict | None = None) -> tuple[str, str]:
        """(body, Location); empty strings when the request failed."""
        headers = {"Cookie": self.person.cookie} if self.person.cookie else {}
        body = None
        if form is not None:
            body = urlencode({**form, "csrf_token": self.person.csrf}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=30)
        began = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.tally.errors += 1
            return "", ""
        finally:
            connection.close()
        elapsed = time.perf_counter() - began
        self.tally.statuses[response.status] += 1
        if response.status != expect:
            self.tally.errors += 1
            return "", ""
        self.tally.latencies[self.kind].append(elapsed)
        return text, response.headers.get("Location", "")


def _learner_steps(visitor: Visitor):
    """The course, round and round; each step (a request, and the page a redirect leads to) ends at a `yield`,
    where the learner thinks."""
    quiz = f"/courses/{COURSE}/m/module-{QUIZ_MODULE}/quiz"
    while True:
        for number in range(1, QUIZ_MODULE + 1):
            yield visitor.send("GET", f"/courses/{COURSE}/m/module-{number}", 200)
        _body, location = visitor.send("POST", f"{quiz}/attempts", 302, form={})
        page, _ = visitor.send("GET", location or quiz, 200)
        yield
        submit = SUBMIT_PATH.search(page)
        if submit:
            answers = {key: random.choice((RIGHT, WRONG))[key] for key in RIGHT}
            _body, location = visitor.send("POST", submit.group(1), 302, form=answers)
            if location:
                visitor.send("GET", location, 200)
            yield


def _trainer_steps(visitor: Visitor):
    while True:
        for path in visitor.person.report_paths:
            yield visitor.send("GET", path, 200)


def _hello_steps(visitor: Visitor):
    while True:
        yield visitor.send("GET", "/", 200)


ROLES = {"learner": _learner_steps, "trainer": _trainer_steps, "hello": _hello_steps}


def _act(visitor: Visitor, role: str, start_at: float, stop_at: float) -> None:
    steps = ROLES[role](visitor)
    time.sleep(max(0.0, start_at - time.time()) + random.uniform(*THINK_SECONDS))  # people do not start in step
    while time.time() < stop_at:
        next(steps)
        time.sleep(min(random.uniform(*THINK_SECONDS), max(0.0, stop_at - time.time())))


def _run_people(port: int, roles: list[tuple[str, Person]], start_at: float, stop_at: float) -> Tally:
    visitors = [(Visitor(port, person, role), role) for role, person in roles]
    threads = [threading.Thread(target=_act, args=(visitor, role, start_at, stop_at)) for visitor, role in visitors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Tally()
    for visitor, _role in visitors:
        total.add(visitor.tally)
    return total


def run_people(port: int, roles: list[tuple[str, Person]], seconds: float) -> Tally:
    """Every person a thread, the threads spread over a few processes, for `seconds` from a common start."""
    start_at = time.time() + 1.0
    stop_at = start_at + seconds
    groups = [roles[number::CLIENT_PROCESSES] for number in range(CLIENT_PROCESSES)]
    with multiprocessing.get_context("fork").Pool(CLIENT_PROCESSES) as pool:
        parts = pool.starmap(_run_people, [(port, group, start_at, stop_at) for group in groups])
    total = Tally()
    for part in parts:
        total.add(part)
    return total


def _sign_in_person(port: int, username: str, csrf_page: str, report_paths: tuple[str, ...] = ()) -> Person:
    browser: Browser = _sign_in(port, username)
    _status, page, _ = browser.send("GET", csrf_page)
    browser.close()
    (cookie,) = (value for _name, value in browser.cookie_header())
    return Person(cookie, CSRF.search(page).group(1), report_paths)


def _people(port: int, classes: list[int], quiz_module: int) -> list[tuple[str, Person]]:
    quiz = f"/courses/{COURSE}/m/module-{QUIZ_MODULE}/quiz"
    with ThreadPoolExecutor(8) as pool:
        learners = list(pool.map(lambda n: _sign_in_person(port, f"mixed{n}", quiz), range(LEARNERS)))
        trainers = list(pool.map(
            lambda n: _sign_in_person(port, f"mixed-trainer{n}", f"/classes/{classes[n]}",
                                      (f"/classes/{classes[n]}/report", f"/classes/{classes[n]}/items/{quiz_module}")),
            range(TRAINERS)))
    return [("learner", person) for person in learners] + [("trainer", person) for person in trainers]


def _measure(database: str, database_url: str, workdir: Path, settings: ServerSettings, sizes: Sizes,
             hello: Tally) -> list[Measurement]:
    classes, quiz_module = _seed(database_url, workdir)
    env = {"ARTICLE26_ENV": "production", "DATABASE_URL": database_url, "SECRET_KEY": "b" * 64,
           "COURSES_DIR": str(workdir / "courses")}
    with GunicornServer("bench.apps:article26()", settings, env=env, ready_path="/healthz") as server:
        rss_boot = server.worker_rss_by_pid()
        people = _people(server.port, classes, quiz_module)
        run_people(server.port, people, sizes.warm_up_seconds)
        rss_start = server.worker_rss_by_pid()
        tally = run_people(server.port, people, sizes.seconds)
        rss_end = server.worker_rss_by_pid()
    learner, trainer = tally.result("learner"), tally.result("trainer")
    everything = tally.result("learner", "trainer")
    hello_all = hello.result("hello")
    server_errors = sum(count for status, count in tally.statuses.items() if status >= 500)
    label = f"mixed {sizes.seconds:.0f} s, {LEARNERS} learners + {TRAINERS} trainers"
    rows = [
        Measurement(f"{label}: requests answered, think time 1-5 s ({database})", everything.ok / sizes.seconds,
                    "req/s"),
        Measurement(f"{label}: learner pages and quiz p50 ({database})", learner.percentile_ms(0.5), "ms",
                    hello_all.percentile_ms(0.5), "hello p50"),
        Measurement(f"{label}: learner pages and quiz p99 ({database})", learner.percentile_ms(0.99), "ms",
                    hello_all.percentile_ms(0.99), "hello p99"),
        Measurement(f"{label}: trainer reports (grid, item analysis) p50 ({database})", trainer.percentile_ms(0.5),
                    "ms", hello_all.percentile_ms(0.5), "hello p50"),
        Measurement(f"{label}: trainer reports p99 ({database})", trainer.percentile_ms(0.99), "ms",
                    hello_all.percentile_ms(0.99), "hello p99"),
        Measurement(f"{label}: 5xx responses ({database})", server_errors, "", target="0", met=server_errors == 0),
        Measurement(f"{label}: failed requests, any cause ({database})", tally.errors, "", target="0",
                    met=tally.errors == 0),
    ]
    replaced = set(rss_start) != set(rss_end)
    for number, pid in enumerate(sorted(rss_start), start=1):
        start, end = rss_start[pid], rss_end.get(pid, float("nan"))
        rows.append(Measurement(
            f"{label}: RSS of worker {number}, end vs start ({database}; {rss_boot.get(pid, 0):.0f} MB at boot)",
            end, "MB", start, "same worker at start",
            "< 10% growth", not replaced and end < 1.10 * start))
    if replaced:
        rows.append(Measurement(f"{label}: workers replaced during the run ({database})",
                                len(set(rss_start) - set(rss_end)), "", target="0", met=False))
    return rows


@benchmark("mixed-workload")
def mixed_workload(options: RunOptions) -> list[Measurement]:
    settings = ServerSettings()
    sizes = QUICK if options.quick else FULL
    with GunicornServer("bench.apps:hello", settings) as server:
        hello = run_people(server.port, [("hello", Person("", ""))] * (LEARNERS + TRAINERS), sizes.hello_seconds)
    rows: list[Measurement] = []
    for postgres in (False, True) if options.postgres else (False,):
        workdir = Path(tempfile.mkdtemp(prefix="a26-bench-mixed-"))
        database_url, drop_database = database_for_run(postgres, workdir)
        try:
            rows += _measure("PostgreSQL" if postgres else "SQLite", database_url, workdir, settings, sizes, hello)
        finally:
            drop_database()
            shutil.rmtree(workdir, ignore_errors=True)
    return rows


if __name__ == "__main__":
    from bench.report import print_table

    print_table(mixed_workload(RunOptions(quick=True)))
