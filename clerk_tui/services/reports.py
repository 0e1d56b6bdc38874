"""The hall's statistics (DOMAIN §1): tickets, waits, cases, 即办比重, 按时办结率, 提前办结率, ratings
and the catalog's compression, for a day, month, year or range, by hall, department, window or
clerk. Computed in the database with GROUP BY (wait percentiles from per-minute histograms), so a
year of a county hall stays within seconds.

Definitions (the README repeats them):
- tickets_issued: tickets with a business date in the range; tickets_served: those finished;
  no_shows: marked no-show; transfers: transfers made. Waits run from issue to call, service from
  start to finish, in minutes; averages exact, 90th percentiles rounded up to the whole minute.
- cases_received: cases first handed in (收件) in the range; cases_accepted: accepted in the
  range (supplement cases count when their papers were complete); cases_completed: completed
  (办结) in the range, approved or denied.
- immediate_cases: completed immediate cases (即办件); immediate_share = immediate_cases /
  cases_completed.
- promised_completed: completed promised cases (承诺件); promised_on_time: those completed on or
  before their promised date; on_time_rate = promised_on_time / promised_completed;
  promised_early: completed strictly before it; early_rate = promised_early / promised_completed.
  A case completed on its promised date is on time and not early.
- supplements: cases received in the range that needed a one-time notice; rejections: received
  and not accepted (不予受理); suspended: suspensions begun in the range; overdue: promised cases
  completed after their date in the range, plus open ones (not suspended) whose date passed in
  the range.
- ratings: count per level 1–5 and 未评价; satisfaction_rate = (level 4 + level 5) / rated.
- A rate whose denominator is 0 is null.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from sqlalchemy import func, literal, select
from sqlalchemy.engine import Engine

from clerk_tui import clock
from clerk_tui.domain.cases import RUNNING_STATUSES
from clerk_tui.domain.roles import allowed, allowed_roles_text
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import (
    PermissionDenied,
    ServiceError,
    unknown_department,
    unknown_staff,
    unknown_window,
)
from clerk_tui.services.report_counts import (  # noqa: F401  (keep_past_days, forget_days: re-exported API)
    DIMENSIONS,
    cached_days,
    empty_counts,
    forget_days,
    keep_past_days,
    merge_counts,
    raw_counts,
)
from clerk_tui.services.workdays import parse_date
from clerk_tui.store.dialect import name_of as dialect_name
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import (
    Department,
    Event,
    ServiceCase,
    ServiceItem,
    Staff,
    Ticket,
    Window,
)

FIGURES = (
    "tickets_issued",
    "tickets_served",
    "no_shows",
    "transfers",
    "wait_avg",
    "wait_p90",
    "service_avg",
    "service_p90",
    "cases_received",
    "cases_accepted",
    "cases_completed",
    "immediate_cases",
    "immediate_share",
    "promised_completed",
    "promised_on_time",
    "on_time_rate",
    "promised_early",
    "early_rate",
    "supplements",
    "rejections",
    "suspended",
    "overdue",
    "ratings",
    "satisfaction_rate",
)
FIGURE_NAMES = {
    "tickets_issued": "取号",
    "tickets_served": "办结号",
    "no_shows": "过号",
    "transfers": "转办",
    "wait_avg": "平均等候(分)",
    "wait_p90": "90%等候(分)",
    "service_avg": "平均办理(分)",
    "service_p90": "90%办理(分)",
    "cases_received": "收件",
    "cases_accepted": "受理",
    "cases_completed": "办结",
    "immediate_cases": "即办件",
    "immediate_share": "即办比重",
    "promised_completed": "承诺件办结",
    "promised_on_time": "按时办结",
    "on_time_rate": "按时办结率",
    "promised_early": "提前办结",
    "early_rate": "提前办结率",
    "supplements": "补正",
    "rejections": "不予受理",
    "suspended": "挂起",
    "overdue": "超期",
    "ratings": "评价",
    "satisfaction_rate": "满意率",
    "legal_days": "法定时限合计",
    "promised_days": "承诺时限合计",
    "compression": "压缩比例",
}
UNKNOWN = "（未分配）"


@dataclass
class Group:
    key: str
    name: str
    figures: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"group": self.name, "key": self.key, **self.figures}


@dataclass
class Report:
    start: dt.date
    end: dt.date
    by: str
    groups: list[Group]
    hourly: list[tuple[int, int, int]]  # (hour, issued, served)
    audit_head: tuple[int, str] | None = None  # a daily report: the day's last event and its fingerprint

    def as_json(self) -> dict:
        value: dict[str, object] = {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "by": self.by,
            "groups": [g.as_json() for g in self.groups],
            "hourly": [{"hour": h, "issued": i, "served": s} for h, i, s in self.hourly],
        }
        if self.audit_head is not None:
            value["audit_head"] = {"event_id": self.audit_head[0], "fingerprint": self.audit_head[1]}
        return value


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _percentile(histogram: dict[int, int], p: float) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = p * total, 0
    for minute in sorted(histogram):
        seen += histogram[minute]
        if seen >= rank:
            return float(minute)
    return float(max(histogram))


def period(kind: str, value: str | None = None, end: str | None = None) -> tuple[dt.date, dt.date]:
    """The dates of ``daily [--date]``, ``monthly [--month]``, ``yearly [--year]`` or ``range``."""
    today = clock.today()
    if kind == "daily":
        d = parse_date(value) if value else today
        return d, d
    if kind == "monthly":
        try:
            y, m = (int(x) for x in (value or f"{today:%Y-%m}").split("-"))
            first = dt.date(y, m, 1)
        except ValueError as exc:
            raise ServiceError(f"月份 {value!r} 无效，请写成 YYYY-MM，例如 2026-11") from exc
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        return first, nxt - dt.timedelta(days=1)
    if kind == "yearly":
        try:
            y = int(value or today.year)
            return dt.date(y, 1, 1), dt.date(y, 12, 31)
        except ValueError as exc:
            raise ServiceError(f"年份 {value!r} 无效，请写成四位数字，例如 2026") from exc
    start, finish = parse_date(value or ""), parse_date(end or "")
    check_span(start, finish)
    return start, finish


MAX_REPORT_YEARS = 5  # a report covers at most this many years at once


def check_span(start: dt.date, end: dt.date) -> None:
    """A period a report may cover: start before end, and at most MAX_REPORT_YEARS long."""
    if start > end:
        raise ServiceError(f"起始日期 {start} 晚于结束日期 {end}：请把较早的日期写在前面")
    if (end - start).days > 366 * MAX_REPORT_YEARS:
        raise ServiceError(
            f"统计期间 {start} 至 {end} 超过 {MAX_REPORT_YEARS} 年：请分段统计，每次不超过 {MAX_REPORT_YEARS} 年"
        )


def hall_first_day(session) -> dt.date | None:
    """The day the hall's history begins (its first event, ticket or case; each an indexed minimum),
    or None for a hall with no history."""
    firsts = [
        session.execute(select(func.min(Event.at))).scalar(),
        session.execute(select(func.min(Ticket.business_date))).scalar(),
        session.execute(select(func.min(ServiceCase.received_on))).scalar(),
    ]
    days = [d.date() if isinstance(d, dt.datetime) else d for d in firsts if d is not None]
    return min(days) if days else None


def build_report(
    engine: Engine,
    actor: Actor | None,
    start: dt.date,
    end: dt.date,
    by: str = "hall",
    *,
    department: str | None = None,
    window: int | None = None,
    clerk: str | None = None,
) -> Report:
    """The figures of a period. The hall's, a department's and a window's figures are for every
    clerk and supervisor; staff figures (``by="clerk"``, ``clerk=…``) a clerk sees only for
    themselves (``by="clerk"`` alone shows them their own row), a supervisor for everyone."""
    actor = require(actor, "report.read.hall")
    if not allowed(actor.role, "report.read.staff"):
        if clerk and clerk.strip() != actor.number:
            raise PermissionDenied(
                f"{actor.name}（{actor.role_name}）只能查看本人的统计（工号 {actor.number}），"
                f"查看他人的统计需要：{allowed_roles_text('report.read.staff')}"
            )
        if by == "clerk":
            clerk = actor.number
    return _build_report(engine, start, end, by, department=department, window=window, clerk=clerk)


def _build_report(
    engine: Engine,
    start: dt.date,
    end: dt.date,
    by: str,
    *,
    department: str | None,
    window: int | None,
    clerk: str | None,
) -> Report:
    if by not in DIMENSIONS:
        raise ServiceError(f"分组 {by!r} 无效，可用：" + "、".join(f"{k}（{v}）" for k, v in DIMENSIONS.items()))
    check_span(start, end)
    with read_session(engine) as session:
        dialect = dialect_name(session)
        # Counted only over days the hall has a history for: nothing before its first day, nothing
        # after today (the report still names the period asked for).
        first_day = hall_first_day(session) or clock.today()
        count_from, count_to = max(start, first_day), min(end, clock.today())
        depts = {d.id: d.name for d in session.execute(select(Department.id, Department.name))}
        windows = {w.number: w for w in session.execute(select(Window.number, Window.name, Window.department_id))}
        staff = {s.id: (s.number, s.name) for s in session.execute(select(Staff.id, Staff.number, Staff.name))}
        dept_id = None
        if department:
            dept_id = next((k for k, v in depts.items() if v == department.strip()), None)
            if dept_id is None:
                raise unknown_department(department)
        if window is not None and window not in windows:
            raise unknown_window(window)
        clerk_id = None
        if clerk:
            clerk_id = next((k for k, v in staff.items() if v[0] == clerk.strip()), None)
            if clerk_id is None:
                raise unknown_staff(clerk)

        def names(key: str) -> tuple[str, str]:
            if by == "hall":
                return "hall", "全厅"
            if key in ("", "None"):
                return "", UNKNOWN
            if by == "department":
                return key, depts.get(int(key), UNKNOWN)
            if by == "window":
                return key, f"{key}号窗口 {windows[int(key)].name}" if int(key) in windows else UNKNOWN
            number, name = staff.get(int(key), ("", UNKNOWN))
            return number, f"{name}（{number}）"

        filtered = dept_id is not None or window is not None or clerk_id is not None
        per_day = (
            {}
            if count_from > count_to
            else raw_counts(session, dialect, count_from, count_to, by, dept_id, window, clerk_id)
            if filtered
            else cached_days(session, dialect, count_from, count_to, by)
        )
        merged: dict[str, dict] = {}
        for (_, key), raw in per_day.items():
            merge_counts(merged.setdefault(key, empty_counts()), raw)
        if by == "hall" and not merged:
            merged["0"] = empty_counts()

        # open promised cases whose date passed in the period: live, from the (status, due_date) index
        c = ServiceCase.__table__
        ckey = {
            "hall": literal(0),
            "department": c.c.department_id,
            "window": c.c.window_number,
            "clerk": c.c.owner_id,
        }[by]
        cconds = [c.c.department_id == dept_id] if dept_id is not None else []
        if window is not None:
            cconds.append(c.c.window_number == window)
        if clerk_id is not None:
            cconds.append(c.c.owner_id == clerk_id)
        open_overdue: dict[str, int] = {}
        last_due = min(end, clock.today() - dt.timedelta(days=1))
        for k, n in session.execute(
            select(ckey, func.count())
            .where(
                c.c.status.in_(RUNNING_STATUSES),
                c.c.due_date >= start,  # a suspended clock is stopped
                c.c.due_date <= last_due,
                *cconds,
            )
            .group_by(ckey)
        ):
            key = "" if k is None else str(k)
            open_overdue[key] = n
            merged.setdefault(key, empty_counts())

        compression: dict[str, tuple[int, int]] = {}
        if by in ("hall", "department"):
            i = ServiceItem.__table__
            ikey = literal(0) if by == "hall" else i.c.department_id
            iconds = [i.c.kind == "promised", i.c.legal_limit_days > 0]
            if dept_id is not None:
                iconds.append(i.c.department_id == dept_id)
            for k, legal, prom in session.execute(
                select(ikey, func.sum(i.c.legal_limit_days), func.sum(i.c.promised_limit_days))
                .where(*iconds)
                .group_by(ikey)
            ):
                compression[str(k)] = (int(legal or 0), int(prom or 0))
                merged.setdefault(str(k), empty_counts())

    groups: dict[str, Group] = {}
    hour_issued: dict[str, int] = {}
    hour_served: dict[str, int] = {}
    for key, r in merged.items():
        k, name = names(key)
        g = groups.setdefault(k, Group(k, name, empty_counts()))
        merge_counts(g.figures, r)
        if key in open_overdue:
            g.figures["late"] += open_overdue[key]
        if key in compression:
            g.figures["_legal"], g.figures["_promised"] = compression[key]
    out = []
    for g in groups.values():
        r = g.figures
        for h, n in r["hour_issued"].items():
            hour_issued[h] = hour_issued.get(h, 0) + n
        for h, n in r["hour_served"].items():
            hour_served[h] = hour_served.get(h, 0) + n
        ratings = {str(level): r["ratings"].get(str(level), 0) for level in range(1, 6)}
        ratings["unrated"] = r["ratings"].get("unrated", 0)
        rated = sum(ratings[str(level)] for level in range(1, 6))
        f = {
            "tickets_issued": r["tickets_issued"],
            "tickets_served": r["tickets_served"],
            "no_shows": r["no_shows"],
            "transfers": r["transfers"],
            "wait_avg": round(r["wait_sum"] / r["wait_n"], 1) if r["wait_n"] else None,
            "wait_p90": _percentile({int(m): n for m, n in r["wait_hist"].items()}, 0.9),
            "service_avg": round(r["service_sum"] / r["service_n"], 1) if r["service_n"] else None,
            "service_p90": _percentile({int(m): n for m, n in r["service_hist"].items()}, 0.9),
            "cases_received": r["cases_received"],
            "cases_accepted": r["cases_accepted"],
            "cases_completed": r["cases_completed"],
            "immediate_cases": r["immediate_cases"],
            "immediate_share": _rate(r["immediate_cases"], r["cases_completed"]),
            "promised_completed": r["promised_completed"],
            "promised_on_time": r["promised_on_time"],
            "on_time_rate": _rate(r["promised_on_time"], r["promised_completed"]),
            "promised_early": r["promised_early"],
            "early_rate": _rate(r["promised_early"], r["promised_completed"]),
            "supplements": r["supplements"],
            "rejections": r["rejections"],
            "suspended": r["suspended"],
            "overdue": r["late"],
            "ratings": ratings,
            "satisfaction_rate": _rate(ratings["4"] + ratings["5"], rated),
        }
        if "_legal" in r:
            legal, prom = r["_legal"], r["_promised"]
            f.update(legal_days=legal, promised_days=prom, compression=_rate(legal - prom, legal))
        g.figures = f
        out.append(g)
    out.sort(key=lambda g: (g.name == UNKNOWN, g.key.zfill(8) if g.key.isdigit() else g.key))
    hours = sorted({int(h) for h in hour_issued} | {int(h) for h in hour_served})
    hourly = [(h, hour_issued.get(str(h), 0), hour_served.get(str(h), 0)) for h in hours]
    return Report(start, end, by, out, hourly)


# -------------------------------------------------------------- exports

COLUMNS = [f for f in FIGURES if f != "ratings"] + [
    "rating_5",
    "rating_4",
    "rating_3",
    "rating_2",
    "rating_1",
    "unrated",
    "legal_days",
    "promised_days",
    "compression",
]


def rows(report: Report) -> list[list]:
    out = []
    for g in report.groups:
        f = g.figures
        out.append(
            [g.name]
            + [
                f.get(c)
                for c in COLUMNS
                if not c.startswith("rating_")
                and c != "unrated"
                and c not in ("legal_days", "promised_days", "compression")
            ]
            + [f["ratings"][k] for k in ("5", "4", "3", "2", "1", "unrated")]
            + [f.get("legal_days"), f.get("promised_days"), f.get("compression")]
        )
    return out


def headers() -> list[str]:
    names = dict(
        FIGURE_NAMES,
        rating_5="非常满意",
        rating_4="满意",
        rating_3="基本满意",
        rating_2="不满意",
        rating_1="非常不满意",
        unrated="未评价",
    )
    return ["分组"] + [names[c] for c in COLUMNS]


def to_csv(report: Report) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers())
    writer.writerows(rows(report))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


@dataclass
class Sheet:
    """One sheet of an XLSX export: its tab's name, the lines above the table, the header row
    (bold) and the rows."""

    title: str
    heading: list[str]
    headers: list[str]
    rows: list[list]


def workbook(sheets: list[Sheet]) -> bytes:
    """The sheets as an XLSX file (every export of the reports, the summary and the assessment)."""
    from openpyxl import Workbook  # start-up: openpyxl loads only for an .xlsx export
    from openpyxl.styles import Font

    wb = Workbook()
    for i, sheet in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = sheet.title[:31]
        for line in sheet.heading:
            ws.append([line])
        ws.append(sheet.headers)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                if cell.data_type == "f":  # text that starts with = stays text, never a formula
                    cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_xlsx(report: Report) -> bytes:
    sheets = [
        Sheet(
            f"{report.start:%Y%m%d}-{report.end:%Y%m%d}",
            [f"统计期间 {report.start} 至 {report.end}，按{DIMENSIONS[report.by]}"],
            headers(),
            rows(report),
        )
    ]
    if report.hourly:
        sheets.append(
            Sheet("分时段", [], ["时段", "取号", "办结"], [[f"{h:02d}:00", i, s] for h, i, s in report.hourly])
        )
    return workbook(sheets)
