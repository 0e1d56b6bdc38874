"""inquiries alerts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 20:27:29.685623
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_dismissal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alert_dismissal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_dismissal_key'), ['key'], unique=False)

    op.create_table('inquiry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('responder_id', sa.Integer(), nullable=False),
    sa.Column('window_number', sa.Integer(), nullable=True),
    sa.Column('asker_name', sa.String(length=40), nullable=False),
    sa.Column('asker_phone', sa.String(length=20), nullable=False),
    sa.Column('matter', sa.String(length=400), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('note', sa.String(length=400), nullable=False),
    sa.Column('to_window', sa.Integer(), nullable=True),
    sa.Column('to_queue', sa.String(length=1), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('department_name', sa.String(length=100), nullable=False),
    sa.Column('contact_name', sa.String(length=40), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('appointment_at', sa.DateTime(), nullable=True),
    sa.Column('handed_over_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['service_item.id'], ),
    sa.ForeignKeyConstraint(['responder_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inquiry', schema=None) as batch_op:
        batch_op.create_index('ix_inquiry_responder_status', ['responder_id', 'status'], unique=False)
        batch_op.create_index('ix_inquiry_status', ['status'], unique=False)

    with op.batch_alter_table('service_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handover_at', sa.DateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('service_case', schema=None) as batch_op:
        batch_op.drop_column('handover_at')

    with op.batch_alter_table('inquiry', schema=None) as batch_op:
        batch_op.drop_index('ix_inquiry_status')
        batch_op.drop_index('ix_inquiry_responder_status')

    op.drop_table('inquiry')
    with op.batch_alter_table('alert_dismissal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_dismissal_key'))

    op.drop_table('alert_dismissal')
