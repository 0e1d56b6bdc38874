"""好差评: one rating per visit from the pad that faces the applicant (never from the clerk's own
screen), and the follow-up (差评整改) every bad rating opens: an owner, a due date in working days,
and an end as rectified, explained or appealed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain.calendar import WorkdayCalendar
from clerk_tui.domain.queueing import CALLED, SERVING
from clerk_tui.domain.roles import allowed
from clerk_tui.services import events
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import NotFound, PermissionDenied, ServiceError, typed_text
from clerk_tui.services.queue import ticket_by_number
from clerk_tui.services.tx import transaction
from clerk_tui.services.workdays import session_schedules
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import (
    FollowUp,
    Rating,
    ServiceCase,
    ServiceItem,
    Staff,
    Ticket,
    Window,
    WindowState,
    id_of,
)

LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
BAD = 2  # a level at or below this is a 差评
REASONS = ("等候时间长", "服务态度差", "办事指南不清楚", "多次跑腿", "办理时间长", "材料要求不合理", "系统故障", "其他")
OUTCOMES = {"rectified": "已整改", "explained": "已解释说明", "appealed": "已申诉"}
# What a supervisor types for each outcome (the names, and the short words the form asks for).
OUTCOME_WORDS = {v: k for k, v in OUTCOMES.items()} | {
    "整改": "rectified",
    "解释": "explained",
    "解释说明": "explained",
    "申诉": "appealed",
}
VISIT_MINUTES = 15  # a finished visit may be rated this long after it ended
VISIT_WINDOW = dt.timedelta(minutes=VISIT_MINUTES)
PAD_TIMEOUT_SECONDS = 60  # a pad unanswered this long records 未评价 (the terminal pad and the web pad)
PAD_THANKS_SECONDS = 4  # the thanks stay on the pad this long before it goes back to idle


@dataclass(frozen=True)
class Visit:
    """A finished service waiting for its rating on the pad."""

    ticket: str
    window: int
    clerk: str
    item: str
    finished_at: dt.datetime


def pending_visit(engine: Engine, window: int) -> Visit | None:
    """The newest service this window finished in the last minutes that has no rating yet."""
    since = clock.now() - VISIT_WINDOW
    with read_session(engine) as session:
        row = session.exec(
            select(Ticket)
            .where(
                Ticket.business_date == clock.today(),
                Ticket.window_number == window,
                Ticket.status == "done",
                Ticket.finished_at >= since,
            )
            .order_by(Ticket.finished_at.desc(), Ticket.id.desc())
        ).first()
        if row is None or session.exec(select(Rating).where(Rating.ticket_id == row.id)).first() is not None:
            return None
        clerk = session.get(Staff, row.staff_id) if row.staff_id else None
        item = session.get(ServiceItem, row.item_id) if row.item_id else None
        return Visit(row.number, window, clerk.name if clerk else "", item.name if item else "", row.finished_at)


@dataclass(frozen=True)
class PadState:
    """What a window's web pad shows: the clerk's badge (name, staff number), the ticket being
    served (its number only), and the visit waiting for its rating."""

    window: int
    window_name: str
    clerk: str  # "" when no one is signed in at the window
    clerk_number: str
    serving: str | None
    visit: Visit | None


def pad_state(engine: Engine, actor: Actor | None) -> PadState:
    """The state of the pad's own window (a pad device: ``rating.give``; its window from the device)."""
    actor = require(actor, "rating.give")
    if actor.window is None:
        raise ServiceError("此评价器没有绑定窗口：请带班领导重新登记（clerk-tui device add pad --window 窗口号）")
    with read_session(engine) as session:
        window = session.exec(select(Window).where(Window.number == actor.window)).first()
        if window is None:
            raise NotFound(f"没有 {actor.window} 号窗口")
        state = session.exec(select(WindowState).where(WindowState.window_id == window.id)).first()
        clerk = session.get(Staff, state.staff_id) if state is not None and state.staff_id else None
        current = session.get(Ticket, state.current_ticket_id) if state and state.current_ticket_id else None
        serving = current.number if current is not None and current.status in (CALLED, SERVING) else None
    return PadState(
        actor.window,
        window.name,
        clerk.name if clerk else "",
        clerk.number if clerk else "",
        serving,
        pending_visit(engine, actor.window),
    )


def rate(
    engine: Engine,
    actor: Actor | None,
    window: int,
    ticket: str,
    level: int | None,
    *,
    reasons: Sequence[str] = (),
    text: str = "",
    followup_days: int = 3,
) -> int:
    """Record the applicant's rating (None: 未评价 after the timeout). Only the pad may: the
    terminal pad (no staff logged in, ``actor`` None) or a web pad (its device actor), which rates
    its own window's visit finished in the last VISIT_MINUTES only. A clerk cannot rate their own
    service. A bad rating opens a follow-up."""
    if actor is not None and actor.device is None:
        raise PermissionDenied("好差评只能由办事人在评价器上作出，工作人员不能代为评价")
    if actor is not None:
        require(actor, "rating.give")
        if actor.window != window:
            raise PermissionDenied(f"此评价器属于{actor.window}号窗口，不能评价{window}号窗口的服务")
    if level is not None and level not in LEVELS:
        raise ServiceError("评价等级应为 1–5（5 非常满意 … 1 非常不满意）")
    reasons = [r for r in reasons if r]
    if unknown := [r for r in reasons if r not in REASONS]:
        raise ServiceError(f"差评原因 {'、'.join(unknown)} 不在列表中，可用：{'、'.join(REASONS)}")
    text = typed_text(text, 400, "评价意见")
    if level is not None and level <= BAD and not (reasons or text):
        raise ServiceError("请选择不满意的原因（可多选），或写下意见")

    def work(session: Session) -> int:
        t = ticket_by_number(session, ticket)
        stale = actor is not None and (t.finished_at is None or t.finished_at < clock.now() - VISIT_WINDOW)
        if t.window_number != window or t.status != "done" or stale:
            raise ServiceError(f"{t.number} 号不是{window}号窗口刚办结的服务，不能在此评价")
        if session.exec(select(Rating).where(Rating.ticket_id == t.id)).first() is not None:
            raise ServiceError(f"{t.number} 号的服务已经评价过（每次服务只评价一次）")
        case = session.exec(select(ServiceCase).where(ServiceCase.ticket_id == t.id)).first()
        r = Rating(
            ticket_id=t.id,
            case_id=case.id if case else None,
            window_number=window,
            staff_id=t.staff_id,
            level=level,
            reasons="、".join(reasons),
            text=text,
            at=clock.now(),
        )
        session.add(r)
        session.flush()
        events.record(
            session, "rating.given", subject=t.number, window=window, level=level, reasons=reasons, rating=r.id
        )
        if level is not None and level <= BAD:
            _open_followup(session, r, followup_days)
        return id_of(r)

    return transaction(engine, work)


