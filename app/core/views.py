from flask import Blueprint, jsonify, redirect, render_template, url_for
from sqlalchemy import text

from app.errors import forget_user_without_database
from app.extensions import db

bp = Blueprint("core", __name__, template_folder="templates")


@bp.route("/")
def home():
    return render_template("core/home.html")


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says: point them at the site's icon
    instead of logging a 404 for every first visit."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.route("/privacy")
def privacy():
    return render_template("core/privacy.html")


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not ready", whatever the driver raised
        db.session.rollback()
        forget_user_without_database()
        return jsonify({"status": "unavailable"}), 503, {"Retry-After": "30"}
    return jsonify({"status": "ok"})
