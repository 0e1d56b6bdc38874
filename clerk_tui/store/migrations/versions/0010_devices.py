"""devices: the public devices (display, rating pad, kiosk) the web server admits by token

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 11:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Only the token's SHA-256 is stored: a copy of the database does not let anyone in as a device.
    op.create_table('device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('window_number', sa.Integer(), nullable=True),
    sa.Column('printer', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index('ix_device_kind', 'device', ['kind'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_device_kind', table_name='device')
    op.drop_table('device')
