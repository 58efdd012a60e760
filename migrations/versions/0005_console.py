"""the support console: staff logins, tickets, notes, paused and VIP parcels, search indexes

Revision ID: 0005_console
Revises: 0004_reply_understanding
Create Date: 2026-11-30 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0005_console'
down_revision = '0004_reply_understanding'
branch_labels = None
depends_on = None

ATTENTION = "status IN ('failed', 'undelivered') OR understood_as = 'needs_person'"


def upgrade():
    op.create_table(
        'staff_users',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('shop_id', sa.String(length=32), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('role', sa.String(length=10), nullable=False),
        sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('session_version', sa.Integer(), server_default='1', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_staff_users_shop_id_shops')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
        sa.UniqueConstraint('email', name=op.f('uq_staff_users_email')),
    )
    op.create_index(op.f('ix_staff_users_shop_id'), 'staff_users', ['shop_id'], unique=False)

    op.create_table(
        'tickets',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('shop_id', sa.String(length=32), nullable=False),
        sa.Column('shipment_id', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('urgent', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('opened_by', sa.String(length=40), nullable=False),
        sa.Column('closed_by', sa.String(length=40), nullable=True),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_tickets_shipment_id_shipments')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_tickets_shop_id_shops')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    )
    op.create_index(op.f('ix_tickets_shipment_id'), 'tickets', ['shipment_id'], unique=False)
    op.create_index('ix_tickets_shop_status_created', 'tickets', ['shop_id', 'status', 'created_at'], unique=False)
    op.create_index('uq_tickets_open_shipment_kind', 'tickets', ['shipment_id', 'kind'], unique=True,
                    postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))

    op.create_table(
        'notes',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('shop_id', sa.String(length=32), nullable=False),
        sa.Column('shipment_id', sa.String(length=32), nullable=False),
        sa.Column('staff_id', sa.String(length=32), nullable=True),
        sa.Column('author', sa.String(length=254), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_notes_shipment_id_shipments')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_notes_shop_id_shops')),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_notes_staff_id_staff_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notes')),
    )
    op.create_index(op.f('ix_notes_shipment_id'), 'notes', ['shipment_id'], unique=False)

    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('texts_paused', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('vip', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_shipments_shop_tracking', ['shop_id', 'tracking_number'], unique=False)
        batch_op.create_index('ix_shipments_shop_phone', ['shop_id', 'recipient_phone'], unique=False)
    # An expression index: lower(name) prefix search inside one shop.
    if op.get_context().dialect.name == 'postgresql':
        op.execute('CREATE INDEX ix_shipments_shop_name_lower ON shipments '
                   '(shop_id, lower(recipient_name) varchar_pattern_ops)')
    else:
        op.execute('CREATE INDEX ix_shipments_shop_name_lower ON shipments (shop_id, lower(recipient_name))')
    op.create_index('ix_messages_shop_attention', 'messages', ['shop_id', 'created_at'], unique=False,
                    postgresql_where=sa.text(ATTENTION), sqlite_where=sa.text(ATTENTION))


def downgrade():
    op.drop_index('ix_messages_shop_attention', table_name='messages')
    op.execute('DROP INDEX ix_shipments_shop_name_lower')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index('ix_shipments_shop_phone')
        batch_op.drop_index('ix_shipments_shop_tracking')
        batch_op.drop_column('vip')
        batch_op.drop_column('texts_paused')
    op.drop_index(op.f('ix_notes_shipment_id'), table_name='notes')
    op.drop_table('notes')
    op.drop_index('uq_tickets_open_shipment_kind', table_name='tickets')
    op.drop_index('ix_tickets_shop_status_created', table_name='tickets')
    op.drop_index(op.f('ix_tickets_shipment_id'), table_name='tickets')
    op.drop_table('tickets')
    op.drop_index(op.f('ix_staff_users_shop_id'), table_name='staff_users')
    op.drop_table('staff_users')
