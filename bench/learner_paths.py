"""The learner's hot paths (issue 4): the module page, quiz submission by 32 learners at once, memory per worker.

Article 26 and a bare Flask "hello" app are served the same way (gunicorn on loopback, see ServerSettings) in the
same run; the second baseline is a static file (the site's stylesheet) sent by the same Article 26 server. Two more
rows measure requests that stop part-way through the page's work (bench/apps.py), served by a server of their own:
they show what share of the page's cost is paid before it renders anything.
Data is seeded through the app's own services: a course written to a temp dir and synced, learners created
and their attempts started in-process; the learners then sign in over HTTP (untimed) like browsers do.
Submissions are counted in the database afterwards: every 302 must be exactly one graded attempt.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

from bench import RunOptions, benchmark
from bench.content_sync import database_for_run
from bench.harness import Browser, ClientPlan, GunicornServer, LoadResult, Request, ServerSettings, run_load
from bench.report import Measurement

COURSE = "bench-course"
QUIZ_MODULE = "module-3"
READ_MODULE = "module-2"
STATIC_FILE = "/static/css/site.css"  # the second baseline: a file the same server sends as it is
PAGE_CLIENTS = 8
SUBMITTERS = 32
PASSWORD = "bench password 1234"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SUBMIT_PATH = re.compile(r'action="(/courses/[^"]+/quiz/attempts/[^"]+/submit)"')
# Right answers to the quiz tests/course_builder.py writes (prefix m3).
ANSWERS = {"q-m3-single": "b", "q-m3-multiple": ["a", "b"], "q-m3-truefalse": "b", "q-m3-short": "Article 26",
           "q-m3-case-first": "a"}
QUESTIONS = len(ANSWERS)


@dataclass(frozen=True)
class Sizes:
    """Each figure is measured in `rounds` rounds, each one followed at once by its baseline; the table reports the
    median round. A shared machine has bursts of load from outside: a burst then spoils one round, not the figure."""

    rounds: int
    page_seconds: float  # per round
    page_requests_per_client: int  # per round
    submissions_per_client: int  # per round: each is a different learner's attempt
    submission_seconds: float  # per round


FULL = Sizes(rounds=3, page_seconds=4, page_requests_per_client=4000, submissions_per_client=40,
             submission_seconds=30)
QUICK = Sizes(rounds=1, page_seconds=1, page_requests_per_client=300, submissions_per_client=4,
              submission_seconds=10)


def _seed(database_url: str, workdir: Path, learners: int, submitters: int) -> None:
    """Schema by migration, the course by sync, learners and their open attempts by the services."""
    import flask_migrate
    from sqlalchemy import select

    from app import create_app
    from app.auth import services as auth_services
    from app.catalog.cli import sync_library
    from app.catalog.models import Module
    from app.extensions import db
    from app.quizzes import services as quiz_services
    from config import Config
    from tests.course_builder import write_course

    # A cheap hash for seeded accounts only: the server verifies whatever method a stored hash names.
    app = create_app(Config, {"DATABASE_URL": database_url, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        flask_migrate.upgrade()
        write_course(workdir / "courses", COURSE, modules=3, quiz_modules=(3,), attempts=3, shuffle=True)
        assert sync_library(workdir / "courses", echo=lambda line: None), "bench course did not sync"
        module = db.session.scalar(select(Module).where(Module.slug == QUIZ_MODULE))
        for number in range(learners):
            user = auth_services.create_user(db.session, username=f"bench{number}", password=PASSWORD)
            if number < submitters:
                quiz_services.start_attempt(db.session, user, module)
        db.session.commit()
        db.engine.dispose()


def _sign_in(port: int, number: int) -> Browser:
    browser = Browser(port)
    status, page, _ = browser.send("GET", "/signin")
    status, _, _ = browser.send("POST", "/signin", {
        "username": f"bench{number}", "password": PASSWORD, "csrf_token": CSRF.search(page).group(1), "next": ""})
    if status != 302:
        raise RuntimeError(f"bench{number} could not sign in (HTTP {status})")
    return browser


def _submission(port: int, number: int) -> Request:
    """Sign in, open the quiz page (as the learner would) and return the timed request: submitting it."""
    browser = _sign_in(port, number)
    status, page, _ = browser.send("GET", f"/courses/{COURSE}/m/{QUIZ_MODULE}/quiz")
    browser.close()
    if status != 200 or not SUBMIT_PATH.search(page):
        raise RuntimeError(f"bench{number} found no open attempt (HTTP {status})")
    body = urlencode({**ANSWERS, "csrf_token": CSRF.search(page).group(1)}, doseq=True).encode()
    headers = (*browser.cookie_header(), ("Content-Type", "application/x-www-form-urlencoded"))
    return Request("POST", SUBMIT_PATH.search(page).group(1), headers, body, expect=302)


def _module_page(port: int, number: int) -> Request:
    browser = _sign_in(port, number)
    browser.close()
    return Request("GET", f"/courses/{COURSE}/m/{READ_MODULE}", browser.cookie_header())


def _count_attempts(database_url: str) -> tuple[int, int, int]:
    """(submitted attempts, answer rows, learners with more than one submitted attempt)"""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        submitted = connection.scalar(text("SELECT count(*) FROM quiz_attempts WHERE status = 'submitted'"))
        answers = connection.scalar(text("SELECT count(*) FROM attempt_answers"))
        doubled = connection.scalar(text(
            "SELECT count(*) FROM (SELECT user_id FROM quiz_attempts WHERE status = 'submitted' "
            "GROUP BY user_id HAVING count(*) > 1) AS doubled"))
    engine.dispose()
    return submitted, answers, doubled


def _hello_load(hello: GunicornServer, clients: int, sizes: Sizes) -> LoadResult:
    """The baseline under the same load, run right after the app's so that both see the same machine."""
    plans = [ClientPlan((Request("GET", "/"),))] * clients
    return run_load(hello.port, plans, max_requests_per_client=sizes.page_requests_per_client,
                    max_seconds=sizes.page_seconds)


