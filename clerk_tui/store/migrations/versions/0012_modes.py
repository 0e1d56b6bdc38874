"""modes: service modes of a case (全程代办, 上门服务, 延时服务) and 前店后场 (the back office)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 11:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A department that approves in its back office: its windows only take the papers.
    with op.batch_alter_table('department') as batch:
        batch.add_column(sa.Column('back_office', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('service_case') as batch:
        batch.add_column(sa.Column('service_mode', sa.String(length=12), nullable=False, server_default=''))
        batch.add_column(sa.Column('agency_staff_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('visit_address', sa.String(length=200), nullable=False, server_default=''))
        batch.add_column(sa.Column('visit_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('after_hours', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('back_office_since', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('back_office_sends', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('back_office_minutes', sa.Integer(), nullable=False, server_default='0'))
        batch.create_foreign_key('fk_service_case_agency_staff', 'staff', ['agency_staff_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('service_case') as batch:
        batch.drop_constraint('fk_service_case_agency_staff', type_='foreignkey')
        for column in (
            'back_office_minutes',
            'back_office_sends',
            'back_office_since',
            'after_hours',
            'visit_at',
            'visit_address',
            'agency_staff_id',
            'service_mode',
        ):
            batch.drop_column(column)
    with op.batch_alter_table('department') as batch:
        batch.drop_column('back_office')
