"""report days

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 21:01:18.680730
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('by', sa.String(length=12), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'by', 'key')
    )


def downgrade() -> None:
    op.drop_table('report_day')