def _median_round(rounds: list[tuple[LoadResult, ...]]) -> tuple[LoadResult, ...]:
    """The round whose first result has the median ratio to its baseline (the second result)."""
    def ratio(results: tuple[LoadResult, ...]) -> float:
        return results[0].per_second / results[1].per_second if results[1].per_second else 0.0
    return sorted(rounds, key=ratio)[len(rounds) // 2]


def _measure_app(database: str, database_url: str, workdir: Path, settings: ServerSettings, sizes: Sizes,
                 hello: GunicornServer) -> list[Measurement]:
    per_round = SUBMITTERS * sizes.submissions_per_client
    submitters = per_round * sizes.rounds
    _seed(database_url, workdir, learners=submitters + PAGE_CLIENTS, submitters=submitters)
    env = {"ARTICLE26_ENV": "production", "DATABASE_URL": database_url, "SECRET_KEY": "b" * 64,
           "COURSES_DIR": str(workdir / "courses")}
    with GunicornServer("bench.apps:article26()", settings, env=env, ready_path="/healthz") as server:
        with ThreadPoolExecutor(8) as pool:
            readers = list(pool.map(lambda n: _module_page(server.port, n),
                                    range(submitters, submitters + PAGE_CLIENTS)))
            submissions = list(pool.map(lambda n: _submission(server.port, n), range(submitters)))
        reader_plans = [ClientPlan((request,)) for request in readers]
        static_plans = [ClientPlan((Request("GET", STATIC_FILE),))] * PAGE_CLIENTS
        run_load(server.port, reader_plans, max_requests_per_client=50, max_seconds=1)  # warm-up
        page_rounds, static_rounds, submit_rounds = [], [], []
        for number in range(sizes.rounds):
            page = run_load(server.port, reader_plans, max_requests_per_client=sizes.page_requests_per_client,
                            max_seconds=sizes.page_seconds)
            page_rounds.append((page, _hello_load(hello, PAGE_CLIENTS, sizes)))
            static = run_load(server.port, static_plans, max_requests_per_client=sizes.page_requests_per_client,
                              max_seconds=sizes.page_seconds)
            static_rounds.append((static, _hello_load(hello, PAGE_CLIENTS, sizes)))
            # Each of the 32 clients submits its own learners' attempts back to back: one attempt per learner.
            this_round = submissions[number * per_round:(number + 1) * per_round]
            plans = [ClientPlan(tuple(this_round[client::SUBMITTERS]), repeat=False) for client in range(SUBMITTERS)]
            submit = run_load(server.port, plans, max_requests_per_client=sizes.submissions_per_client,
                              max_seconds=sizes.submission_seconds)
            submit_rounds.append((submit, _hello_load(hello, SUBMITTERS, sizes)))
        rss = max(server.worker_rss_mb())
    floors = _measure_page_floors(env, settings, sizes, hello, readers, database)
    submitted, answers, doubled = _count_attempts(database_url)
    accepted = sum(submit.ok for submit, _hello in submit_rounds)
    lost_or_duplicated = abs(submitted - accepted) + doubled + abs(answers - QUESTIONS * submitted)
    errors = Errors(page=_errors(page_rounds), static=_errors(static_rounds), submit=_errors(submit_rounds),
                    submit_accepted=accepted)
    page, hello_page = _median_round(page_rounds)
    static, hello_static = _median_round(static_rounds)
    submit, hello_32 = _median_round(submit_rounds)
    return _figures(database, settings, sizes, page, submit, rss, lost_or_duplicated, submitters,
                    hello_page, hello_32, max(hello.worker_rss_mb()), static, hello_static, errors, floors)


FLOORS = {  # path on the floors server (bench/apps.py) -> what the row says it measures
    "/bench/floor/signed-in": "the signed-in user loaded",
    f"/bench/floor/page-statement/{COURSE}/{READ_MODULE}": "the user loaded and the page's statement run",
}


def _measure_page_floors(env: dict[str, str], settings: ServerSettings, sizes: Sizes, hello: GunicornServer,
                         readers: list[Request], database: str) -> list[Measurement]:
    """How the module page's ratio compares with requests that stop part-way through its work, measured the same
    way (the same 8 signed-in learners: their sessions live in the database, so their cookies work here too)."""
    rows = []
    with GunicornServer("bench.apps:article26_with_page_floors()", settings, env=env,
                        ready_path="/healthz") as floors:
        for path, label in FLOORS.items():
            plans = [ClientPlan((replace(reader, path=path),)) for reader in readers]
            run_load(floors.port, plans, max_requests_per_client=50, max_seconds=1)  # warm-up
            rounds = []
            for _number in range(sizes.rounds):
                floor = run_load(floors.port, plans, max_requests_per_client=sizes.page_requests_per_client,
                                 max_seconds=sizes.page_seconds)
                rounds.append((floor, _hello_load(hello, PAGE_CLIENTS, sizes)))
            floor, hello_floor = _median_round(rounds)
            errors = _errors(rounds)
            rows.append(Measurement(
                f"module page's floor: {label}, no template, {PAGE_CLIENTS} clients ({database})",
                floor.per_second, "req/s", hello_floor.per_second, "hello", "0 errors", errors == 0))
    return rows


@dataclass(frozen=True)
class Errors:
    """Failed requests summed over every round (the figures come from the median round)."""

    page: int
    static: int
    submit: int
    submit_accepted: int

    @property
    def submit_sent(self) -> int:
        return self.submit_accepted + self.submit


def _errors(rounds: list[tuple[LoadResult, ...]]) -> int:
    return sum(results[0].errors for results in rounds)


def _figures(database: str, settings: ServerSettings, sizes: Sizes, page: LoadResult, submit: LoadResult,
             rss: float, lost_or_duplicated: int, submitters: int, hello_page: LoadResult, hello_32: LoadResult,
             hello_rss: float, static: LoadResult, hello_static: LoadResult, errors: Errors,
             floors: list[Measurement]) -> list[Measurement]:
    ratio = page.per_second / hello_page.per_second if hello_page.per_second else 0.0
    median = f"median of {sizes.rounds} rounds, " if sizes.rounds > 1 else ""
    return [
        Measurement(f"module page, signed-in learner, {PAGE_CLIENTS} clients ({median}{database})", page.per_second,
                    "req/s", hello_page.per_second, "hello", "ratio >= 0.35", ratio >= 0.35 and errors.page == 0),
        Measurement(f"module page vs a static file from the same server ({database})", page.per_second, "req/s",
                    static.per_second, "static file"),
        Measurement(f"static file {STATIC_FILE} from the Article 26 server, {PAGE_CLIENTS} clients ({database})",
                    static.per_second, "req/s", hello_static.per_second, "hello", "0 errors", errors.static == 0),
        Measurement(f"module page p50 ({database})", page.percentile_ms(0.5), "ms",
                    hello_page.percentile_ms(0.5), "hello p50"),
        Measurement(f"module page p99 ({database})", page.percentile_ms(0.99), "ms",
                    hello_page.percentile_ms(0.99), "hello p99"),
        Measurement(f"module page errors, all rounds ({database})", errors.page, "", target="0",
                    met=errors.page == 0),
        *floors,
        Measurement(f"quiz submissions, {SUBMITTERS} learners at once ({median}{database})", submit.per_second,
                    "submissions/s", hello_32.per_second, f"hello, {SUBMITTERS} clients", ">= 500/s",
                    submit.per_second >= 500),
        Measurement(f"quiz submission p50 ({database})", submit.percentile_ms(0.5), "ms",
                    hello_32.percentile_ms(0.5), "hello p50"),
        Measurement(f"quiz submission p99 ({database})", submit.percentile_ms(0.99), "ms",
                    hello_32.percentile_ms(0.99), "hello p99", "< 150 ms", submit.percentile_ms(0.99) < 150),
        Measurement(f"quiz submission errors, {errors.submit_sent} sent of {submitters} ({database})",
                    errors.submit, "", target="0", met=errors.submit == 0),
        Measurement(f"lost or duplicated attempts, counted in the database ({database})", lost_or_duplicated, "",
                    target="0", met=lost_or_duplicated == 0),
        Measurement(f"RSS per worker, largest ({database}; {settings.describe()})", rss, "MB",
                    hello_rss, "hello worker", "< 100 MB", rss < 100),
    ]


@benchmark("learner-paths")
def learner_paths(options: RunOptions) -> list[Measurement]:
    settings = ServerSettings(worker_class=os.environ.get("BENCH_WORKER_CLASS", "gthread"),
                              threads=int(os.environ.get("BENCH_THREADS", ServerSettings.threads)))
    sizes = QUICK if options.quick else FULL
    rows: list[Measurement] = []
    with GunicornServer("bench.apps:hello", settings) as hello:
        _hello_load(hello, PAGE_CLIENTS, QUICK)  # warm-up
        for postgres in (False, True) if options.postgres else (False,):
            workdir = Path(tempfile.mkdtemp(prefix="a26-bench-learner-"))
            database_url, drop_database = database_for_run(postgres, workdir)
            try:
                rows += _measure_app("PostgreSQL" if postgres else "SQLite", database_url, workdir, settings,
                                     sizes, hello)
            finally:
                drop_database()
                shutil.rmtree(workdir, ignore_errors=True)
    return rows
