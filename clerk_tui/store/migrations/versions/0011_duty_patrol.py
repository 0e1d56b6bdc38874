"""duty: the supervisor-on-duty roster, the duty log and handover notes, hall patrol rounds and findings

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 11:16:43
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('duty_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=1000), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('duty_note', schema=None) as batch_op:
        batch_op.create_index('ix_duty_note_day_kind', ['day', 'kind'], unique=False)

    op.create_table('duty_roster',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('set_by', sa.Integer(), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['set_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('patrol_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=False),
    sa.Column('windows_checked', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('patrol_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrol_round_day'), ['day'], unique=False)

    op.create_table('patrol_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('window_number', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('item', sa.String(length=12), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('waiting', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['patrol_round.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('patrol_finding', schema=None) as batch_op:
        batch_op.create_index('ix_patrol_finding_at', ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrol_finding_round_id'), ['round_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('patrol_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrol_finding_round_id'))
        batch_op.drop_index('ix_patrol_finding_at')

    op.drop_table('patrol_finding')
    with op.batch_alter_table('patrol_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrol_round_day'))

    op.drop_table('patrol_round')
    op.drop_table('duty_roster')
    with op.batch_alter_table('duty_note', schema=None) as batch_op:
        batch_op.drop_index('ix_duty_note_day_kind')

    op.drop_table('duty_note')
