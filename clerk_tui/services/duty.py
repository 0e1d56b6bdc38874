"""领导带班: the supervisor on duty each day and their duty log (值班日志).

Who is on duty: the roster the administrator keeps (table duty_roster), or, for a day without an
entry, the supervisor who logged in first that day. That login is recorded by the login itself
(its ``staff.login`` event, which every TUI and CLI login writes): no second write at login, and
nothing to race when two supervisors log in at once.

The duty log is the notes the day's supervisor writes, beside the day's notable events (patrol
findings, bad ratings, the alerts that call for the supervisor, alerts set aside, windows paused), and the handover note (交班留言) the
next day's supervisor finds on their screen.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain.responsibility import Rules
from clerk_tui.domain.roles import SUPERVISOR
from clerk_tui.services import events
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import ServiceError, typed_text, unknown_staff
from clerk_tui.services.files import read_text
from clerk_tui.services.patrol import ITEMS, WindowCheck, patrol_windows, record_round
from clerk_tui.services.ratings import BAD, LEVELS
from clerk_tui.services.responsibility import list_alerts
from clerk_tui.services.tx import transaction
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import DutyNote, DutyRoster, Event, Rating, Staff, Ticket

HOW_NAMES = {"roster": "排班", "first_login": "当日首位登录"}
NOTE_LIMIT = 1000
LOG, HANDOVER = "log", "handover"


@dataclass(frozen=True)
class OnDuty:
    """The supervisor on duty (带班领导) of a day, and how they came to be."""

    staff_id: int
    number: str
    name: str
    how: str  # roster | first_login

    @property
    def how_name(self) -> str:
        return HOW_NAMES.get(self.how, self.how)


@dataclass(frozen=True)
class RosterLine:
    day: dt.date
    number: str
    name: str


@dataclass(frozen=True)
class NoteLine:
    day: dt.date
    kind: str  # log | handover
    at: dt.datetime
    by: str  # name
    text: str


@dataclass(frozen=True)
class Happening:
    """A notable event of the day, listed beside the supervisor's notes."""

    at: dt.datetime
    what: str  # 巡查 / 差评 / 提醒消除 / 暂停服务
    text: str


@dataclass(frozen=True)
class DutyLog:
    day: dt.date
    on_duty: OnDuty | None
    notes: tuple[NoteLine, ...]
    happenings: tuple[Happening, ...]
    handover_in: NoteLine | None  # the note the previous duty day left for this one
    handover_out: NoteLine | None  # the note this day leaves for the next


def _first_login(session: Session, day: dt.date) -> Staff | None:
    start = dt.datetime.combine(day, dt.time())
    return session.exec(
        select(Staff)
        .join(Event, Event.staff_id == Staff.id)
        .where(
            Event.kind == "staff.login",
            Event.at >= start,
            Event.at < start + dt.timedelta(days=1),
            Staff.role == SUPERVISOR,
        )
        .order_by(Event.at, Event.id)
        .limit(1)
    ).first()


def _on_duty(session: Session, day: dt.date) -> OnDuty | None:
    entry = session.get(DutyRoster, day)
    if entry is not None:
        s = session.get_one(Staff, entry.staff_id)
        return OnDuty(entry.staff_id, s.number, s.name, "roster")
    first = _first_login(session, day)
    return OnDuty(first.id or 0, first.number, first.name, "first_login") if first is not None else None


def on_duty(engine: Engine, day: dt.date | None = None) -> OnDuty | None:
    """The supervisor on duty on ``day`` (today by default): the roster's, else the first
    supervisor to log in that day, else None. Public: the hall's display shows the name."""
    with read_session(engine) as session:
        return _on_duty(session, day or clock.today())


def _supervisor(session: Session, number: str) -> Staff:
    number = (number or "").strip()
    s = session.exec(select(Staff).where(Staff.number == number)).first()
    if s is None:
        raise unknown_staff(number)
    if s.role != SUPERVISOR or not s.active:
        raise ServiceError(f"{s.name}（{number}）不是在职的带班领导：带班只能安排带班领导，请换一个工号")
    return s


def _set(session: Session, actor: Actor, day: dt.date, s: Staff) -> None:
    entry = session.get(DutyRoster, day)
    before = session.get_one(Staff, entry.staff_id).number if entry is not None else None
    if entry is None:
        session.add(DutyRoster(day=day, staff_id=s.id, set_by=actor.staff_id, set_at=clock.now()))
    else:
        entry.staff_id, entry.set_by, entry.set_at = s.id or 0, actor.staff_id, clock.now()
        session.add(entry)
    events.record(session, "duty.roster_set", actor=actor, subject=day.isoformat(), supervisor=s.number, before=before)


