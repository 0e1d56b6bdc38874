"""便民服务方式与前店后场: per department, the cases of a period in each service mode (全程代办, 上门服务,
延时服务, 预约服务), the share decided at the window against those sent to the back office (the
measure of 授权不到位), and the time spent there; and per staff member, the 全程代办 cases they carried.

Counted over the cases received in the period, straight from the case table (one GROUP BY): a case
counts once in each mode it was handled in. "Decided at the window" is a case decided (即办 or 办结)
that never went to the back office; "sent back" is any case that did, decided or not yet. 延时服务 is
counted twice over: the cases taken in after hours (件), and the tickets finished outside the hall's
hours or on a day off (号), by the serving window's department, since a served ticket need not
become a case.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine

from clerk_tui import clock
from clerk_tui.domain import cases as rules
from clerk_tui.domain.calendar import WorkdayCalendar
from clerk_tui.domain.roles import allowed
from clerk_tui.services.context import Actor, require
from clerk_tui.services.reports import check_span
from clerk_tui.services.workdays import session_schedules
from clerk_tui.store.dialect import day_of, minute_of_day, name_of
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Department, ServiceCase, ServiceItem, Staff, Ticket, Window

DECIDED = (rules.COMPLETED, rules.DELIVERED)


@dataclass
class ModeRow:
    """One department's (or the hall's) figures."""

    department: str
    back_office: bool = False  # the department is marked as deciding in its back office
    received: int = 0  # 收件
    agency: int = 0  # 全程代办
    visit: int = 0  # 上门服务
    after_hours: int = 0  # 延时服务
    appointment: int = 0  # 预约服务
    decided_at_window: int = 0  # 窗口决定
    sent_back: int = 0  # 送后场
    in_back_office: int = 0  # 仍在后场
    back_office_minutes: int = 0  # time spent there by the cases sent back, current stays up to now
    after_hours_tickets: int = 0  # 延时服务 at the counter: tickets finished outside the hall's hours

    @property
    def sent_back_share(self) -> float | None:
        """送后场比重 (授权不到位): sent back / (decided at the window + sent back)."""
        whole = self.decided_at_window + self.sent_back
        return self.sent_back / whole if whole else None

    @property
    def average_stay_minutes(self) -> int | None:
        return round(self.back_office_minutes / self.sent_back) if self.sent_back else None

    def add(self, other: ModeRow) -> None:
        for name in (
            "received",
            "agency",
            "visit",
            "after_hours",
            "appointment",
            "decided_at_window",
            "sent_back",
            "in_back_office",
            "back_office_minutes",
            "after_hours_tickets",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_json(self) -> dict:
        out = asdict(self)
        out.update(sent_back_share=self.sent_back_share, average_stay_minutes=self.average_stay_minutes)
        return out


@dataclass(frozen=True)
class AgencyRow:
    """全程代办 by the staff member who carried it."""

    number: str
    name: str
    cases: int
    decided: int


@dataclass
class ModeReport:
    start: dt.date
    end: dt.date
    rows: list[ModeRow]
    total: ModeRow
    agency: list[AgencyRow] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "departments": [r.as_json() for r in self.rows],
            "total": self.total.as_json(),
            "agency_staff": [asdict(a) for a in self.agency],
        }


def recent_days(n: int) -> tuple[dt.date, dt.date]:
    """The last ``n`` days up to and including today: the report's default period."""
    today = clock.today()
    return today - dt.timedelta(days=n - 1), today


