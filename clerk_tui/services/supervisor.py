"""带班领导's live hall: per queue (waiting, longest wait, average wait in the last hour), per window
(open or paused with the reason, the ticket in hand, served today), cases at yellow and red, the
responsibility alerts, the open bad-rating follow-ups and the public devices' last contact. Read with a handful of indexed
aggregates on today's rows, so a refresh stays small with a year of history behind it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine

from clerk_tui import clock
from clerk_tui.domain.responsibility import Rules
from clerk_tui.domain.roles import allowed
from clerk_tui.services.cases import CaseRules, list_cases
from clerk_tui.services.context import Actor, require
from clerk_tui.services.devices import list_devices
from clerk_tui.services.duty import NoteLine, OnDuty, handover_for, on_duty
from clerk_tui.services.queue import last_event_id
from clerk_tui.services.ratings import list_followups
from clerk_tui.services.responsibility import list_alerts
from clerk_tui.store.dialect import minutes_between
from clerk_tui.store.dialect import name_of as dialect_name
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Queue, Staff, Ticket, Window, WindowState


@dataclass(frozen=True)
class QueueLine:
    prefix: str
    name: str
    waiting: int
    longest_wait: int  # minutes
    avg_wait_last_hour: float | None


@dataclass(frozen=True)
class WindowLine:
    number: int
    name: str
    status: str
    pause_reason: str
    clerk: str
    current: str
    served_today: int


@dataclass(frozen=True)
class Board:
    queues: tuple[QueueLine, ...]
    windows: tuple[WindowLine, ...]
    yellow: int
    red: int
    alerts: tuple
    followups: tuple
    issued_today: int
    served_today: int
    last_event_id: int
    at_risk: tuple = ()  # the cases at red, then yellow (CaseView), fewest working days left first
    on_duty: OnDuty | None = None  # 领导带班: today's supervisor on duty
    handover: NoteLine | None = None  # the handover note the last duty day left (a supervisor's to read)
    devices: tuple[DeviceLine, ...] = ()  # the public devices and their last contact (clerk-tui serve)


@dataclass(frozen=True)
class DeviceLine:
    """A public device on the supervisor's screen: a display that went dark stands out."""

    name: str
    kind_name: str
    last_seen_at: dt.datetime | None
    dark: bool  # silent longer than devices.DARK_AFTER (or never heard from)


def device_lines(engine: Engine, actor: Actor) -> tuple[DeviceLine, ...]:
    """The registered devices, the dark ones first; none for a role that may not list them."""
    if not allowed(actor.role, "device.read"):
        return ()
    now = clock.now()
    views = list_devices(engine, actor)
    lines = [DeviceLine(d.name, d.kind_name, d.last_seen_at, d.dark(now)) for d in views]
    return tuple(sorted(lines, key=lambda line: not line.dark))


def board(engine: Engine, actor: Actor | None, *, rules_=None, case_rules=None) -> Board:
    """The supervisor's hall: queues, windows, alerts, follow-ups and the cases at risk (each read
    checks its own right: a role without one is refused, not shown half a board)."""
    actor = require(actor, "case.read")
    rules_ = rules_ or Rules()
    case_rules = case_rules or CaseRules()
    today, now = clock.today(), clock.now()
    hour_ago = now - dt.timedelta(hours=1)
    newest = last_event_id(engine)
    with read_session(engine) as session:
        dialect = dialect_name(session)
        t = Ticket.__table__
        wait = minutes_between(dialect, t.c.issued_at, t.c.called_at)
        waiting = {
            qid: (n, oldest)
            for qid, n, oldest in session.execute(
                select(t.c.queue_id, func.count(), func.min(t.c.queued_at))
                .where(t.c.business_date == today, t.c.status == "waiting")
                .group_by(t.c.queue_id)
            )
        }
        recent = dict(
            session.execute(
                select(t.c.queue_id, func.avg(wait))
                .where(t.c.business_date == today, t.c.called_at >= hour_ago)
                .group_by(t.c.queue_id)
            ).all()
        )
        queues = []
        for q in session.scalars(select(Queue).order_by(Queue.prefix)):
            n, oldest = waiting.get(q.id, (0, None))
            longest = int((now - oldest).total_seconds() // 60) if oldest else 0
            avg = recent.get(q.id)
            queues.append(QueueLine(q.prefix, q.name, n, longest, round(float(avg), 1) if avg is not None else None))
        served = dict(
            session.execute(
                select(t.c.window_number, func.count())
                .where(t.c.business_date == today, t.c.status == "done")
                .group_by(t.c.window_number)
            ).all()
        )
        issued_today = session.execute(select(func.count()).where(t.c.business_date == today)).scalar_one()
        staff = {s.id: s.name for s in session.scalars(select(Staff))}
        windows = []
        rows = session.execute(
            select(
                Window.number,
                Window.name,
                WindowState.status,
                WindowState.pause_reason,
                WindowState.staff_id,
                Ticket.number,
            )
            .select_from(Window)
            .outerjoin(WindowState, WindowState.window_id == Window.id)
            .outerjoin(Ticket, and_(Ticket.id == WindowState.current_ticket_id))
            .order_by(Window.number)
        )
        for number, name, status, reason, staff_id, current in rows:
            windows.append(
                WindowLine(
                    number,
                    name,
                    status or "closed",
                    reason or "",
                    staff.get(staff_id, ""),
                    current or "",
                    served.get(number, 0),
                )
            )
    alerts = list_alerts(engine, actor, rules_=rules_, case_rules=case_rules)
    red = sum(a.kind == "case_red" for a in alerts)
    yellow = sum(a.kind == "case_yellow" for a in alerts)
    followups = tuple(list_followups(engine, actor, open_only=True))
    at_risk = [
        c for level in ("red", "yellow") for c in list_cases(engine, actor, warning=level, case_rules=case_rules)
    ]
    at_risk.sort(
        key=lambda c: (c.warning != "red", c.remaining_workdays if c.remaining_workdays is not None else 0, c.number)
    )
    return Board(
        tuple(queues),
        tuple(windows),
        yellow,
        red,
        tuple(a for a in alerts if not a.kind.startswith("case_")),
        followups,
        issued_today,
        sum(served.values()),
        newest,
        tuple(at_risk),
        on_duty(engine, today),
        handover_for(engine, actor, today) if allowed(actor.role, "duty.log") else None,
        device_lines(engine, actor),
    )
