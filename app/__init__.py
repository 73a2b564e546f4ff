"""Article 26: an open-source human rights education platform."""

import logging
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, g, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from app import templating
from app.pool_ping import ping_connections_that_sat_idle
from app.sqlite_writers import QueuedWriterConnection
from app.text_search import register_sqlite_functions
from config import INSECURE_DEFAULT_KEY, Config, config_from_environment, normalise_database_url

request_log = logging.getLogger("article26.requests")


def create_app(config: type[Config] | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config or config_from_environment())
    if overrides:
        app.config.update(overrides)
    _refuse_insecure_production(app)
    _refuse_unknown_time_zone(app)
    _configure_database(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    if app.config.get("PROXY_FIX_X_FOR"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]), x_proto=1)

    _init_extensions(app)
    _register_blueprints(app)

    from app.errors import register_error_handlers
    from app.security import register_security_headers

    register_error_handlers(app)
    register_security_headers(app)
    _register_request_log(app)
    _register_template_helpers(app)

    from app.cli import register_cli

    register_cli(app)
    return app


def _refuse_insecure_production(app: Flask) -> None:
    key = app.config.get("SECRET_KEY") or ""
    if app.config.get("SESSION_COOKIE_SECURE") and (key == INSECURE_DEFAULT_KEY or len(key) < 32):
        print("Article 26 refuses to start: set SECRET_KEY to a random value of at least 32 characters "
              "(python -c 'import secrets; print(secrets.token_hex(32))').", file=sys.stderr)
        raise SystemExit(1)


def _refuse_unknown_time_zone(app: Flask) -> None:
    try:
        ZoneInfo(app.config["TIME_ZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        print(f"Article 26 refuses to start: TIME_ZONE={app.config['TIME_ZONE']!r} is not a time zone name "
              "(use an IANA name such as Europe/Paris, Africa/Nairobi or UTC).", file=sys.stderr)
        raise SystemExit(1) from None


def _configure_database(app: Flask) -> None:
    url = app.config.get("DATABASE_URL")
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{Path(app.instance_path) / 'article26.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    if url.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "connect_args": {
                "timeout": app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000,  # sqlite3's busy timeout
                "factory": QueuedWriterConnection,  # writers queue on a file lock: see app/sqlite_writers.py
            },
        }


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        register_sqlite_functions(dbapi_connection)


def _init_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (registers every table with the metadata)
    from app.auth.services import user_for_login_session
    from app.extensions import MigrationSettings, babel, csrf, db, limiter, login_manager

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":  # a file does not drop connections
            ping_connections_that_sat_idle(db.engine)
    app.extensions["migrate"] = MigrationSettings(db, str(Path(__file__).resolve().parent.parent / "migrations"),
                                                  render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    templating.install(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str):
        return user_for_login_session(db.session, token)


def _select_locale() -> str:
    from flask import current_app, has_request_context, session

    from app.auth.forms import VISITOR_LANGUAGE

    supported = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated:
        if current_user.language in supported:
            return current_user.language
    elif session.get(VISITOR_LANGUAGE) in supported:
        return session[VISITOR_LANGUAGE]
    return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]


def _register_blueprints(app: Flask) -> None:
    from app.admin.views import bp as admin_bp
    from app.auth.views import bp as auth_bp
    from app.authoring.views import bp as authoring_bp
    from app.catalog.views import bp as catalog_bp
    from app.classrooms.views import BLUEPRINTS as classroom_blueprints
    from app.core.views import bp as core_bp
    from app.learning.views import bp as learning_bp
    from app.quizzes.views import bp as quizzes_bp

    for blueprint in (core_bp, auth_bp, admin_bp, catalog_bp, authoring_bp, quizzes_bp, learning_bp,
                      *classroom_blueprints):
        app.register_blueprint(blueprint)


REQUEST_LOG_FORMAT = "%(asctime)s %(name)s %(message)s"  # 2026-05-20T10:00:00+0000 article26.requests GET /x 200 3.1ms


class DevServerRequestLines(logging.Filter):
    """Drops the development server's own line per request (`flask run`): it holds the client's address and the
    query string, which the privacy page promises the logs never keep. The app's request log says the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        return " - - [" not in str(record.msg)


def _register_request_log(app: Flask) -> None:
    """One line per request: method, path (never the query string, which may hold tokens), status, duration."""
    dev_server_log = logging.getLogger("werkzeug")
    if not any(isinstance(existing, DevServerRequestLines) for existing in dev_server_log.filters):
        dev_server_log.addFilter(DevServerRequestLines())
    if app.config.get("LOG_REQUESTS") and not app.testing and not request_log.handlers:
        # gunicorn configures only its own loggers: without a handler these INFO lines would be dropped.
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(REQUEST_LOG_FORMAT, "%Y-%m-%dT%H:%M:%S%z"))
        request_log.addHandler(handler)
        request_log.setLevel(logging.INFO)
        request_log.propagate = False

    @app.before_request
    def start_timer():
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        if app.config.get("LOG_REQUESTS"):
            elapsed_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
            request_log.info("%s %s %s %.1fms", request.method, _loggable_path(), response.status_code, elapsed_ms)
        return response


# URL parts that open something to whoever holds them (quiz attempt tokens, class and certificate codes): logged by
# name, never by value.
SECRET_URL_ARGUMENTS = ("token", "code")


def _loggable_path() -> str:
    path = request.path
    for name in SECRET_URL_ARGUMENTS:
        value = (request.view_args or {}).get(name)
        if isinstance(value, str) and value:
            before, found, after = path.rpartition(f"/{value}")
            path = f"{before}/<{name}>{after}" if found else path
    return path


def _register_template_helpers(app: Flask) -> None:
    from app import access
    from app.auth.forms import LANGUAGE_CHOICES
    from app.local_time import certificate_date, local_time

    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["certificate_date"] = certificate_date
    app.jinja_env.filters["in_language"] = templating.in_language
    app.jinja_env.globals["site_languages"] = LANGUAGE_CHOICES

    @app.context_processor
    def inject_layout_helpers():
        language = str(get_locale() or "en")
        return {
            "html_lang": language,
            "text_direction": templating.direction(language),
            "access": access,
        }
