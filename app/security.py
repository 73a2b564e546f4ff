"""Response headers and redirect safety shared by every blueprint."""

from urllib.parse import urlsplit

from flask import Flask, Response, abort, request, session

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)


def is_safe_redirect_path(target: str | None) -> bool:
    """Only same-origin relative paths: '/learn/x' yes; '//evil', '/\\evil', 'https://evil', 'javascript:' no."""
    if not target or not target.startswith("/"):
        return False
    if any(ord(char) < 32 or char == "\\" for char in target):
        return False
    if target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_redirect_path(target: str | None, fallback: str) -> str:
    return target if is_safe_redirect_path(target) else fallback


def refuse_nul_bytes() -> None:
    """NUL is never valid text, and PostgreSQL rejects it in text columns: refuse it at the door."""
    for source in (request.args, request.form):
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                abort(400)


class SecurityHeadersMiddleware:
    """Adds SECURITY_HEADERS to every response that does not set its own (uploaded images get a stricter policy).
    At the WSGI level it is a list extend; through Werkzeug's Headers it cost a scan per header per response."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        def start_with_security_headers(status, headers, exc_info=None):
            present = {name.lower() for name, _value in headers}
            headers.extend(header for lower_name, header in _SECURITY_HEADERS_BY_LOWER_NAME
                           if lower_name not in present)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_with_security_headers)


_SECURITY_HEADERS_BY_LOWER_NAME = tuple((name.lower(), (name, value)) for name, value in SECURITY_HEADERS)


CACHEABLE_WHEN_SIGNED_IN = frozenset({"static", "catalog.asset"})


def register_security_headers(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)
    app.wsgi_app = SecurityHeadersMiddleware(app.wsgi_app)

    @app.after_request
    def keep_signed_in_pages_private(response: Response) -> Response:
        # The session says whether someone is signed in; asking current_user would load them from the database
        # on every response, static files included. The site's own files and course images are the same for
        # everyone who may see them: they stay cacheable (revalidated), or every page would download them again.
        if "_user_id" in session and request.endpoint not in CACHEABLE_WHEN_SIGNED_IN:
            response.headers["Cache-Control"] = "no-store"
            response.headers.add("Vary", "Cookie")
        return response
