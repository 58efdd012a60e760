"""how each reply was understood; the never-read conversation counter goes

Revision ID: 0004_reply_understanding
Revises: 0003_eta_model
Create Date: 2026-11-29 23:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004_reply_understanding'
down_revision = '0003_eta_model'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('understood_as', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('confidence', sa.Float(), nullable=True))
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('auto_replies')


def downgrade():
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auto_replies', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('confidence')
        batch_op.drop_column('understood_as')