def set_roster(engine: Engine, actor: Actor | None, day: dt.date, supervisor: str) -> OnDuty:
    """Put supervisor ``supervisor`` (a staff number) on duty on ``day`` (replacing whoever was)."""
    actor = require(actor, "duty.roster")

    def work(session: Session) -> OnDuty:
        s = _supervisor(session, supervisor)
        _set(session, actor, day, s)
        return OnDuty(s.id or 0, s.number, s.name, "roster")

    return transaction(engine, work)


def load_roster(engine: Engine, actor: Actor | None, path: str | Path, *, encoding: str = "utf-8") -> int:
    """A month (or any days) of roster from a text file, a line a day: ``2026-12-01 9001`` (a
    comma or spaces between; ``#`` starts a comment). All lines or none. Returns the days set."""
    actor = require(actor, "duty.roster")
    lines = []
    for n, raw in enumerate(read_text(path, "排班文件", encoding=encoding).splitlines(), 1):
        line = raw.split("#", 1)[0].replace(",", " ").replace("，", " ").strip()
        if not line:
            continue
        parts = line.split()
        try:
            if len(parts) != 2:
                raise ValueError
            day = dt.date.fromisoformat(parts[0])
        except ValueError:
            raise ServiceError(
                f"排班文件第 {n} 行“{raw.strip()[:40]}”格式不对：每行写 日期 工号，例如 2026-12-01 9001"
            ) from None
        lines.append((n, day, parts[1]))
    if not lines:
        raise ServiceError("排班文件中没有排班：每行写 日期 工号，例如 2026-12-01 9001")
    days = [d for _, d, _ in lines]
    if len(set(days)) != len(days):
        twice = sorted({d for d in days if days.count(d) > 1})
        raise ServiceError(f"排班文件中 {'、'.join(map(str, twice))} 出现了两次：每天只排一位带班领导")

    def work(session: Session) -> int:
        for n, day, number in lines:
            try:
                s = _supervisor(session, number)
            except ServiceError as exc:
                raise ServiceError(f"排班文件第 {n} 行：{exc.message}") from None
            _set(session, actor, day, s)
        return len(lines)

    return transaction(engine, work)


def list_roster(engine: Engine, actor: Actor | None, month: str | None = None) -> list[RosterLine]:
    """The roster of ``month`` (``2026-12``; this month by default), day by day as it was set."""
    require(actor, "duty.read")
    first = _month(month)
    after = (first + dt.timedelta(days=32)).replace(day=1)
    with read_session(engine) as session:
        rows = session.exec(
            select(DutyRoster, Staff)
            .join(Staff, Staff.id == DutyRoster.staff_id)
            .where(DutyRoster.day >= first, DutyRoster.day < after)
            .order_by(DutyRoster.day)
        ).all()
        return [RosterLine(r.day, s.number, s.name) for r, s in rows]


def _month(month: str | None) -> dt.date:
    if not month:
        return clock.today().replace(day=1)
    try:
        return dt.datetime.strptime(month.strip(), "%Y-%m").date()
    except ValueError:
        raise ServiceError(f"月份“{month}”格式不对：请写成 2026-12") from None


def _note(engine: Engine, actor: Actor | None, kind: str, text: str) -> NoteLine:
    actor = require(actor, "duty.log")
    text = typed_text(text, NOTE_LIMIT, "交班留言" if kind == HANDOVER else "值班日志", required=True)

    def work(session: Session) -> NoteLine:
        now = clock.now()
        session.add(DutyNote(day=now.date(), kind=kind, staff_id=actor.staff_id, text=text, at=now))
        events.record(session, f"duty.{kind}", actor=actor, subject=now.date().isoformat(), text=text)
        return NoteLine(now.date(), kind, now, actor.name, text)

    return transaction(engine, work)


def add_log(engine: Engine, actor: Actor | None, text: str) -> NoteLine:
    """A note in today's duty log (值班日志)."""
    return _note(engine, actor, LOG, text)


def handover(engine: Engine, actor: Actor | None, text: str) -> NoteLine:
    """Today's handover note (交班留言) to the next day's supervisor on duty."""
    return _note(engine, actor, HANDOVER, text)


def _lines(session: Session, stmt) -> list[NoteLine]:
    names = {s.id: s.name for s in session.exec(select(Staff))}
    return [NoteLine(n.day, n.kind, n.at, names.get(n.staff_id, ""), n.text) for n in session.exec(stmt)]


def _handover_before(session: Session, day: dt.date) -> NoteLine | None:
    """The newest handover note written on a day before ``day``: what the supervisor finds."""
    found = _lines(
        session,
        select(DutyNote)
        .where(DutyNote.kind == HANDOVER, DutyNote.day < day)
        .order_by(DutyNote.day.desc(), DutyNote.at.desc(), DutyNote.id.desc())
        .limit(1),
    )
    return found[0] if found else None


def handover_for(engine: Engine, actor: Actor | None, day: dt.date | None = None) -> NoteLine | None:
    """The handover note left for ``day`` (today by default) by the last duty day before it."""
    require(actor, "duty.log")
    with read_session(engine) as session:
        return _handover_before(session, day or clock.today())


