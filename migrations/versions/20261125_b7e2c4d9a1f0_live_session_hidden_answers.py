"""live session hidden answers: typed answers the presenter took off the projected screen

Revision ID: b7e2c4d9a1f0
Revises: 8b1d3f0c2a77
Create Date: 2026-11-25 20:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2c4d9a1f0'
down_revision = '8b1d3f0c2a77'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_answers', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_column('hidden_answers')
