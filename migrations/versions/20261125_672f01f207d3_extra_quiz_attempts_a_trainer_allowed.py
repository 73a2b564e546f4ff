"""extra quiz attempts a trainer allowed

Revision ID: 672f01f207d3
Revises: 0e4460d248e4
Create Date: 2026-11-25 21:32:40.561208

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '672f01f207d3'
down_revision = '0e4460d248e4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extra_attempts', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.drop_column('extra_attempts')
