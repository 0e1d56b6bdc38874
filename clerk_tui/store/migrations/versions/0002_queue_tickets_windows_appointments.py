"""queue tickets windows appointments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('service_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('keywords', sa.String(length=400), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('keyword_index', sa.String(length=1600), nullable=False, server_default=''))

    op.create_table('ticket_counter',
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], ),
    sa.ForeignKeyConstraint(['queue_id'], ['queue.id'], ),
    sa.PrimaryKeyConstraint('hall_id', 'queue_id', 'business_date')
    )
    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('number_queue_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=8), nullable=False),
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.Column('target_window', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.Column('issued_by', sa.Integer(), nullable=True),
    sa.Column('window_number', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('called_at', sa.DateTime(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('no_show_at', sa.DateTime(), nullable=True),
    sa.Column('recalls', sa.Integer(), nullable=False),
    sa.Column('transfers', sa.Integer(), nullable=False),
    sa.Column('transferred_from', sa.Integer(), nullable=True),
    sa.Column('transfer_reason', sa.String(length=200), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], ),
    sa.ForeignKeyConstraint(['issued_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['service_item.id'], ),
    sa.ForeignKeyConstraint(['number_queue_id'], ['queue.id'], ),
    sa.ForeignKeyConstraint(['queue_id'], ['queue.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hall_id', 'number_queue_id', 'business_date', 'seq')
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_id_number', ['id_number', 'business_date'], unique=False)
        batch_op.create_index('ix_ticket_front', ['business_date', 'status', 'queue_id', 'priority', 'queued_at'], unique=False)

    op.create_table('appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('slot_start', sa.Time(), nullable=False),
    sa.Column('slot_end', sa.Time(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('external_ref', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['service_item.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index('ix_appointment_id_day', ['id_number', 'day'], unique=False)

    op.create_table('window_state',
    sa.Column('window_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('pause_reason', sa.String(length=100), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('current_ticket_id', sa.Integer(), nullable=True),
    sa.Column('normals_since_priority', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['current_ticket_id'], ['ticket.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['window_id'], ['window.id'], ),
    sa.PrimaryKeyConstraint('window_id'),
    sa.UniqueConstraint('staff_id')
    )



def downgrade() -> None:
    with op.batch_alter_table('service_item', schema=None) as batch_op:
        batch_op.drop_column('keyword_index')
        batch_op.drop_column('keywords')

    op.drop_table('window_state')
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index('ix_appointment_id_day')

    op.drop_table('appointment')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_front')
        batch_op.drop_index('ix_ticket_id_number')

    op.drop_table('ticket')
    op.drop_table('ticket_counter')

