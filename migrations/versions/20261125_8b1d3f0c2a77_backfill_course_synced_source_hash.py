"""backfill courses.synced_source_hash: a course created by sync never recorded the course.md text it read, so export
and sync took the folder's course.md for an edit made there

Revision ID: 8b1d3f0c2a77
Revises: 6de74e04a154
Create Date: 2026-11-25 16:30:00

A course synced at least once (synced_hash set) and not edited in the browser still holds the text the last sync
read: its hash is that text's. Courses edited in the browser are left as they are (unknown).
"""
import hashlib

import sqlalchemy as sa
from alembic import op

revision = '8b1d3f0c2a77'
down_revision = '6de74e04a154'
branch_labels = None
depends_on = None

courses = sa.table("courses", sa.column("id", sa.Integer), sa.column("source", sa.Text),
                   sa.column("synced_hash", sa.String), sa.column("synced_source_hash", sa.String),
                   sa.column("edited_in_browser", sa.Boolean))


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.select(courses.c.id, courses.c.source).where(
        courses.c.synced_source_hash.is_(None), courses.c.synced_hash.is_not(None),
        courses.c.edited_in_browser.is_(False))).all()
    for course_id, source in rows:
        connection.execute(courses.update().where(courses.c.id == course_id).values(
            synced_source_hash=hashlib.sha256(source.encode("utf-8")).hexdigest()))


def downgrade():
    pass  # the hashes are true either way
