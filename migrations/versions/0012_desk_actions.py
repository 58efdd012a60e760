"""the service desk's actions on a parcel (pause texts, VIP, tracking link, answer) are logged on its story
beside the notes: who did what, when

Revision ID: 0012_desk_actions
Revises: 0011_smoothed_eta
Create Date: 2026-11-30 06:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0012_desk_actions'
down_revision = '0011_smoothed_eta'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('notes', sa.Column('action', sa.String(length=32), nullable=True))


def downgrade():
    op.execute('ALTER TABLE notes DROP COLUMN action')