def _happenings(session: Session, day: dt.date) -> list[Happening]:
    start = dt.datetime.combine(day, dt.time())
    end = start + dt.timedelta(days=1)
    out = []
    for e in session.exec(
        select(Event)
        .where(
            Event.kind.in_(("patrol.finding", "alert.dismissed", "window.paused")),
            Event.at >= start,
            Event.at < end,
        )
        .order_by(Event.at, Event.id)
    ):
        p = json.loads(e.payload or "{}")
        if e.kind == "patrol.finding":
            text = f"{e.subject} {ITEMS.get(p.get('item'), p.get('item'))}"
            if p.get("waiting"):
                text += f"（排队 {p['waiting']} 人）"
            out.append(Happening(e.at, "巡查", text + (f"：{p['note']}" if p.get("note") else "")))
        elif e.kind == "alert.dismissed":
            out.append(Happening(e.at, "提醒消除", f"{e.subject}：{p.get('reason', '')}"))
        else:
            out.append(Happening(e.at, "暂停服务", f"{e.window_number}号窗口：{p.get('reason', '')}"))
    for r, number in session.exec(
        select(Rating, Ticket.number)
        .join(Ticket, Ticket.id == Rating.ticket_id)
        .where(Rating.at >= start, Rating.at < end, Rating.level <= BAD)
    ):
        why = "、".join(x for x in (r.reasons, r.text) if x)
        out.append(Happening(r.at, "差评", f"{r.window_number}号窗口 {number} {LEVELS.get(r.level or 0, '')}：{why}"))
    return sorted(out, key=lambda h: h.at)


def duty_log(
    engine: Engine, actor: Actor | None, day: dt.date | None = None, *, rules_: Rules = Rules(), case_rules=None
) -> DutyLog:
    """The duty log of ``day`` (today by default): who was on duty, their notes, the day's notable
    events (today's also the alerts that call for the supervisor now), the handover they found and
    the one they left."""
    actor = require(actor, "duty.log")
    today = clock.today()
    day = day or today
    raised = []
    if day == today:  # alerts are not stored: they hold while their facts hold
        raised = [
            Happening(a.due, "提醒", f"{a.kind_name} {a.subject}（责任人 {a.responsible}）")
            for a in list_alerts(engine, actor, rules_=rules_, case_rules=case_rules)
            if a.escalated
        ]
    with read_session(engine) as session:
        notes = _lines(session, select(DutyNote).where(DutyNote.day == day).order_by(DutyNote.at, DutyNote.id))
        return DutyLog(
            day,
            _on_duty(session, day),
            tuple(n for n in notes if n.kind == LOG),
            tuple(sorted(_happenings(session, day) + raised, key=lambda h: h.at)),
            _handover_before(session, day),
            next((n for n in reversed(notes) if n.kind == HANDOVER), None),
        )


def demo_duty(engine: Engine, admin: Actor, sup: Actor, yesterday_sup: Actor) -> None:
    """领导带班 and 大厅巡查 in the demo (services/setup.build_demo): ``sup`` on the roster today,
    ``yesterday_sup`` yesterday and tomorrow, with her handover note from yesterday evening; a note
    in today's duty log; and a patrol just now that found an open window's clerk away while people
    wait for it (an alert until the window calls again) and a badge not worn at another."""
    now = clock.now().replace(second=0, microsecond=0)
    today = now.date()
    with clock.frozen_at(now - dt.timedelta(days=1, hours=2)):
        for day, number in (
            (today - dt.timedelta(days=1), yesterday_sup.number),
            (today, sup.number),
            (today + dt.timedelta(days=1), yesterday_sup.number),
        ):
            set_roster(engine, admin, day, number)
    with clock.frozen_at(dt.datetime.combine(today - dt.timedelta(days=1), dt.time(17, 30))):
        handover(engine, yesterday_sup, "社保窗口明天上午预约较多，请提前安排补位人员；一件差评整改待回访。")
    with clock.frozen_at(min(now, dt.datetime.combine(today, dt.time(8, 40)))):
        add_log(engine, sup, "开门前巡视：各窗口人员按时到岗，叫号屏和评价器工作正常。")
    windows = [w for w in patrol_windows(engine, sup) if w.status == "open" and w.clerk]
    away = next((w for w in windows if w.waiting and w.number not in (3, 30)), None)  # not the README's windows
    badge = next((w for w in windows if w is not away), None)
    checks = [
        WindowCheck(
            w.number,
            absent=w is away,
            reason="临时离岗，未摆放暂停服务牌" if w is away else "",
            badge_missing=w is badge,
        )
        for w in windows
    ]
    if checks:
        with clock.frozen_at(now):
            record_round(engine, sup, checks, started_at=now - dt.timedelta(minutes=12))
