"""Settings, read from the environment. `ARTICLE26_ENV` picks the class: development (default), testing, production."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSECURE_DEFAULT_KEY = "dev-only-insecure-key"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Accept the URLs hosting providers hand out and route PostgreSQL through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEFAULT_KEY)
    # None means: a SQLite file in the instance folder (resolved in create_app).
    DATABASE_URL = os.environ.get("DATABASE_URL")
    COURSES_DIR = os.environ.get("COURSES_DIR", str(BASE_DIR / "courses"))
    REDIS_URL = os.environ.get("REDIS_URL")
    SIGNUP_ENABLED = _flag("SIGNUP_ENABLED", True)
    SQLITE_BUSY_TIMEOUT_MS = 15000

    SQLALCHEMY_ENGINE_OPTIONS: dict = {}  # connections idle for a while are pinged before use: app/pool_ping.py
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    PASSWORD_HASH_METHOD = "scrypt"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "a26_session"
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)  # "Keep me signed in on this device"
    # Otherwise the cookie ends with the browser and the server-side session within this time: a shared computer
    # (an internet café, a school tablet) does not stay signed in for days.
    BROWSER_SESSION_LIFETIME = timedelta(hours=12)
    # The sign-in's server-side row sets its lifetime (14 days from sign-in), so re-signing and re-sending the
    # cookie on every response would change nothing but cost each request.
    SESSION_REFRESH_EACH_REQUEST = False
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session; an open editor must not expire

    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    SIGNIN_LIMIT_PER_ACCOUNT = "5 per 5 minutes"
    SIGNIN_LIMIT_PER_IP = "30 per 5 minutes"
    SIGNUP_LIMIT_PER_IP = "30 per 5 minutes"  # failed sign-ups only (a taken username, a weak password)

    TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")  # where people type and read times: app/local_time.py
    LANGUAGES = ("en", "fr", "es", "ar")  # the interface's catalogues in app/translations
    BABEL_DEFAULT_LOCALE = "en"
    LOG_REQUESTS = True


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    # Fast hashes keep the suite quick; production uses scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    LOG_REQUESTS = False
    # The suite's own, whatever this machine exports: its times are asserted in UTC, and its limits count in
    # memory (per test) unless a test asks for Redis.
    TIME_ZONE = "UTC"
    REDIS_URL = None


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    name = os.environ.get("ARTICLE26_ENV", "development").strip().lower()
    if name not in CONFIGS:
        raise SystemExit(f"Article 26: ARTICLE26_ENV must be one of {', '.join(CONFIGS)}, not {name!r}.")
    return CONFIGS[name]
