"""Atomic per-day numbering: the one place with a dialect branch for INSERT … ON CONFLICT."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam
from sqlmodel import Session

from clerk_tui.store.models import TicketCounter


def next_ticket_seq(session: Session, hall_id: int, queue_id: int, day: dt.date) -> int:
    """Bump and return the day's counter for the queue (1 for the first ticket of the day).

    ``INSERT … ON CONFLICT DO UPDATE SET last = last + 1 RETURNING last`` is atomic on SQLite
    (3.35+) and PostgreSQL alike; the ticket's unique constraint is the last line of defence.
    """
    dialect = session.get_bind().dialect.name
    stmt = _BUMP.get(dialect)
    if stmt is None:
        stmt = _BUMP[dialect] = _bump_statement(dialect)
    return int(session.execute(stmt, {"hall_id": hall_id, "queue_id": queue_id, "business_date": day}).scalar_one())


def _bump_statement(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = TicketCounter.__table__
    stmt = insert(table).values(hall_id=bindparam("hall_id"), queue_id=bindparam("queue_id"),
                                business_date=bindparam("business_date"), last=1)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.hall_id, table.c.queue_id, table.c.business_date],
        set_={"last": table.c.last + 1},
    ).returning(table.c.last)


_BUMP: dict = {}  # one statement per dialect, built on first use
