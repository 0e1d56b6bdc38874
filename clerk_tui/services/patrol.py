"""大厅巡查: the supervisor's round of the hall, window by window: at post or absent (and why), badge
worn, discipline, tidiness and service manner, with a note. Each thing found wrong is a finding
(table patrol_finding) and an event; a window found absent while people wait for it is an alert
on the supervisor's screen at once (domain/responsibility.AbsenceFact), until the window calls
again or the alert is dismissed with a reason.

``patrol_findings`` is the public read the monthly assessment (窗口考核) scores.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain.responsibility import AbsenceFact, absent_words
from clerk_tui.services import events
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import ServiceError, typed_text
from clerk_tui.services.queue.rows import CLOSED, OPEN, PAUSED, WAITING, window_by_number
from clerk_tui.services.tx import transaction
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import (
    PatrolFinding,
    PatrolRound,
    Staff,
    Ticket,
    Window,
    WindowQueue,
    WindowState,
    id_of,
)

# item -> what the finding says (the order a patrol checks them in)
ITEMS: dict[str, str] = {
    "absent": "不在岗",
    "badge": "未佩戴工作牌",
    "discipline": "违反工作纪律",
    "tidiness": "台面不整洁",
    "manner": "服务态度欠佳",
}
REASON_LIMIT, NOTE_LIMIT = 100, 200


@dataclass(frozen=True)
class Finding:
    """One thing a patrol found wrong at a window (what the assessment scores)."""

    window_number: int
    staff_id: int | None  # the clerk signed in at the window then (None: nobody was)
    item: str  # absent | badge | discipline | tidiness | manner
    note: str
    at: dt.datetime

    @property
    def item_name(self) -> str:
        return ITEMS.get(self.item, self.item)


@dataclass(frozen=True)
class PatrolWindow:
    """A window a round walks past: who should be there and how many wait for it."""

    number: int
    name: str
    status: str  # open | paused
    clerk: str  # name ("" when nobody is signed in)
    clerk_number: str
    waiting: int


@dataclass(frozen=True)
class WindowCheck:
    """What the patrol saw at one window: each flag set is a finding."""

    window_number: int
    absent: bool = False
    reason: str = ""  # why absent (临时离岗, 请假未报备, 原因不明…)
    badge_missing: bool = False
    discipline: bool = False
    tidiness: bool = False
    manner: bool = False
    note: str = ""

    def items(self) -> list[str]:
        flags = (self.absent, self.badge_missing, self.discipline, self.tidiness, self.manner)
        return [item for item, flagged in zip(ITEMS, flags, strict=True) if flagged]


@dataclass(frozen=True)
class RoundResult:
    round_id: int
    windows_checked: int
    findings: tuple[Finding, ...]
    alerts: tuple[str, ...]  # "12号窗口无人在岗，排队 3 人": the absent windows people wait for


@dataclass(frozen=True)
class FindingLine:
    """A finding as the patrol list shows it."""

    round_id: int
    at: dt.datetime
    window_number: int
    clerk: str  # "name（number）" or ""
    item: str
    note: str
    waiting: int
    by: str  # the supervisor who patrolled

    @property
    def item_name(self) -> str:
        return ITEMS.get(self.item, self.item)


def waiting_for(session: Session, window: Window, day: dt.date) -> int:
    """People waiting today for ``window``: in the lines of the queues it serves (not those sent to
    another window), and those transferred to it."""
    queue_ids = select(WindowQueue.queue_id).where(WindowQueue.window_id == window.id)
    t = Ticket.__table__
    return session.execute(
        select(func.count())
        .select_from(t)
        .where(
            t.c.business_date == day,
            t.c.status == WAITING,
            or_(and_(t.c.queue_id.in_(queue_ids), t.c.target_window.is_(None)), t.c.target_window == window.number),
        )
    ).scalar_one()


def patrol_windows(engine: Engine, actor: Actor | None) -> list[PatrolWindow]:
    """The windows a round walks: every window open or paused now, in number order."""
    require(actor, "patrol.record")
    today = clock.today()
    with read_session(engine) as session:
        rows = session.exec(
            select(Window, WindowState, Staff)
            .join(WindowState, WindowState.window_id == Window.id)
            .outerjoin(Staff, Staff.id == WindowState.staff_id)
            .where(WindowState.status != CLOSED)
            .order_by(Window.number)
        ).all()
        return [
            PatrolWindow(
                w.number,
                w.name,
                st.status,
                s.name if s else "",
                s.number if s else "",
                waiting_for(session, w, today),
            )
            for w, st, s in rows
        ]


def checked_text(check: WindowCheck) -> tuple[str, str]:
    """A check's reason and note through the text policy; refused when an absence has no reason
    (or a reason has no absence). Pure: the patrol screen asks it before moving on."""
    reason = typed_text(check.reason, REASON_LIMIT, "不在岗原因")
    note = typed_text(check.note, NOTE_LIMIT, "巡查备注")
    if check.absent and not reason:
        raise ServiceError(
            f"{check.window_number}号窗口不在岗：请填写原因（如 临时离岗、请假未报备；不知道写“原因不明”）"
        )
    if reason and not check.absent:
        raise ServiceError(f"{check.window_number}号窗口：填写了不在岗原因但没有标记不在岗，请标记不在岗或删去原因")
    return reason, note


def record_round(
    engine: Engine, actor: Actor | None, checks: Sequence[WindowCheck], *, started_at: dt.datetime | None = None
) -> RoundResult:
    """Record a patrol round: each flag of each window checked is a finding and an event; the
    round itself is an event. All or nothing."""
    actor = require(actor, "patrol.record")
    if not checks:
        raise ServiceError("巡查没有记录任何窗口：请至少检查一个窗口")
    numbers = [c.window_number for c in checks]
    if len(set(numbers)) != len(numbers):
        twice = sorted({n for n in numbers if numbers.count(n) > 1})
        raise ServiceError(f"同一轮巡查中{'、'.join(map(str, twice))}号窗口记录了两次：每个窗口只记一次")
    texts = [checked_text(c) for c in checks]

    def work(session: Session) -> RoundResult:
        now, today = clock.now(), clock.today()
        round_ = PatrolRound(
            day=today,
            staff_id=actor.staff_id,
            started_at=min(started_at or now, now),
            finished_at=now,
            windows_checked=len(checks),
        )
        session.add(round_)
        session.flush()
        findings: list[Finding] = []
        alerts: list[str] = []
        for check, (reason, note) in zip(checks, texts, strict=True):
            window = window_by_number(session, check.window_number)
            st = session.get(WindowState, window.id)
            clerk_id = st.staff_id if st is not None and st.status != CLOSED else None
            if check.absent and (st is None or st.status != OPEN):
                why = f"已暂停（{st.pause_reason}）" if st is not None and st.status == PAUSED else "未开窗"
                raise ServiceError(
                    f"{window.number}号窗口{why}：暂停或未开窗时不在座位上不算脱岗，请不要记“不在岗”；"
                    "如对暂停原因有疑问，请记在备注中"
                )
            clerk = session.get(Staff, clerk_id) if clerk_id else None
            waiting = waiting_for(session, window, today) if check.absent else 0
            if check.absent and waiting:
                alerts.append(absent_words(window.number, waiting))
            for item in check.items():
                text = reason if item == "absent" else note
                if item == "absent" and note:
                    text = f"{reason}；{note}"
                session.add(
                    PatrolFinding(
                        round_id=id_of(round_),
                        window_number=window.number,
                        staff_id=clerk_id,
                        item=item,
                        note=text[:NOTE_LIMIT],
                        waiting=waiting if item == "absent" else 0,
                        at=now,
                    )
                )
                events.record(
                    session,
                    "patrol.finding",
                    actor=actor,
                    subject=f"{window.number}号窗口",
                    window=window.number,
                    item=item,
                    note=text[:NOTE_LIMIT],
                    clerk=clerk.number if clerk else None,
                    waiting=waiting if item == "absent" else None,
                    round=round_.id,
                )
                findings.append(Finding(window.number, clerk_id, item, text[:NOTE_LIMIT], now))
        events.record(
            session,
            "patrol.round",
            actor=actor,
            subject=f"巡查 #{round_.id}",
            windows=len(checks),
            findings=len(findings),
        )
        return RoundResult(id_of(round_), len(checks), tuple(findings), tuple(alerts))

    return transaction(engine, work)


def _bounds(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Dates are whole days, both included (as the reports' periods); datetimes are [start, end)."""
    lo = start if isinstance(start, dt.datetime) else dt.datetime.combine(start, dt.time())
    hi = end if isinstance(end, dt.datetime) else dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    return lo, hi


