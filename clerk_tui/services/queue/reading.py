"""Reading the queue: a ticket, today's tickets, the hall board and the event high-water mark."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from clerk_tui import clock
from clerk_tui.domain.queueing import (
    STATUS_NAMES,
    WAITING,
)
from clerk_tui.services.catalog import get_hall
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import ServiceError
from clerk_tui.services.queue.rows import TicketView, queue_by_prefix, ticket_by_number, ticket_view
from clerk_tui.services.queue.windows import QueueCount, queue_counts
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Event, Queue, Ticket

# ------------------------------------------------------------------ reading


def get_ticket(engine: Engine, number: str, day: dt.date | None = None) -> TicketView:
    with read_session(engine) as session:
        return ticket_view(session, ticket_by_number(session, number, day))


def list_tickets(
    engine: Engine,
    actor: Actor | None,
    *,
    status: str | None = None,
    queue: str | None = None,
    day: dt.date | None = None,
) -> list[TicketView]:
    require(actor, "ticket.read")
    if status and status not in STATUS_NAMES:
        raise ServiceError(f"状态 {status!r} 无效，可用：" + "、".join(f"{k}（{v}）" for k, v in STATUS_NAMES.items()))
    day = day or clock.today()
    with read_session(engine) as session:
        stmt = select(Ticket).where(Ticket.business_date == day).order_by(Ticket.issued_at, Ticket.id)
        if status:
            stmt = stmt.where(Ticket.status == status)
        if queue:
            stmt = stmt.where(Ticket.queue_id == queue_by_prefix(session, queue).id)
        return [ticket_view(session, t, ahead=0 if t.status != WAITING else None) for t in session.exec(stmt)]


@dataclass(frozen=True)
class BoardCall:
    number: str
    window: int
    at: dt.datetime
    recall: bool
    event_id: int = 0


@dataclass(frozen=True)
class HallBoard:
    """What the hall display shows: the latest calls and the queues."""

    hall_name: str
    calls: tuple[BoardCall, ...]
    queues: tuple[QueueCount, ...]
    last_event_id: int


def hall_board(engine: Engine, limit: int = 8) -> HallBoard:
    day, now = clock.today(), clock.now()
    start = dt.datetime.combine(day, dt.time())
    with read_session(engine) as session:
        hall = get_hall(session)
        evs = session.exec(
            select(Event)
            .where(Event.kind.in_(("ticket.called", "ticket.recalled", "ticket.transferred")), Event.at >= start)
            .order_by(Event.id.desc())
            .limit(limit * 4)
        ).all()
        seen: set[str] = set()
        calls_list = []
        for e in evs:  # newest first; a ticket shows once, at the window it was last called to
            if e.subject in seen:
                continue
            seen.add(e.subject)  # a transfer hides the ticket's earlier calls: it is no longer awaited there
            if e.kind == "ticket.transferred":
                continue
            calls_list.append(BoardCall(e.subject, e.window_number, e.at, e.kind == "ticket.recalled", e.id))
        calls = tuple(calls_list[:limit])
        counts = queue_counts(session, day, now)
        queues = tuple(
            QueueCount(q.prefix, q.name, *counts.get(q.id, (0, 0)))
            for q in session.exec(select(Queue).order_by(Queue.prefix))
        )
        last = session.exec(select(func.max(Event.id))).one() or 0
        return HallBoard(hall.name, calls, queues, last)


def last_event_id(engine: Engine) -> int:
    """The newest event id: what terminals poll to know that something changed."""
    with read_session(engine) as session:
        return session.exec(select(func.max(Event.id))).one() or 0
