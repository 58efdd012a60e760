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


# Plain ALTER TABLE on both PostgreSQL and SQLite (3.35+ drops columns): a SQLite batch rebuild of shipments would
# lose its expression index (lower(recipient_name), migration 0005).
def upgrade():
    op.add_column('shipments', sa.Column('eta_smoothed', sa.DateTime(timezone=True), nullable=True))
    op.add_column('shipments', sa.Column('eta_variance', sa.Float(), nullable=True))
    op.add_column('shipments', sa.Column('eta_roughness', sa.Float(), nullable=True))
    op.add_column('shipments', sa.Column('texts_roughness', sa.Float(), nullable=True))
    op.add_column('eta_observations', sa.Column('eta_smoothed', sa.DateTime(timezone=True), nullable=True))
    op.add_column('eta_observations', sa.Column('texts_roughness', sa.Float(), nullable=True))


def downgrade():
    for table, column in (('eta_observations', 'texts_roughness'), ('eta_observations', 'eta_smoothed'),
                          ('shipments', 'texts_roughness'), ('shipments', 'eta_roughness'),
                          ('shipments', 'eta_variance'), ('shipments', 'eta_smoothed')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
