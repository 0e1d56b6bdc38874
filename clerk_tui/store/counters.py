"""Atomic per-day numbering with INSERT … ON CONFLICT (its dialect branch is in store/dialect.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam
from sqlmodel import Session

from clerk_tui.store.dialect import insert_on_conflict, name_of
from clerk_tui.store.models import CaseCounter, TicketCounter


def next_ticket_seq(session: Session, hall_id: int, queue_id: int, day: dt.date) -> int:
    """Bump and return the day's ticket counter for the queue (1 for the first ticket of the day).

    ``INSERT … ON CONFLICT DO UPDATE SET last = last + 1 RETURNING last`` is atomic on SQLite
    (3.35+) and PostgreSQL alike; the ticket's unique constraint is the last line of defence.
    """
    return _bump(session, TicketCounter, {"hall_id": hall_id, "queue_id": queue_id, "business_date": day})


def next_case_seq(session: Session, hall_id: int, day: dt.date) -> int:
    """Bump and return the day's case sequence of the hall (办件编号的流水号)."""
    return _bump(session, CaseCounter, {"hall_id": hall_id, "day": day})


def _bump(session: Session, model, keys: dict) -> int:
    dialect = name_of(session)
    stmt = _BUMP.get((model, dialect))
    if stmt is None:
        stmt = _BUMP[(model, dialect)] = _bump_statement(model, dialect, list(keys))
    return int(session.execute(stmt, keys).scalar_one())


def _bump_statement(model, dialect: str, keys: list[str]):
    table = model.__table__
    stmt = insert_on_conflict(dialect, table).values(**{k: bindparam(k) for k in keys}, last=1)
    return stmt.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={"last": table.c.last + 1},
    ).returning(table.c.last)


_BUMP: dict = {}  # one statement per table and dialect, built on first use
