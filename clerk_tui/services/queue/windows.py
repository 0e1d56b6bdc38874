"""A window's day: opening, pausing, resuming and closing it, and what its console and the
supervisor see of it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import func
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
from clerk_tui.services.errors import ServiceError
from clerk_tui.services.queue.rows import (
    CLOSED,
    OPEN,
    PAUSED,
    WINDOW_STATUS_NAMES,
    TicketView,
    queues_at_window,
    ticket_view,
    window_by_number,
    window_state,
)
from clerk_tui.services.tx import transaction
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Event, Staff, Ticket, Window, WindowState

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
    reason = (reason or "").strip()
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
        st.status, st.pause_reason, st.changed_at = PAUSED, reason[:100], clock.now()
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


def window_panel(engine: Engine, number: int) -> WindowPanel:
    day, now = clock.today(), clock.now()
    with read_session(engine) as session:
        w = window_by_number(session, number)
        st = session.exec(select(WindowState).where(WindowState.window_id == w.id)).first()
        queues = queues_at_window(session, w)
        counts = queue_counts(session, day, now, [q.id for q in queues], line_only=True)
        rows = tuple(QueueCount(q.prefix, q.name, *counts.get(q.id, (0, 0))) for q in queues)
        here = session.exec(
            select(func.count(), func.min(Ticket.issued_at)).where(
                Ticket.business_date == day, Ticket.status == WAITING, Ticket.target_window == number
            )
        ).one()
        current, why = None, ""
        if st and st.current_ticket_id:
            t = session.get(Ticket, st.current_ticket_id)
            if t and t.status in (CALLED, SERVING):
                current = ticket_view(session, t, ahead=0)
                ev = session.exec(
                    select(Event)
                    .where(Event.kind == "ticket.called", Event.subject == t.number, Event.window_number == number)
                    .order_by(Event.id.desc())
                ).first()
                if ev:
                    why = json.loads(ev.payload).get("why", "")
        served = session.exec(
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.business_date == day, Ticket.status == DONE, Ticket.window_number == number)
        ).one()
        clerk = session.get(Staff, st.staff_id) if st and st.staff_id else None
        here_wait = max(0, int((now - here[1]).total_seconds() // 60)) if here[0] else 0
        waits = [r.longest_wait_minutes for r in rows if r.waiting] + ([here_wait] if here[0] else [])
        return WindowPanel(
            number,
            w.name,
            st.status if st else CLOSED,
            st.pause_reason if st else "",
            f"{clerk.name}（{clerk.number}）" if clerk else None,
            current,
            why,
            rows,
            here[0],
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