def patrol_findings(engine: Engine, start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> list[Finding]:
    """Every patrol finding from ``start`` to ``end`` in time order: for the monthly assessment,
    which scores them (dates: whole days, both included; datetimes: from start up to, not
    including, end). A read for a service that checked its caller's rights itself."""
    lo, hi = _bounds(start, end)
    with read_session(engine) as session:
        rows = session.exec(
            select(PatrolFinding)
            .where(PatrolFinding.at >= lo, PatrolFinding.at < hi)
            .order_by(PatrolFinding.at, PatrolFinding.id)
        ).all()
        return [Finding(f.window_number, f.staff_id, f.item, f.note, f.at) for f in rows]


def list_findings(engine: Engine, actor: Actor | None, day: dt.date | None = None) -> list[FindingLine]:
    """A day's findings (today's by default), with who was at the window and who patrolled."""
    require(actor, "patrol.read")
    lo, hi = _bounds(day or clock.today(), day or clock.today())
    with read_session(engine) as session:
        staff = {s.id: s for s in session.exec(select(Staff))}
        rows = session.exec(
            select(PatrolFinding, PatrolRound)
            .join(PatrolRound, PatrolRound.id == PatrolFinding.round_id)
            .where(PatrolFinding.at >= lo, PatrolFinding.at < hi)
            .order_by(PatrolFinding.at, PatrolFinding.id)
        ).all()
        return [
            FindingLine(
                r.id or 0,
                f.at,
                f.window_number,
                f"{staff[f.staff_id].name}（{staff[f.staff_id].number}）" if f.staff_id in staff else "",
                f.item,
                f.note,
                f.waiting,
                staff[r.staff_id].name,
            )
            for f, r in rows
        ]


def absence_facts(session: Session, day: dt.date) -> list[AbsenceFact]:
    """Today's windows found absent while people waited, that have not called anyone since (the
    clerk is not back): the facts of the ``window_absent`` alerts."""
    numbers = {s.id: s.number for s in session.exec(select(Staff))}
    latest: dict[int, tuple[PatrolFinding, int]] = {}  # a window found absent twice: one alert, the newest
    for f, by in session.exec(
        select(PatrolFinding, PatrolRound.staff_id)
        .join(PatrolRound, PatrolRound.id == PatrolFinding.round_id)
        .where(
            PatrolFinding.at >= dt.datetime.combine(day, dt.time()),
            PatrolFinding.item == "absent",
            PatrolFinding.waiting > 0,
        )
        .order_by(PatrolFinding.at, PatrolFinding.id)
    ):
        latest[f.window_number] = (f, by)
    facts = []
    for f, by in latest.values():
        back = session.exec(
            select(Ticket.id)
            .where(Ticket.business_date == day, Ticket.window_number == f.window_number, Ticket.called_at > f.at)
            .limit(1)
        ).first()
        if back is None:  # the clerk at the window must come back; nobody signed in: the patroller acts
            who = numbers[f.staff_id] if f.staff_id in numbers else numbers[by]
            facts.append(AbsenceFact(id_of(f), f.window_number, f.at, f.waiting, who, f.note))
    return facts
