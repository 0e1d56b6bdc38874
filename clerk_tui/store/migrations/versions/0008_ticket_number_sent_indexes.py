"""ticket indexes for the calling path: by number, and the front of tickets sent to a window

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 22:50:00
"""

from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Finishing, starting and recalling look a ticket up by (day, number): without this index each
    # was a scan of the whole day's tickets.
    op.create_index('ix_ticket_number', 'ticket', ['business_date', 'number'], unique=False)
    # The first ticket transferred to one window (转办 to a window), without scanning the waiting line.
    op.create_index('ix_ticket_sent', 'ticket', ['target_window', 'business_date', 'status', 'queued_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ticket_sent', table_name='ticket')
    op.drop_index('ix_ticket_number', table_name='ticket')
