"""print jobs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 20:07:52.167951
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('print_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document', sa.String(length=24), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=True),
    sa.Column('printer', sa.String(length=300), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=400), nullable=False),
    sa.Column('reprint', sa.Integer(), nullable=False),
    sa.Column('options', sa.Text(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('printed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.create_index('ix_print_job_status', ['status'], unique=False)
        batch_op.create_index('ix_print_job_subject', ['document', 'subject'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.drop_index('ix_print_job_subject')
        batch_op.drop_index('ix_print_job_status')

    op.drop_table('print_job')