def _open_followup(session: Session, rating: Rating, days: int) -> None:
    """The owner: the head of the window's department if the hall has one, else the supervisor."""
    window = session.exec(select(Window).where(Window.number == rating.window_number)).first()
    owner = session.exec(
        select(Staff).where(
            Staff.role == "supervisor", Staff.active.is_(True), Staff.department_id == window.department_id
        )
    ).first()
    owner = (
        owner
        or session.exec(
            select(Staff).where(Staff.role == "supervisor", Staff.active.is_(True)).order_by(Staff.id)
        ).first()
    )
    if owner is None:
        owner = session.exec(select(Staff).where(Staff.role == "admin").order_by(Staff.id)).first()
    due = WorkdayCalendar(session_schedules(session)).add_workdays(clock.today(), days).date
    f = FollowUp(rating_id=rating.id, owner_id=owner.id, due_date=due, opened_at=clock.now())
    session.add(f)
    session.flush()
    events.record(session, "followup.opened", subject=f"followup:{f.id}", rating=rating.id, owner=owner.number, due=due)


@dataclass(frozen=True)
class FollowUpView:
    id: int
    ticket: str
    window: int
    clerk: str
    level: int
    reasons: str
    text: str
    owner: str
    owner_name: str
    due_date: dt.date
    status: str
    note: str
    overdue: bool

    @property
    def status_name(self) -> str:
        return {"open": "待整改", **OUTCOMES}.get(self.status, self.status)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "ticket": self.ticket,
            "window": self.window,
            "clerk": self.clerk,
            "level": self.level,
            "reasons": self.reasons,
            "text": self.text,
            "owner": self.owner,
            "due": self.due_date.isoformat(),
            "status": self.status,
            "note": self.note or None,
            "overdue": self.overdue,
        }


def _fview(session: Session, f: FollowUp) -> FollowUpView:
    r = session.get(Rating, f.rating_id)
    t = session.get(Ticket, r.ticket_id)
    clerk = session.get(Staff, r.staff_id) if r.staff_id else None
    owner = session.get(Staff, f.owner_id)
    return FollowUpView(
        f.id,
        t.number,
        r.window_number,
        clerk.number if clerk else "",
        r.level,
        r.reasons,
        r.text,
        owner.number,
        owner.name,
        f.due_date,
        f.status,
        f.note,
        f.status == "open" and clock.today() > f.due_date,
    )


def list_followups(engine: Engine, actor: Actor | None, *, open_only: bool = False) -> list[FollowUpView]:
    """The follow-ups of poor ratings: a supervisor sees everyone's, a clerk their own."""
    actor = require(actor, "followup.read")
    with read_session(engine) as session:
        stmt = select(FollowUp)
        if not allowed(actor.role, "report.read.staff"):  # a clerk's poor ratings are their own business
            stmt = stmt.where(FollowUp.owner_id == actor.staff_id)
        if open_only:
            stmt = stmt.where(FollowUp.status == "open")
        return [_fview(session, f) for f in session.exec(stmt.order_by(FollowUp.due_date, FollowUp.id))]


def close_followup(engine: Engine, actor: Actor | None, followup_id: int, *, outcome: str, note: str) -> FollowUpView:
    """End a follow-up: rectified (what was done), explained, or appealed (the reason)."""
    require(actor, "inquiry")
    outcome = OUTCOME_WORDS.get((outcome or "").strip(), (outcome or "").strip())
    if outcome not in OUTCOMES:
        raise ServiceError("整改结果请填：整改、解释 或 申诉")
    note = typed_text(note, 400, "整改说明")
    if not note:
        raise ServiceError(
            {"rectified": "请写明整改做了什么", "explained": "请写明如何向办事人解释", "appealed": "请写明申诉理由"}[
                outcome
            ]
        )

    def work(session: Session) -> FollowUpView:
        f = session.get(FollowUp, followup_id)
        if f is None:
            raise NotFound(f"没有编号为 {followup_id} 的差评整改")
        if f.status != "open":
            raise ServiceError(f"差评整改 {followup_id} 已结束（{OUTCOMES.get(f.status, f.status)}）")
        if f.owner_id != actor.staff_id and actor.role != "supervisor":
            raise PermissionDenied("只有整改负责人或带班领导可以办结差评整改")
        f.status, f.note, f.closed_at = outcome, note, clock.now()
        session.add(f)
        events.record(session, f"followup.{outcome}", actor=actor, subject=f"followup:{f.id}", note=note)
        return _fview(session, f)

    return transaction(engine, work)
