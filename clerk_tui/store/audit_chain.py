"""The audit chain: every event row carries a SHA-256 over its content and the previous event's
hash, and the ``audit_head`` row names the last event and its hash.

One chain per database (``CHAIN``): a database holds one hall and its branch halls, and they share
one event log, so they share one chain.

Events are chained when their transaction commits, not when ``services.events.record`` is called:
``record`` queues the row on the session and a ``before_commit`` hook writes the queued rows. The
hook locks the head (PostgreSQL: ``SELECT … FOR UPDATE``; SQLite: the transaction already holds the
write lock of BEGIN IMMEDIATE), inserts the rows in order, and moves the head, all in the
transaction that made the change. So concurrent writers take their turn on the head and never fork
or gap the chain, event ids grow in chain order, and the head lock is the last lock a transaction
takes and is held only for the few statements before its commit (no deadlock with the rows the
change itself locked).

The head row is made by the schema migration (0009), which also chains the events an older hall
already had.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session as OrmSession

from clerk_tui.store import dialect
from clerk_tui.store.models import AuditHead, Event
from clerk_tui.store.prepared import Prepared

CHAIN = "events"
GENESIS = "0" * 64  # the "previous hash" of the first event of a chain
_PENDING = "audit_pending"


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


def queue(session: OrmSession, values: dict[str, Any]) -> None:
    """Queue an event row (the ``event`` table's columns but the hashes) to be chained at commit."""
    session.info.setdefault(_PENDING, []).append(values)


def _seal(session: OrmSession) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    conn = session.connection()
    head = _HEAD[conn.dialect.name].run(session).first()
    if head is None:
        raise RuntimeError("audit_head row missing: run clerk-tui db upgrade")
    prev, last_id = head.hash, head.event_id
    for values in pending:
        values = dict(values, prev_hash=prev)
        values["hash"] = prev = row_digest(_Values(values))
        last_id = _INSERT.run(session, values).scalar_one()
    _MOVE.run(session, {"event_id": last_id, "hash": prev})


def _drop(session: OrmSession, *_args) -> None:
    session.info.pop(_PENDING, None)


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

sa_event.listen(OrmSession, "before_commit", _seal)
sa_event.listen(OrmSession, "after_rollback", _drop)
sa_event.listen(OrmSession, "after_soft_rollback", _drop)
