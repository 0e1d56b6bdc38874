"""cases materials suspensions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 19:29:52.917930
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A case's history is the events whose subject is its number.
    op.create_index('ix_event_subject', 'event', ['subject'], unique=False)
    op.create_table('case_counter',
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], ),
    sa.PrimaryKeyConstraint('hall_id', 'day')
    )
    op.create_table('service_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('applicant_kind', sa.String(length=12), nullable=False),
    sa.Column('applicant_name', sa.String(length=100), nullable=False),
    sa.Column('applicant_id_number', sa.String(length=18), nullable=False),
    sa.Column('applicant_phone', sa.String(length=20), nullable=False),
    sa.Column('representative', sa.String(length=40), nullable=False),
    sa.Column('contact', sa.String(length=40), nullable=False),
    sa.Column('agent_name', sa.String(length=40), nullable=False),
    sa.Column('agent_id_number', sa.String(length=18), nullable=False),
    sa.Column('id_override', sa.String(length=200), nullable=False),
    sa.Column('id_override_by', sa.Integer(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('promised_days', sa.Integer(), nullable=False),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('due_provisional', sa.Boolean(), nullable=False),
    sa.Column('supplement_notices', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=400), nullable=False),
    sa.Column('competent_department', sa.String(length=100), nullable=False),
    sa.Column('competent_phone', sa.String(length=40), nullable=False),
    sa.Column('delivery_method', sa.String(length=12), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('handover_to_id', sa.Integer(), nullable=True),
    sa.Column('handover_reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], ),
    sa.ForeignKeyConstraint(['handover_to_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['id_override_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['service_item.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number', 'hall_id')
    )
    with op.batch_alter_table('service_case', schema=None) as batch_op:
        batch_op.create_index('ix_case_agent_id', ['agent_id_number'], unique=False)
        batch_op.create_index('ix_case_applicant_id', ['applicant_id_number'], unique=False)
        batch_op.create_index('ix_case_applicant_name', ['applicant_name'], unique=False,
                              postgresql_ops={'applicant_name': 'text_pattern_ops'})
        batch_op.create_index('ix_case_applicant_phone', ['applicant_phone'], unique=False)
        batch_op.create_index('ix_case_dept_status', ['department_id', 'status'], unique=False)
        batch_op.create_index('ix_case_handover_to', ['handover_to_id'], unique=False)
        batch_op.create_index('ix_case_owner_status', ['owner_id', 'status'], unique=False)
        batch_op.create_index('ix_case_status_due', ['status', 'due_date'], unique=False)

    op.create_table('case_material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('received', sa.Boolean(), nullable=False),
    sa.Column('form', sa.String(length=20), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_material', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_material_case_id'), ['case_id'], unique=False)

    op.create_table('case_suspension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('expected_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_suspension', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_suspension_case_id'), ['case_id'], unique=False)



def downgrade() -> None:
    op.drop_index('ix_event_subject', table_name='event')
    with op.batch_alter_table('case_suspension', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_suspension_case_id'))

    op.drop_table('case_suspension')
    with op.batch_alter_table('case_material', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_material_case_id'))

    op.drop_table('case_material')
    with op.batch_alter_table('service_case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_status_due')
        batch_op.drop_index('ix_case_handover_to')
        batch_op.drop_index('ix_case_owner_status')
        batch_op.drop_index('ix_case_dept_status')
        batch_op.drop_index('ix_case_applicant_phone')
        batch_op.drop_index('ix_case_applicant_name')
        batch_op.drop_index('ix_case_applicant_id')
        batch_op.drop_index('ix_case_agent_id')

    op.drop_table('service_case')
    op.drop_table('case_counter')
