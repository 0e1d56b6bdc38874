"""A window's day: opening, pausing, resuming and closing it, and what its console and the
supervisor see of it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain.queueing import (
    CALLED,
    DONE,
    SERVING,
    STATUS_NAMES,
    WAITING,
)
from clerk_tui.services import events
from clerk_tui.services.catalog import list_windows
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import ServiceError, typed_text, unknown_window
from clerk_tui.services.queue.rows import (
    CLOSED,
    OPEN,
    PAUSED,
    TICKET_WITH_NAMES,
    WINDOW_STATUS_NAMES,
    TicketView,
    row_view,
    window_by_number,
    window_state,
)
from clerk_tui.services.tx import transaction
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Event, Queue, Staff, Ticket, Window, WindowQueue, WindowState
from clerk_tui.store.prepared import Prepared

# ------------------------------------------------------------------ windows


def require_holder(actor: Actor, st: WindowState, number: int) -> None:
    if st.staff_id != actor.staff_id:
        if st.staff_id is None:
            raise ServiceError(f"{number}号窗口尚未开窗，请先开窗（clerk-tui window open {number}）")
        raise ServiceError(f"{number}号窗口由其他人员开窗，您不能在此窗口操作")


def open_window(engine: Engine, actor: Actor | None, number: int) -> None:
    """开窗: one clerk per window, one window per clerk."""
    require(actor, "window.operate")

    def work(session: Session) -> None:
        w = window_by_number(session, number)
        st = window_state(session, w, lock=True)
        if st.staff_id not in (None, actor.staff_id) and st.status != CLOSED:
            holder = session.get(Staff, st.staff_id)
            raise ServiceError(
                f"{number}号窗口已由 {holder.name}（{holder.number}）开窗，请先由其关窗，或请带班领导关窗"
            )
        other = session.exec(
            select(WindowState, Window)
            .join(Window, Window.id == WindowState.window_id)
            .where(WindowState.staff_id == actor.staff_id, WindowState.window_id != w.id)
        ).first()
        if other is not None:
            raise ServiceError(
                f"您已在{other[1].number}号窗口开窗，一人只能在一个窗口服务，请先关闭{other[1].number}号窗口"
            )
        if st.status == OPEN and st.staff_id == actor.staff_id:
            return
        st.status, st.staff_id, st.pause_reason, st.changed_at = OPEN, actor.staff_id, "", clock.now()
        session.add(st)
        events.record(session, "window.opened", actor=actor, subject=str(number), window=number)

    transaction(engine, work)


def pause_window(engine: Engine, actor: Actor | None, number: int, reason: str) -> None:
    """暂停服务 with a reason; a paused window is not called for."""
    require(actor, "window.operate")
    reason = typed_text(reason, 100, "暂停原因")
    if not reason:
        raise ServiceError("暂停服务需要填写原因，例如：午休、会议、系统故障")

    def work(session: Session) -> None:
        w = window_by_number(session, number)
        st = window_state(session, w, lock=True)
        if st.status == CLOSED:
            raise ServiceError(f"{number}号窗口未开窗，无需暂停")
        if actor.role != "supervisor":
            require_holder(actor, st, number)
        if st.current_ticket_id:
            cur = session.get(Ticket, st.current_ticket_id)
            if cur and cur.status in (CALLED, SERVING):
                raise ServiceError(
                    f"{cur.number} 号还在本窗口（{STATUS_NAMES[cur.status]}），请先办结、过号或转办再暂停服务"
                )
        st.status, st.pause_reason, st.changed_at = PAUSED, reason, clock.now()
        session.add(st)
        events.record(session, "window.paused", actor=actor, subject=str(number), window=number, reason=reason)

    transaction(engine, work)


def resume_window(engine: Engine, actor: Actor | None, number: int) -> None:
    require(actor, "window.operate")

    def work(session: Session) -> None:
        w = window_by_number(session, number)
        st = window_state(session, w, lock=True)
        if st.status != PAUSED:
            raise ServiceError(f"{number}号窗口当前不是暂停状态")
        if actor.role != "supervisor":  # a supervisor may pause, resume and close any window
            require_holder(actor, st, number)
        st.status, st.pause_reason, st.changed_at = OPEN, "", clock.now()
        session.add(st)
        events.record(session, "window.resumed", actor=actor, subject=str(number), window=number)

    transaction(engine, work)


def close_window(engine: Engine, actor: Actor | None, number: int, reason: str = "") -> None:
    """关窗. A supervisor may close a window another clerk left open."""
    require(actor, "window.operate")

    def work(session: Session) -> None:
        w = window_by_number(session, number)
        st = window_state(session, w, lock=True)
        if st.status == CLOSED:
            return
        if st.staff_id != actor.staff_id and actor.role != "supervisor":
            require_holder(actor, st, number)
        if st.current_ticket_id:
            cur = session.get(Ticket, st.current_ticket_id)
            if cur and cur.status in (CALLED, SERVING):
                raise ServiceError(f"{number}号窗口还有 {cur.number} 号未处理完，请先办结、过号或转办后再关窗")
        st.status, st.staff_id, st.pause_reason, st.current_ticket_id, st.changed_at = (
            CLOSED,
            None,
            "",
            None,
            clock.now(),
        )
        session.add(st)
        events.record(session, "window.closed", actor=actor, subject=str(number), window=number, reason=reason)

    transaction(engine, work)


@dataclass(frozen=True)
class QueueCount:
    prefix: str
    name: str
    waiting: int
    longest_wait_minutes: int


@dataclass(frozen=True)
class WindowPanel:
    """What the window console shows."""

    number: int
    name: str
    status: str
    pause_reason: str
    clerk: str | None
    current: TicketView | None
    why: str
    queues: tuple[QueueCount, ...]
    sent_here: int  # tickets transferred to this window
    sent_here_wait_minutes: int
    longest_wait_minutes: int
    served_today: int

    @property
    def status_name(self) -> str:
        return WINDOW_STATUS_NAMES.get(self.status, self.status)


def queue_counts(
    session: Session, day: dt.date, now: dt.datetime, queue_ids: list[int] | None = None, line_only: bool = False
) -> dict[int, tuple[int, int]]:
    """(waiting, longest wait in minutes) per queue: everyone waiting (the hall display, as the
    supervisor's live hall counts), or only the open line (a window console, which counts the
    tickets sent to it on a line of their own)."""
    stmt = (
        select(Ticket.queue_id, func.count(), func.min(Ticket.issued_at))
        .where(Ticket.business_date == day, Ticket.status == WAITING)
        .group_by(Ticket.queue_id)
    )
    if line_only:
        stmt = stmt.where(Ticket.target_window.is_(None))
    if queue_ids is not None:
        stmt = stmt.where(Ticket.queue_id.in_(queue_ids))
    return {
        qid: (n, max(0, int((now - first).total_seconds() // 60)) if first else 0)
        for qid, n, first in session.exec(stmt)
    }


# The console reads its panel after every key at every window (and on every poll when the hall
# has moved): prepared statements, as the calls themselves (rows.py), six small reads where the
# ORM took ten queries and most of the time went to building them.
_Tk, _Qu, _Wi, _WSt, _WQu = (
    Ticket.__table__,
    Queue.__table__,
    Window.__table__,
    WindowState.__table__,
    WindowQueue.__table__,
)
_St, _Ev = Staff.__table__, Event.__table__
_PANEL_WINDOW = Prepared(
    select(
        _Wi.c.id,
        _Wi.c.name,
        _WSt.c.status,
        _WSt.c.pause_reason,
        _WSt.c.current_ticket_id,
        _St.c.name.label("clerk_name"),
        _St.c.number.label("clerk_number"),
    )
    .select_from(_Wi)
    .outerjoin(_WSt, _WSt.c.window_id == _Wi.c.id)
    .outerjoin(_St, _St.c.id == _WSt.c.staff_id)
    .where(_Wi.c.number == bindparam("number"))
)
_PANEL_QUEUES = Prepared(  # each of the window's queues with its open line (waiting, first issued)
    select(
        _Qu.c.prefix,
        _Qu.c.name,
        func.count(_Tk.c.id).label("waiting"),
        func.min(_Tk.c.issued_at).label("first"),
    )
    .select_from(_WQu)
    .join(_Qu, _Qu.c.id == _WQu.c.queue_id)
    .outerjoin(
        _Tk,
        and_(
            _Tk.c.queue_id == _Qu.c.id,
            _Tk.c.business_date == bindparam("day"),
            _Tk.c.status == WAITING,
            _Tk.c.target_window.is_(None),
        ),
    )
    .where(_WQu.c.window_id == bindparam("wid"))
    .group_by(_Qu.c.id, _Qu.c.prefix, _Qu.c.name, _WQu.c.position)
    .order_by(_WQu.c.position)
)
_PANEL_SENT_HERE = Prepared(
    select(func.count().label("n"), func.min(_Tk.c.issued_at).label("first")).where(
        _Tk.c.business_date == bindparam("day"), _Tk.c.status == WAITING, _Tk.c.target_window == bindparam("number")
    )
)
_PANEL_SERVED = Prepared(
    select(func.count().label("n"))
    .select_from(_Tk)
    .where(_Tk.c.business_date == bindparam("day"), _Tk.c.status == DONE, _Tk.c.window_number == bindparam("number"))
)
_PANEL_TICKET = Prepared(TICKET_WITH_NAMES.where(_Tk.c.id == bindparam("tid")))
_PANEL_WHY = Prepared(
    select(_Ev.c.payload)
    .where(
        _Ev.c.kind == "ticket.called",
        _Ev.c.subject == bindparam("subject"),
        _Ev.c.window_number == bindparam("number"),
    )
    .order_by(_Ev.c.id.desc())
    .limit(1)
)


def window_panel(engine: Engine, number: int) -> WindowPanel:
    day, now = clock.today(), clock.now()

    def minutes_since(first: dt.datetime | None) -> int:
        return max(0, int((now - first).total_seconds() // 60)) if first else 0

    with read_session(engine) as session:
        w = _PANEL_WINDOW.run(session, {"number": number}).first()
        if w is None:
            raise unknown_window(number)
        rows = tuple(
            QueueCount(r.prefix, r.name, r.waiting, minutes_since(r.first) if r.waiting else 0)
            for r in _PANEL_QUEUES.run(session, {"wid": w.id, "day": day}).all()
        )
        here = _PANEL_SENT_HERE.run(session, {"day": day, "number": number}).first()
        current, why = None, ""
        if w.current_ticket_id:
            t = _PANEL_TICKET.run(session, {"tid": w.current_ticket_id}).first()
            if t and t.status in (CALLED, SERVING):
                current = row_view(t, 0)
                ev = _PANEL_WHY.run(session, {"subject": t.number, "number": number}).first()
                if ev:
                    why = json.loads(ev.payload).get("why", "")
        served = _PANEL_SERVED.run(session, {"day": day, "number": number}).scalar_one()
    here_wait = minutes_since(here.first) if here.n else 0
    waits = [r.longest_wait_minutes for r in rows if r.waiting] + ([here_wait] if here.n else [])
    return WindowPanel(
        number,
        w.name,
        w.status or CLOSED,
        w.pause_reason or "",
        f"{w.clerk_name}（{w.clerk_number}）" if w.clerk_name is not None else None,
        current,
        why,
        rows,
        here.n,
        here_wait,
        max(waits, default=0),
        served,
    )


@dataclass(frozen=True)
class WindowStateView:
    number: int
    name: str
    queues: tuple[str, ...]
    status: str
    pause_reason: str
    clerk: str | None

    @property
    def status_name(self) -> str:
        return WINDOW_STATUS_NAMES.get(self.status, self.status)


def window_states(engine: Engine, actor: Actor | None) -> list[WindowStateView]:
    """Every window with its queues (as the catalog lists them) and who serves there now."""
    require(actor, "window.read")
    with read_session(engine) as session:
        states = {
            w.number: st
            for st, w in session.exec(select(WindowState, Window).join(Window, Window.id == WindowState.window_id))
        }
        staff = {s.id: s for s in session.exec(select(Staff))}
    out = []
    for w in list_windows(engine):
        st = states.get(w.number)
        clerk = staff.get(st.staff_id) if st and st.staff_id else None
        out.append(
            WindowStateView(
                w.number,
                w.name,
                w.queues,
                st.status if st else CLOSED,
                st.pause_reason if st else "",
                f"{clerk.name}（{clerk.number}）" if clerk else None,
            )
        )
    return out
