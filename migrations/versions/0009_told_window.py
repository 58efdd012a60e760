"""each outbound text records the window it told and the minutes it said; ETA observations know their route,
and each route's bias today is kept for the pushes that follow

Revision ID: 0009_told_window
Revises: 0004_reply_understanding
Create Date: 2026-11-29 23:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0009_told_window'
down_revision = '0004_reply_understanding'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('window_start', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('window_end', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('minutes', sa.Integer(), nullable=True))
    with op.batch_alter_table('eta_observations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('route_id', sa.String(length=100), nullable=True))
        batch_op.create_index('ix_eta_observations_route_arrived', ['route_id', 'arrived_at'], unique=False)
    op.create_table('eta_route_days',
    sa.Column('route_id', sa.String(length=100), nullable=False),
    sa.Column('model', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('route_id', name=op.f('pk_eta_route_days'))
    )


def downgrade():
    op.drop_table('eta_route_days')
    with op.batch_alter_table('eta_observations', schema=None) as batch_op:
        batch_op.drop_index('ix_eta_observations_route_arrived')
        batch_op.drop_column('route_id')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('minutes')
        batch_op.drop_column('window_end')
        batch_op.drop_column('window_start')
