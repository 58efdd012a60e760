"""carrier KPIs: per-parcel facts and daily tallies kept current by the sweeper; indexes the refresh reads

Revision ID: 0008_carrier_kpis
Revises: 0004_reply_understanding
Create Date: 2026-11-30 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0008_carrier_kpis'
down_revision = '0004_reply_understanding'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'kpi_parcels',
        sa.Column('shipment_id', sa.String(length=32), nullable=False),
        sa.Column('shop_id', sa.String(length=32), nullable=False),
        sa.Column('carrier_id', sa.String(length=32), nullable=False),
        sa.Column('region', sa.String(length=60), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('counted', sa.Boolean(), nullable=False),
        sa.Column('finished', sa.Boolean(), nullable=False),
        sa.Column('first_scan_minutes', sa.Float(), nullable=True),
        sa.Column('scans_complete', sa.Boolean(), nullable=True),
        sa.Column('exception', sa.Boolean(), nullable=False),
        sa.Column('delivered', sa.Boolean(), nullable=False),
        sa.Column('on_time', sa.Boolean(), nullable=True),
        sa.Column('window_held', sa.Boolean(), nullable=True),
        sa.Column('first_attempt_ok', sa.Boolean(), nullable=True),
        sa.Column('avoided', sa.String(length=20), nullable=True),
        sa.Column('replied', sa.Boolean(), nullable=False),
        sa.Column('rebooked', sa.Boolean(), nullable=False),
        sa.Column('opted_out', sa.Boolean(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('shipment_id', name=op.f('pk_kpi_parcels')),
    )
    op.create_index('ix_kpi_parcels_shop_carrier_day', 'kpi_parcels', ['shop_id', 'carrier_id', 'day'])
    op.create_table(
        'kpi_days',
        sa.Column('shop_id', sa.String(length=32), nullable=False),
        sa.Column('carrier_id', sa.String(length=32), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('region', sa.String(length=60), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('histograms', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('shop_id', 'carrier_id', 'day', 'region', name=op.f('pk_kpi_days')),
    )
    op.create_index('ix_shipments_shop_created', 'shipments', ['shop_id', 'created_at'])
    op.create_index('ix_shipments_updated_at', 'shipments', ['updated_at'])
    op.create_index('ix_status_events_received_at', 'status_events', ['received_at'])
    op.create_index('ix_messages_updated_at', 'messages', ['updated_at'])


def downgrade():
    op.drop_index('ix_messages_updated_at', table_name='messages')
    op.drop_index('ix_status_events_received_at', table_name='status_events')
    op.drop_index('ix_shipments_updated_at', table_name='shipments')
    op.drop_index('ix_shipments_shop_created', table_name='shipments')
    op.drop_table('kpi_days')
    op.drop_index('ix_kpi_parcels_shop_carrier_day', table_name='kpi_parcels')
    op.drop_table('kpi_parcels')
