"""the exception ladder: per-shop settings, compensation code pools, ladder steps taken per silence

Revision ID: 0006_exception_ladder
Revises: 0005_console
Create Date: 2026-11-30 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0006_exception_ladder'
down_revision = '0005_console'
branch_labels = None
depends_on = None

LIVE = "status NOT IN ('delivered', 'cancelled', 'returned')"
FREE = "shipment_id IS NULL"


def upgrade():
    op.create_table(
        'ladder_settings',
        sa.Column('shop_id', sa.String(length=32), nullable=False),
        sa.Column('ticket_after_hours', sa.Integer(), nullable=False),
        sa.Column('apology_after_hours', sa.Integer(), nullable=False),
        sa.Column('compensation_after_hours', sa.Integer(), nullable=False),
        sa.Column('compensation_delay_hours', sa.Integer(), nullable=True),
        sa.Column('ticket_on', sa.Boolean(), nullable=False),
        sa.Column('apology_on', sa.Boolean(), nullable=False),
        sa.Column('compensation_on', sa.Boolean(), nullable=False),
        sa.Column('pool_low_level', sa.Integer(), nullable=False),
        sa.Column('pool_low_warned', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_ladder_settings_shop_id_shops')),
        sa.PrimaryKeyConstraint('shop_id', name=op.f('pk_ladder_settings')),
    )
    op.create_table(
        'compensation_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.String(length=32), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('shipment_id', sa.String(length=32), nullable=True),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'],
                                name=op.f('fk_compensation_codes_shipment_id_shipments')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_compensation_codes_shop_id_shops')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_compensation_codes')),
        sa.UniqueConstraint('shipment_id', name=op.f('uq_compensation_codes_shipment_id')),
        sa.UniqueConstraint('shop_id', 'code', name=op.f('uq_compensation_codes_shop_id_code')),
    )
    op.create_index('ix_compensation_codes_free', 'compensation_codes', ['shop_id', 'id'], unique=False,
                    postgresql_where=sa.text(FREE), sqlite_where=sa.text(FREE))
    op.create_table(
        'ladder_steps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.String(length=32), nullable=False),
        sa.Column('shipment_id', sa.String(length=32), nullable=False),
        sa.Column('silence_started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('step', sa.String(length=20), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('detail', sa.String(length=300), nullable=False),
        sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_ladder_steps_shipment_id_shipments')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_ladder_steps_shop_id_shops')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ladder_steps')),
        sa.UniqueConstraint('shipment_id', 'silence_started_at', 'step',
                            name=op.f('uq_ladder_steps_shipment_id_silence_started_at_step')),
    )
    op.create_index('ix_shipments_live_status_at', 'shipments', ['status_at'], unique=False,
                    postgresql_where=sa.text(LIVE), sqlite_where=sa.text(LIVE))
    op.create_index('ix_shipments_live_window_end', 'shipments', ['window_end'], unique=False,
                    postgresql_where=sa.text(LIVE), sqlite_where=sa.text(LIVE))


def downgrade():
    op.drop_index('ix_shipments_live_window_end', table_name='shipments')
    op.drop_index('ix_shipments_live_status_at', table_name='shipments')
    op.drop_table('ladder_steps')
    op.drop_index('ix_compensation_codes_free', table_name='compensation_codes')
    op.drop_table('compensation_codes')
    op.drop_table('ladder_settings')
