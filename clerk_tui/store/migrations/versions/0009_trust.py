"""trust: the event log's hash chain and its head, a PIN its owner must change, the store's own marks

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 08:55:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Each event carries the hash of the previous one and its own (over its content and that
    # previous hash): the audit trail's chain. Nullable only so that the column can be added to a
    # log that already has rows; the program writes both for every new event.
    with op.batch_alter_table('event') as batch:
        batch.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
    # The chain's head: one row per chain, locked by every writer that extends it (PostgreSQL:
    # SELECT ... FOR UPDATE; SQLite: the writer lock of BEGIN IMMEDIATE), so that concurrent writers
    # never fork it. ``floor_*`` is where a prune (older than the retention floor) left its start.
    op.create_table('audit_head',
    sa.Column('chain', sa.String(length=20), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('floor_event_id', sa.Integer(), nullable=True),
    sa.Column('floor_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('chain')
    )
    _chain_existing_events()
    # A PIN set or reset by someone else: its owner must change it at the next login before doing
    # anything else.
    with op.batch_alter_table('staff') as batch:
        batch.add_column(sa.Column('must_change_pin', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Marks the store keeps about itself (for example that it was built as a demo).
    op.create_table('store_mark',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )


def _chain_existing_events() -> None:
    """An upgraded hall: chain the events it already has, in id order, and make the head row (a new
    database gets the head row alone, at the genesis hash)."""
    from clerk_tui.store.audit_chain import CHAIN, GENESIS, digest

    conn = op.get_bind()
    event = sa.table(
        'event', sa.column('id', sa.Integer), sa.column('at', sa.DateTime), sa.column('staff_id', sa.Integer),
        sa.column('window_number', sa.Integer), sa.column('kind', sa.String), sa.column('subject', sa.String),
        sa.column('payload', sa.Text), sa.column('prev_hash', sa.String), sa.column('hash', sa.String),
    )
    prev, last_id = GENESIS, None
    rows = conn.execute(
        sa.select(event.c.id, event.c.at, event.c.staff_id, event.c.window_number, event.c.kind, event.c.subject,
                  event.c.payload).order_by(event.c.id)
    ).all()
    change = sa.update(event).where(event.c.id == sa.bindparam('eid')).values(
        prev_hash=sa.bindparam('p'), hash=sa.bindparam('h'))
    batch = []
    for r in rows:
        h = digest(r.at, r.staff_id, r.window_number, r.kind, r.subject, r.payload, prev)
        batch.append({'eid': r.id, 'p': prev, 'h': h})
        prev, last_id = h, r.id
        if len(batch) >= 1000:
            conn.execute(change, batch)
            batch = []
    if batch:
        conn.execute(change, batch)
    head = sa.table('audit_head', sa.column('chain', sa.String), sa.column('event_id', sa.Integer),
                    sa.column('hash', sa.String), sa.column('floor_event_id', sa.Integer),
                    sa.column('floor_hash', sa.String))
    conn.execute(sa.insert(head).values(chain=CHAIN, event_id=last_id, hash=prev, floor_event_id=None,
                                        floor_hash=GENESIS))


def downgrade() -> None:
    op.drop_table('store_mark')
    with op.batch_alter_table('staff') as batch:
        batch.drop_column('must_change_pin')
    op.drop_table('audit_head')
    with op.batch_alter_table('event') as batch:
        batch.drop_column('hash')
        batch.drop_column('prev_hash')
