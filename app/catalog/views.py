"""Serving course images from the database (so every app server has them)."""

from flask import Blueprint, Response, abort, request
from flask_login import current_user

from app.access import can_read_course
from app.catalog.queries import asset_by_path, course_by_slug
from app.catalog.services import ALLOWED_IMAGE_TYPES
from app.extensions import db

bp = Blueprint("catalog", __name__)


@bp.route("/courses/<course_slug>/assets/<path:path>")
def asset(course_slug: str, path: str):
    course = course_by_slug(db.session, course_slug)
    if course is None or not can_read_course(current_user, course):
        abort(404)
    found = asset_by_path(db.session, course.id, path)
    if found is None or found.content_type not in ALLOWED_IMAGE_TYPES:
        abort(404)
    etag = found.sha256
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    response = Response(found.data, mimetype=found.content_type)
    response.set_etag(etag)
    # Revalidated on every use (a 304 while unchanged): a trainer who replaces an image under the same path must see
    # the new one at once, as the upload page promises.
    response.headers["Cache-Control"] = "private, no-cache"
    # An image is never a document: even a forged file cannot run script in our origin.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Content-Disposition"] = "inline"
    return response
