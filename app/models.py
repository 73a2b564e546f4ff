"""Imports every domain's models so that metadata (create_all, Alembic) sees all tables."""

from app.auth.models import LoginSession, User  # noqa: F401
