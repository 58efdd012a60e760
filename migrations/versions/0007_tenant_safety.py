"""tenant safety: operator-assigned senders; credentials that expire and rotated-out keys in their grace period

Revision ID: 0007_tenant_safety
Revises: 0004_reply_understanding
Create Date: 2026-11-30 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0007_tenant_safety'
down_revision = '0004_reply_understanding'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'assigned_senders',
        sa.Column('sender', sa.String(length=20), nullable=False),
        sa.Column('shop_id', sa.String(length=32), nullable=False),
        sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_assigned_senders_shop_id_shops')),
        sa.PrimaryKeyConstraint('sender', name=op.f('pk_assigned_senders')),
    )
    op.create_index(op.f('ix_assigned_senders_shop_id'), 'assigned_senders', ['shop_id'], unique=False)
    op.create_table(
        'api_credentials',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_kind', sa.String(length=10), nullable=False),
        sa.Column('owner_id', sa.String(length=32), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_credentials')),
        sa.UniqueConstraint('secret_hash', name=op.f('uq_api_credentials_secret_hash')),
    )
    op.create_index(op.f('ix_api_credentials_owner_id'), 'api_credentials', ['owner_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_api_credentials_owner_id'), table_name='api_credentials')
    op.drop_table('api_credentials')
    op.drop_index(op.f('ix_assigned_senders_shop_id'), table_name='assigned_senders')
    op.drop_table('assigned_senders')
