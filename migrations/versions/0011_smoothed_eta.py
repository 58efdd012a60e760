"""each stop keeps its smoothed ETA (a Kalman filter over the pushes) beside the carrier's latest, and ETA
observations record it too, so learning can tell which of the two a carrier's texts should read

Revision ID: 0011_smoothed_eta
Revises: 0010_join_branches
Create Date: 2026-11-30 03:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011_smoothed_eta'
down_revision = '0010_join_branches'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('eta_smoothed', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('eta_variance', sa.Float(), nullable=True))
    with op.batch_alter_table('eta_observations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('smoothed_eta', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('eta_observations', schema=None) as batch_op:
        batch_op.drop_column('smoothed_eta')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_column('eta_variance')
        batch_op.drop_column('eta_smoothed')