def mode_report(
    engine: Engine,
    actor: Actor | None,
    start: dt.date,
    end: dt.date,
    hours: tuple[dt.time, dt.time] = (dt.time(8, 30), dt.time(17, 30)),
) -> ModeReport:
    """The period's figures. The departments' are for every clerk and supervisor; the staff table
    is a supervisor's (a clerk sees only their own line, as in the other reports). ``hours`` are the
    hall's (opens, closes): a ticket finished outside them, or on a day off, was 延时服务."""
    actor = require(actor, "report.read.hall")
    check_span(start, end)
    c = ServiceCase.__table__
    t = Ticket.__table__
    period = (c.c.received_on >= start, c.c.received_on <= end)

    def count(condition) -> object:
        return func.sum(case((condition, 1), else_=0))

    decided = c.c.status.in_(DECIDED)
    with read_session(engine) as session:
        depts = {d.id: d for d in session.execute(select(Department)).scalars()}
        rows: dict[int, ModeRow] = {}
        for dept_id, *n in session.execute(
            select(
                c.c.department_id,
                func.count(),
                count(c.c.service_mode == rules.AGENCY),
                count(c.c.service_mode == rules.VISIT),
                count(c.c.after_hours.is_(True)),
                count(t.c.appointment_id.is_not(None)),
                count(decided & (c.c.back_office_sends == 0)),
                count(c.c.back_office_sends > 0),
                count(c.c.back_office_since.is_not(None)),
                func.sum(c.c.back_office_minutes),
            )
            .select_from(c.outerjoin(t, t.c.id == c.c.ticket_id))
            .where(*period)
            .group_by(c.c.department_id)
        ):
            dept = depts.get(dept_id)
            rows[dept_id] = ModeRow(dept.name if dept else "", bool(dept and dept.back_office), *map(int, n))
        now = clock.now()
        for dept_id, since in session.execute(
            select(c.c.department_id, c.c.back_office_since).where(*period, c.c.back_office_since.is_not(None))
        ):
            rows[dept_id].back_office_minutes += rules.back_office_minutes(since, now)
        for dept_id, count_after in _after_hours_tickets(session, start, end, hours).items():
            if dept_id not in rows:
                dept = depts.get(dept_id)
                rows[dept_id] = ModeRow(dept.name if dept else "", bool(dept and dept.back_office))
            rows[dept_id].after_hours_tickets = count_after
        agency_stmt = (
            select(Staff.number, Staff.name, func.count(), count(decided))
            .select_from(c.join(Staff.__table__, Staff.__table__.c.id == c.c.agency_staff_id))
            .where(*period)
            .group_by(Staff.number, Staff.name)
            .order_by(Staff.number)
        )
        if not allowed(actor.role, "report.read.staff"):
            agency_stmt = agency_stmt.where(c.c.agency_staff_id == actor.staff_id)
        agency = [AgencyRow(num, name, int(n), int(d)) for num, name, n, d in session.execute(agency_stmt)]
    ordered = sorted(rows.values(), key=lambda r: r.department)
    total = ModeRow("全厅")
    for row in ordered:
        total.add(row)
    return ModeReport(start, end, ordered, total, agency)


def _after_hours_tickets(session, start: dt.date, end: dt.date, hours: tuple[dt.time, dt.time]) -> dict[int, int]:
    """Tickets finished outside the hall's hours, per department (the serving window's, else the
    item's): by the time of day in SQL, per day; on a day off every ticket counts."""
    t, w, i = Ticket.__table__, Window.__table__, ServiceItem.__table__
    dialect = name_of(session)
    minute = minute_of_day(dialect, t.c.finished_at)
    opens, closes = (h.hour * 60 + h.minute for h in hours)
    dept = func.coalesce(w.c.department_id, i.c.department_id)
    day = day_of(dialect, t.c.finished_at)
    lo, hi = dt.datetime.combine(start, dt.time()), dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    calendar = WorkdayCalendar(session_schedules(session))
    out: dict[int, int] = {}
    for dept_id, on, every, late in session.execute(
        select(dept, day, func.count(), func.sum(case(((minute < opens) | (minute >= closes), 1), else_=0)))
        .select_from(
            t.outerjoin(w, (w.c.number == t.c.window_number) & (w.c.hall_id == t.c.hall_id)).outerjoin(
                i, i.c.id == t.c.item_id
            )
        )
        .where(t.c.finished_at >= lo, t.c.finished_at < hi, dept.is_not(None))
        .group_by(dept, day)
    ):
        on = on if isinstance(on, dt.date) else dt.date.fromisoformat(on)
        n = int(every) if not calendar.workday(on)[0] else int(late)
        if n:
            out[dept_id] = out.get(dept_id, 0) + n
    return out


HEADERS = [
    "部门",
    "收件",
    "全程代办",
    "上门服务",
    "延时服务（件）",
    "延时服务（号）",
    "预约服务",
    "窗口决定",
    "送后场",
    "送后场比重",
    "仍在后场",
    "后场平均用时",
]


def table_rows(report: ModeReport) -> list[list]:
    """The department lines and the hall's, as the table and the CSV show them."""

    def line(r: ModeRow) -> list:
        share = r.sent_back_share
        stay = r.average_stay_minutes
        return [
            r.department + ("（后场审批）" if r.back_office else ""),
            r.received,
            r.agency,
            r.visit,
            r.after_hours,
            r.after_hours_tickets,
            r.appointment,
            r.decided_at_window,
            r.sent_back,
            "—" if share is None else f"{share * 100:.1f}%",
            r.in_back_office,
            "—" if stay is None else rules.stay_words(stay),
        ]

    return [line(r) for r in report.rows] + [line(report.total)]


def to_csv(report: ModeReport) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADERS)
    writer.writerows(table_rows(report))
    if report.agency:
        writer.writerow([])
        writer.writerow(["全程代办人员", "工号", "代办件数", "已办结"])
        writer.writerows([a.name, a.number, a.cases, a.decided] for a in report.agency)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8
