"""live participants: who opened a live session's page, so the presenter sees who has joined

Revision ID: 0e4460d248e4
Revises: b7e2c4d9a1f0
Create Date: 2026-11-25 20:30:08.734061

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0e4460d248e4'
down_revision = 'b7e2c4d9a1f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_participants_session_id_live_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_participants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_participants')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_live_participants_session_id_user_id'))
    )
    with op.batch_alter_table('live_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_participants_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_participants_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('live_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_participants_user_id'))
        batch_op.drop_index(batch_op.f('ix_live_participants_session_id'))

    op.drop_table('live_participants')
