"""Oversized and wrong-type uploads (beyond the editor test's PNG, disguised HTML and 2 MB cases), and forced
errors in the production configuration: no trace, SQL, path or secret, as HTML or JSON."""

from io import BytesIO

import pytest
from flask import Blueprint
from sqlalchemy import select
from sqlalchemy.exc import ProgrammingError

from app import create_app
from app.catalog.models import CourseAsset
from app.extensions import db
from config import ProductionConfig
from tests.catalog.test_sync import PNG
from tests.security.conftest import DRAFT, signed_in

UPLOAD = f"/author/{DRAFT}/images"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
POLYGLOT = PNG + b"<html><script>alert(document.domain)</script></html>"
GIF_POLYGLOT = b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=alert(1);//" + b"\x00" * 16


def upload(client, data: bytes, filename: str, **kwargs):
    return client.post(UPLOAD, data={"image": (BytesIO(data), filename)}, content_type="multipart/form-data",
                       follow_redirects=True, **kwargs)


def stored_paths(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(CourseAsset.path)))


@pytest.mark.parametrize(("data", "filename"), [
    (SVG, "drawing.svg"), (SVG, "drawing.png"), (b"", "empty.png"), (b"", ""),
    (b"<?php system($_GET['c']); ?>", "shell.php.png"), (b"MZ\x90\x00" + b"\x00" * 64, "tool.exe"),
    (b"%PDF-1.7\n", "paper.pdf"), (b"RIFF\x00\x00\x00\x00WAVEfmt ", "sound.webp"),
])
def test_anything_but_a_real_image_is_refused_and_stores_nothing(app, world, data, filename):
    trainer = signed_in(app, world.people.trainer)
    before = stored_paths(app)
    response = upload(trainer, data, filename)
    assert response.status_code == 200
    assert b"Upload a PNG, JPEG, GIF or WebP image." in response.data or b"Choose an image" in response.data \
        or b"This field is required" in response.data
    assert stored_paths(app) == before


@pytest.mark.parametrize(("data", "filename", "stored"), [
    (POLYGLOT, "page.html", "images/page.png"), (PNG, "evil.png.html", "images/evil-png.png"),
    (PNG, "../../app/templates/base.html", "images/base.png"), (GIF_POLYGLOT, "script.js", "images/script.gif"),
])
def test_a_polyglot_or_double_extension_is_stored_and_served_only_as_the_image_it_starts_as(
        app, world, data, filename, stored):
    trainer = signed_in(app, world.people.trainer)
    upload(trainer, data, filename)
    assert stored in stored_paths(app)
    served = trainer.get(f"/courses/{DRAFT}/assets/{stored}")
    assert served.status_code == 200 and served.mimetype in ("image/png", "image/gif")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert served.headers["Content-Disposition"] == "inline"


def test_a_body_over_max_content_length_is_refused_and_stores_nothing(app, world):
    """The image upload leads back to the course page with the size message; other clients get a 413."""
    trainer = signed_in(app, world.people.trainer)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    before = stored_paths(app)
    response = trainer.post(UPLOAD, data={"image": (BytesIO(PNG + b"\x00" * 70 * 1024), "big.png")},
                            content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"] == f"/author/{DRAFT}"
    assert b"Images can be at most 2 MB." in trainer.get(response.headers["Location"]).data
    assert stored_paths(app) == before
    learner = signed_in(app, world.people.learner)
    refused = learner.post(UPLOAD, data={"image": (BytesIO(PNG + b"\x00" * 70 * 1024), "big.png")},
                           content_type="multipart/form-data")
    assert refused.status_code == 413 and b"File too large" in refused.data and b'class="site-header"' in refused.data
    as_json = trainer.post(UPLOAD, data={"image": (BytesIO(b"\x00" * 70 * 1024), "big.png")},
                           content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert as_json.status_code == 413 and as_json.json["status"] == 413


@pytest.fixture
def production_app(tmp_path):
    app = create_app(ProductionConfig, {"SECRET_KEY": "s" * 48, "DATABASE_URL": f"sqlite:///{tmp_path}/prod.db",
                                        "RATELIMIT_STORAGE_URI": "memory://", "LOG_REQUESTS": False})
    failing = Blueprint("failing_in_production", __name__)

    @failing.route("/boom")
    def boom():
        raise RuntimeError(f"SELECT password_hash FROM users -- {__file__} key={app.config['SECRET_KEY']}")

    @failing.route("/boom-db")
    def boom_db():  # a statement error carries its SQL and parameters in its message
        raise ProgrammingError("SELECT password_hash FROM no_such_table WHERE id = ?", (1,), Exception(__file__))

    app.register_blueprint(failing)
    return app


@pytest.mark.parametrize("path", ["/boom", "/boom-db"])
@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_a_forced_500_in_production_shows_no_trace(production_app, path, accept, caplog):
    assert not production_app.debug and not production_app.testing
    caplog.set_level("CRITICAL", logger="app.errors")  # the traceback goes to the log, which is the point
    response = production_app.test_client().get(path, headers={"Accept": accept})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    for secret in ("Traceback", "SELECT", "password_hash", "no_such_table", ".py", "/work/", "s" * 48,
                   "RuntimeError", "OperationalError", "werkzeug", "sqlalchemy"):
        assert secret not in body, secret
    if accept == "application/json":
        assert response.json == {"error": "Something went wrong", "message": response.json["message"],
                                 "status": 500}
    else:
        assert "Something went wrong" in body and 'class="site-header"' in body
