"""Factory helpers. Each pushes its own app context, commits, and returns detached, fully loaded objects."""

from itertools import count

from app.auth import services as auth_services
from app.extensions import db

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
