"""Factory helpers. Each pushes its own app context, commits, and returns detached, fully loaded objects."""

import tempfile
from itertools import count
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth import services as auth_services
from app.catalog.cli import sync_library
from app.catalog.models import Course
from app.extensions import db
from tests.course_builder import write_course

DEFAULT_PASSWORD = "correct horse battery"


class Factory:
    def __init__(self, app):
        self.app = app
        self._numbers = count(1)

    def _detached(self, obj):
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
        return obj

    def user(self, role: str = "learner", username: str | None = None, password: str = DEFAULT_PASSWORD, **fields):
        username = username or f"user{next(self._numbers)}"
        with self.app.app_context():
            user = auth_services.create_user(db.session, username=username, password=password, role=role, **fields)
            return self._detached(user)

    def course(self, slug: str = "test-course", *, root: Path | None = None, **options) -> Course:
        """Write a course folder (see tests/course_builder.py) and sync it; returns the Course with its modules."""
        root = root or Path(tempfile.mkdtemp(prefix="a26-courses-"))
        write_course(root, slug, **options)
        return self.synced_course(root, slug)

    def synced_course(self, root: Path, slug: str) -> Course:
        """Sync every course under root and return the one with this slug, detached with its modules loaded."""
        with self.app.app_context():
            assert sync_library(root, echo=lambda line: None), f"sync of {root} failed"
            course = db.session.scalar(select(Course).where(Course.slug == slug).options(selectinload(Course.modules)))
            for module in course.modules:
                db.session.refresh(module)
            db.session.expunge_all()
            return course
