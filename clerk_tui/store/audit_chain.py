"""The audit chain: every event row carries a SHA-256 over its content and the previous event's
hash, and the ``audit_head`` row names the last event and its hash.

One chain per database (``CHAIN``): a database holds one hall and its branch halls, and they share
one event log, so they share one chain.

A transaction's first event locks the head (PostgreSQL: ``SELECT … FOR UPDATE``; SQLite: the
transaction already holds the write lock of BEGIN IMMEDIATE) and holds it until the commit; each
event is inserted at once with its hashes (a service may read its own events back before the
commit, as a case's history does), and the head row is moved once, just before the commit. So
concurrent writers take their turn on the head and never fork or gap the chain, and event ids grow
in chain order. On PostgreSQL a writer that locks rows after its first event can deadlock with
one that locked them first; the database detects it and ``services.tx.transaction`` runs the loser
again.

The head row is made by the schema migration (0009), which also chains the events an older hall
already had.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession

from clerk_tui.store import dialect
from clerk_tui.store.models import AuditHead, Event
from clerk_tui.store.prepared import Prepared

CHAIN = "events"
GENESIS = "0" * 64  # the "previous hash" of the first event of a chain
_STATE = "audit_chain"  # [running hash, last event id] of this transaction


def canonical(
    at: dt.datetime,
    staff_id: int | None,
    window_number: int | None,
    kind: str,
    subject: str,
    payload: str,
    prev_hash: str,
) -> bytes:
    """The bytes an event's hash covers: its content, in a fixed order and spelling."""
    stamp = at.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    fields = [stamp, staff_id, window_number, kind, subject or "", payload, prev_hash]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()


def digest(at, staff_id, window_number, kind, subject, payload, prev_hash) -> str:
    return hashlib.sha256(canonical(at, staff_id, window_number, kind, subject, payload, prev_hash)).hexdigest()


def row_digest(row: Any) -> str:
    """The hash an event row (anything with the event's columns as attributes) should carry."""
    return digest(row.at, row.staff_id, row.window_number, row.kind, row.subject, row.payload, row.prev_hash or "")


def fingerprint(hash_: str) -> str:
    """The short form a person reads and writes down: the first 16 hex digits."""
    return hash_[:16]


def append(session: OrmSession, values: dict[str, Any]) -> None:
    """Insert an event row (the ``event`` table's columns but the hashes) at the end of the chain.

    The transaction's first event locks the head (on PostgreSQL ``SELECT … FOR UPDATE``; SQLite's
    BEGIN IMMEDIATE holds the write lock already) and keeps it, with the running hash and id, on the
    session; the head row itself is moved once, before the commit."""
    state = session.info.get(_STATE)
    if state is None:
        head = _HEAD[session.connection().dialect.name].run(session).first()
        if head is None:
            raise RuntimeError("audit_head row missing: run clerk-tui db upgrade")
        state = session.info[_STATE] = [head.hash, head.event_id]
    values = dict(values, prev_hash=state[0])
    values["hash"] = row_digest(_Values(values))
    state[1] = _INSERT.run(session, values).scalar_one()
    state[0] = values["hash"]


def _move_head(session: OrmSession) -> None:
    state = session.info.pop(_STATE, None)
    if state is not None:
        _MOVE.run(session, {"hash": state[0], "event_id": state[1]})


def _forget(session: OrmSession, *_args) -> None:
    session.info.pop(_STATE, None)


class _Values:
    __slots__ = ("__dict__",)

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


_HEAD = {
    name: Prepared(dialect.locked(name, select(AuditHead.hash, AuditHead.event_id).where(AuditHead.chain == CHAIN)))
    for name in ("sqlite", "postgresql")
}
_INSERT = Prepared(insert(Event.__table__).returning(Event.__table__.c.id))
_MOVE = Prepared(update(AuditHead.__table__).where(AuditHead.__table__.c.chain == CHAIN))

sa_event.listen(OrmSession, "before_commit", _move_head)
sa_event.listen(OrmSession, "after_rollback", _forget)
sa_event.listen(OrmSession, "after_soft_rollback", _forget)


def chain_bulk_written(connection) -> int:
    """Chain events a bulk loader wrote without hashes (scripts/generate_year.py's year of history),
    in id order after the head, and move the head: the generated hall then verifies like any other.
    Returns how many were chained. Not for the program's own writes, which chain as they go."""
    ev = Event.__table__
    head = connection.execute(select(AuditHead.hash, AuditHead.event_id).where(AuditHead.chain == CHAIN)).one()
    prev, last_id, done = head.hash, head.event_id, 0
    change = update(ev).where(ev.c.id == bindparam("eid")).values(prev_hash=bindparam("p"), hash=bindparam("h"))
    rows = connection.execute(
        select(ev.c.id, ev.c.at, ev.c.staff_id, ev.c.window_number, ev.c.kind, ev.c.subject, ev.c.payload)
        .where(ev.c.hash.is_(None), ev.c.id > (last_id or 0))
        .order_by(ev.c.id)
    )
    batch: list[dict[str, Any]] = []
    for r in rows:
        h = digest(r.at, r.staff_id, r.window_number, r.kind, r.subject, r.payload, prev)
        batch.append({"eid": r.id, "p": prev, "h": h})
        prev, last_id, done = h, r.id, done + 1
    for at in range(0, len(batch), 5000):
        connection.execute(change, batch[at : at + 5000])
    if done:
        connection.execute(
            update(AuditHead.__table__).where(AuditHead.__table__.c.chain == CHAIN).values(hash=prev, event_id=last_id)
        )
    return done
