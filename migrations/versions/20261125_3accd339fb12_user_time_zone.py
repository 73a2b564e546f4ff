"""user time zone: the IANA zone a person reads and types times in (empty: the installation's)

Revision ID: 3accd339fb12
Revises: 672f01f207d3
Create Date: 2026-11-25 23:52:51.906450

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3accd339fb12'
down_revision = '672f01f207d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
