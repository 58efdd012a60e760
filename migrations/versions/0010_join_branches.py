"""join the branches that grew in parallel from 0004: console and exception ladder, tenant safety,
carrier KPIs, the window each message told

Revision ID: 0010_join_branches
Revises: 0006_exception_ladder, 0007_tenant_safety, 0008_carrier_kpis, 0009_told_window
Create Date: 2026-11-30 00:10:00

"""

revision = '0010_join_branches'
down_revision = ('0006_exception_ladder', '0007_tenant_safety', '0008_carrier_kpis', '0009_told_window')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
