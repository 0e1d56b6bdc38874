"""assessment: the months closed by a supervisor (the table as closed) and the awards made from them

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 11:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A closed month: the rule's name and every window's and clerk's score with its reasons, as
    # they were when the supervisor closed it (later corrections never change a closed month).
    op.create_table('assessment_month',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('scores', sa.Text(), nullable=False),
    sa.Column('closed_by', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['closed_by'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('month')
    )
    # The awards of a closed month, shown all the next month (shown_in) on the display.
    op.create_table('assessment_award',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('shown_in', sa.String(length=7), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('window_number', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('why', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['month'], ['assessment_month.month'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('month', 'code', 'window_number')
    )
    op.create_index('ix_assessment_award_shown', 'assessment_award', ['shown_in'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_assessment_award_shown', table_name='assessment_award')
    op.drop_table('assessment_award')
    op.drop_table('assessment_month')
