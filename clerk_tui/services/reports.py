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

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Date, Integer, and_, case, cast, func, literal, select
from sqlalchemy.engine import Engine

from clerk_tui import clock
from clerk_tui.services.errors import NotFound, ServiceError
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import (CaseSuspension, Department, Rating, ServiceCase, ServiceItem, Staff, Ticket,
                                    Window)

DIMENSIONS = {"hall": "全厅", "department": "部门", "window": "窗口", "clerk": "人员"}
FIGURES = (
    "tickets_issued", "tickets_served", "no_shows", "transfers", "wait_avg", "wait_p90", "service_avg", "service_p90",
    "cases_received", "cases_accepted", "cases_completed", "immediate_cases", "immediate_share",
    "promised_completed", "promised_on_time", "on_time_rate", "promised_early", "early_rate", "supplements",
    "rejections", "suspended", "overdue", "ratings", "satisfaction_rate",
)
FIGURE_NAMES = {
    "tickets_issued": "取号", "tickets_served": "办结号", "no_shows": "过号", "transfers": "转办",
    "wait_avg": "平均等候(分)", "wait_p90": "90%等候(分)", "service_avg": "平均办理(分)", "service_p90": "90%办理(分)",
    "cases_received": "收件", "cases_accepted": "受理", "cases_completed": "办结", "immediate_cases": "即办件",
    "immediate_share": "即办比重", "promised_completed": "承诺件办结", "promised_on_time": "按时办结",
    "on_time_rate": "按时办结率", "promised_early": "提前办结", "early_rate": "提前办结率", "supplements": "补正",
    "rejections": "不予受理", "suspended": "挂起", "overdue": "超期", "ratings": "评价", "satisfaction_rate": "满意率",
    "legal_days": "法定时限合计", "promised_days": "承诺时限合计", "compression": "压缩比例",
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

    def as_json(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "by": self.by,
                "groups": [g.as_json() for g in self.groups],
                "hourly": [{"hour": h, "issued": i, "served": s} for h, i, s in self.hourly]}


def _minutes(dialect: str, start, end):
    if dialect == "postgresql":
        return func.extract("epoch", end - start) / 60.0
    return (func.julianday(end) - func.julianday(start)) * 1440.0


def _day(dialect: str, col):
    if dialect == "postgresql":
        return cast(col, Date)
    return func.date(col)


def _hour(dialect: str, col):
    if dialect == "postgresql":
        return cast(func.extract("hour", col), Integer)
    return cast(func.strftime("%H", col), Integer)


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
    from clerk_tui.services.calendar import parse_date

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
    if start > finish:
        raise ServiceError(f"起始日期 {start} 晚于结束日期 {finish}：请把较早的日期写在 --from")
    return start, finish


def build_report(engine: Engine, start: dt.date, end: dt.date, by: str = "hall", *, department: str | None = None,
                 window: int | None = None, clerk: str | None = None) -> Report:
    if by not in DIMENSIONS:
        raise ServiceError(f"分组 {by!r} 无效，可用：" + "、".join(f"{k}（{v}）" for k, v in DIMENSIONS.items()))
    if start > end:
        raise ServiceError(f"起始日期 {start} 晚于结束日期 {end}")
    with read_session(engine) as session:
        dialect = session.get_bind().dialect.name
        depts = {d.id: d.name for d in session.execute(select(Department.id, Department.name))}
        windows = {w.number: w for w in session.execute(select(Window.number, Window.name, Window.department_id))}
        staff = {s.id: (s.number, s.name) for s in session.execute(select(Staff.id, Staff.number, Staff.name))}
        dept_id = None
        if department:
            dept_id = next((k for k, v in depts.items() if v == department.strip()), None)
            if dept_id is None:
                raise NotFound(f"没有名为“{department}”的部门，请用 clerk-tui catalog list 查看部门名称")
        if window is not None and window not in windows:
            raise NotFound(f"没有{window}号窗口")
        clerk_id = None
        if clerk:
            clerk_id = next((k for k, v in staff.items() if v[0] == clerk.strip()), None)
            if clerk_id is None:
                raise NotFound(f"没有工号为 {clerk} 的人员")
        win_dept = {n: w.department_id for n, w in windows.items()}

        def names(key) -> tuple[str, str]:
            if key is None:
                return "", UNKNOWN
            if by == "department":
                return str(key), depts.get(key, UNKNOWN)
            if by == "window":
                return str(key), f"{key}号窗口 {windows[key].name}" if key in windows else UNKNOWN
            if by == "clerk":
                number, name = staff.get(key, ("", UNKNOWN))
                return number, f"{name}（{number}）"
            return "hall", "全厅"

        groups: dict[str, Group] = {}

        def group(key) -> Group:
            k, n = names(key)
            if k not in groups:
                groups[k] = Group(k, n, {f: 0 for f in FIGURES if f not in ("ratings",)} | {
                    "ratings": {str(level): 0 for level in range(1, 6)} | {"unrated": 0}})
            return groups[k]

        # ---------------------------------------------------------- tickets
        t = Ticket.__table__
        w = Window.__table__
        served_dept = func.coalesce(w.c.department_id, ServiceItem.__table__.c.department_id)
        tkey = {"hall": literal(0), "department": served_dept, "window": t.c.window_number, "clerk": t.c.staff_id}[by]
        tfrom = t.outerjoin(w, and_(w.c.number == t.c.window_number, w.c.hall_id == t.c.hall_id)).outerjoin(
            ServiceItem.__table__, ServiceItem.__table__.c.id == t.c.item_id)
        conds = [t.c.business_date >= start, t.c.business_date <= end]
        if dept_id is not None:
            conds.append(served_dept == dept_id)
        if window is not None:
            conds.append(t.c.window_number == window)
        if clerk_id is not None:
            conds.append(t.c.staff_id == clerk_id)
        wait = _minutes(dialect, t.c.issued_at, t.c.called_at)
        service = _minutes(dialect, t.c.started_at, t.c.finished_at)
        rows = session.execute(select(
            tkey.label("k"), func.count(), func.sum(case((t.c.status == "done", 1), else_=0)),
            func.sum(case((t.c.status == "no_show", 1), else_=0)), func.sum(t.c.transfers),
            func.sum(wait), func.count(t.c.called_at),
            func.sum(case((t.c.finished_at.is_not(None), service), else_=0)),
            func.sum(case((and_(t.c.finished_at.is_not(None), t.c.started_at.is_not(None)), 1), else_=0)),
        ).select_from(tfrom).where(*conds).group_by(tkey))
        for k, issued, done, noshow, transfers, wait_sum, waits, service_sum, services in rows:
            g = group(None if by != "hall" and k is None else k).figures
            g["tickets_issued"] += issued
            g["tickets_served"] += done or 0
            g["no_shows"] += noshow or 0
            g["transfers"] += transfers or 0
            g["_wait"] = (g.get("_wait", (0.0, 0))[0] + (wait_sum or 0), g.get("_wait", (0.0, 0))[1] + waits)
            g["_service"] = (g.get("_service", (0.0, 0))[0] + (service_sum or 0),
                             g.get("_service", (0.0, 0))[1] + (services or 0))
        for label, expr, present in (("_wait_h", wait, t.c.called_at.is_not(None)),
                                     ("_service_h", service, and_(t.c.finished_at.is_not(None),
                                                                  t.c.started_at.is_not(None)))):
            # whole minutes, rounded up (a 90th percentile never understates); the 0.001 keeps an exact
            # 6.0 (PostgreSQL) and a 5.99999 (SQLite's julianday) in the same minute
            # (SQLite's CAST truncates, PostgreSQL's rounds: floor there)
            minute = (cast(func.floor(expr - 0.001), Integer) if dialect == "postgresql"
                      else cast(expr - 0.001, Integer)) + 1
            for k, m, n in session.execute(select(tkey, minute, func.count()).select_from(tfrom)
                                           .where(*conds, present).group_by(tkey, minute)):
                hist = group(None if by != "hall" and k is None else k).figures.setdefault(label, defaultdict(int))
                hist[int(m or 0)] += n
        hourly_issued = dict(session.execute(select(_hour(dialect, t.c.issued_at), func.count()).select_from(tfrom)
                                             .where(*conds).group_by(_hour(dialect, t.c.issued_at))).all())
        hourly_served = dict(session.execute(select(_hour(dialect, t.c.finished_at), func.count()).select_from(tfrom)
                                             .where(*conds, t.c.finished_at.is_not(None))
                                             .group_by(_hour(dialect, t.c.finished_at))).all())

        # ---------------------------------------------------------- cases
        c = ServiceCase.__table__
        ckey = {"hall": literal(0), "department": c.c.department_id, "window": c.c.window_number,
                "clerk": c.c.owner_id}[by]
        cconds = []
        if dept_id is not None:
            cconds.append(c.c.department_id == dept_id)
        if window is not None:
            cconds.append(c.c.window_number == window)
        if clerk_id is not None:
            cconds.append(c.c.owner_id == clerk_id)
        received = and_(c.c.received_on >= start, c.c.received_on <= end)
        for k, n, supp, rej in session.execute(select(
                ckey, func.count(), func.sum(case((c.c.supplement_notices > 0, 1), else_=0)),
                func.sum(case((c.c.status == "rejected", 1), else_=0))).where(received, *cconds).group_by(ckey)):
            g = group(k).figures
            g["cases_received"] += n
            g["supplements"] += supp or 0
            g["rejections"] += rej or 0
        for k, n in session.execute(select(ckey, func.count()).where(
                c.c.accepted_on >= start, c.c.accepted_on <= end, c.c.status != "rejected", *cconds).group_by(ckey)):
            group(k).figures["cases_accepted"] += n
        done_day = _day(dialect, c.c.completed_at)
        promised = c.c.kind == "promised"
        lo = dt.datetime.combine(start, dt.time())
        hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
        for k, n, imm, prom, on_time, early, late in session.execute(select(
                ckey, func.count(), func.sum(case((c.c.kind == "immediate", 1), else_=0)),
                func.sum(case((promised, 1), else_=0)),
                func.sum(case((and_(promised, done_day <= c.c.due_date), 1), else_=0)),
                func.sum(case((and_(promised, done_day < c.c.due_date), 1), else_=0)),
                func.sum(case((and_(promised, done_day > c.c.due_date), 1), else_=0)),
        ).where(c.c.completed_at >= lo, c.c.completed_at < hi, c.c.status.in_(("completed", "delivered")),
                *cconds).group_by(ckey)):
            g = group(k).figures
            g["cases_completed"] += n
            g["immediate_cases"] += imm or 0
            g["promised_completed"] += prom or 0
            g["promised_on_time"] += on_time or 0
            g["promised_early"] += early or 0
            g["overdue"] += late or 0
        last_due = min(end, clock.today() - dt.timedelta(days=1))
        for k, n in session.execute(select(ckey, func.count()).where(
                c.c.status.in_(("accepted", "in_progress")), c.c.due_date >= start,  # a suspended clock is stopped
                c.c.due_date <= last_due, *cconds).group_by(ckey)):
            group(k).figures["overdue"] += n
        s = CaseSuspension.__table__
        for k, n in session.execute(select(ckey, func.count()).select_from(s.join(c, c.c.id == s.c.case_id)).where(
                s.c.start >= start, s.c.start <= end, *cconds).group_by(ckey)):
            group(k).figures["suspended"] += n

        # ---------------------------------------------------------- ratings
        r = Rating.__table__
        rkey = {"hall": literal(0), "department": w.c.department_id, "window": r.c.window_number,
                "clerk": r.c.staff_id}[by]
        rconds = [r.c.at >= lo, r.c.at < hi]
        if dept_id is not None:
            rconds.append(w.c.department_id == dept_id)
        if window is not None:
            rconds.append(r.c.window_number == window)
        if clerk_id is not None:
            rconds.append(r.c.staff_id == clerk_id)
        rfrom = r.outerjoin(w, w.c.number == r.c.window_number)
        for k, level, n in session.execute(select(rkey, r.c.level, func.count()).select_from(rfrom).where(*rconds)
                                           .group_by(rkey, r.c.level)):
            group(k).figures["ratings"]["unrated" if level is None else str(level)] += n

        # ---------------------------------------------------------- the catalog: legal vs promised
        if by in ("hall", "department"):
            i = ServiceItem.__table__
            ikey = literal(0) if by == "hall" else i.c.department_id
            iconds = [i.c.kind == "promised", i.c.legal_limit_days > 0]
            if dept_id is not None:
                iconds.append(i.c.department_id == dept_id)
            for k, legal, prom in session.execute(select(ikey, func.sum(i.c.legal_limit_days),
                                                         func.sum(i.c.promised_limit_days)).where(*iconds)
                                                  .group_by(ikey)):
                g = group(k).figures
                g["legal_days"], g["promised_days"] = int(legal or 0), int(prom or 0)
                g["compression"] = _rate(int(legal or 0) - int(prom or 0), int(legal or 0))

    out = []
    for g in groups.values():
        f = g.figures
        wait_sum, waits = f.pop("_wait", (0.0, 0))
        service_sum, services = f.pop("_service", (0.0, 0))
        f["wait_avg"] = round(wait_sum / waits, 1) if waits else None
        f["service_avg"] = round(service_sum / services, 1) if services else None
        f["wait_p90"] = _percentile(f.pop("_wait_h", {}), 0.9)
        f["service_p90"] = _percentile(f.pop("_service_h", {}), 0.9)
        f["immediate_share"] = _rate(f["immediate_cases"], f["cases_completed"])
        f["on_time_rate"] = _rate(f["promised_on_time"], f["promised_completed"])
        f["early_rate"] = _rate(f["promised_early"], f["promised_completed"])
        ratings = f["ratings"]
        rated = sum(v for k, v in ratings.items() if k != "unrated")
        f["satisfaction_rate"] = _rate(ratings["4"] + ratings["5"], rated)
        out.append(g)
    out.sort(key=lambda g: (g.name == UNKNOWN, g.key.zfill(8) if g.key.isdigit() else g.key))
    hours = sorted(set(hourly_issued) | set(hourly_served))
    hourly = [(int(h), int(hourly_issued.get(h, 0)), int(hourly_served.get(h, 0))) for h in hours if h is not None]
    return Report(start, end, by, out, hourly)


# -------------------------------------------------------------- exports

COLUMNS = [f for f in FIGURES if f != "ratings"] + ["rating_5", "rating_4", "rating_3", "rating_2", "rating_1",
                                                    "unrated", "legal_days", "promised_days", "compression"]


def rows(report: Report) -> list[list]:
    out = []
    for g in report.groups:
        f = g.figures
        out.append([g.name] + [f.get(c) for c in COLUMNS if not c.startswith("rating_") and c != "unrated"
                               and c not in ("legal_days", "promised_days", "compression")]
                   + [f["ratings"][k] for k in ("5", "4", "3", "2", "1", "unrated")]
                   + [f.get("legal_days"), f.get("promised_days"), f.get("compression")])
    return out


def headers() -> list[str]:
    names = dict(FIGURE_NAMES, rating_5="非常满意", rating_4="满意", rating_3="基本满意", rating_2="不满意",
                 rating_1="非常不满意", unrated="未评价")
    return ["分组"] + [names[c] for c in COLUMNS]


def to_csv(report: Report) -> bytes:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers())
    writer.writerows(rows(report))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def to_xlsx(report: Report) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{report.start:%Y%m%d}-{report.end:%Y%m%d}"[:31]
    ws.append([f"统计期间 {report.start} 至 {report.end}，按{DIMENSIONS[report.by]}"])
    ws.append(headers())
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows(report):
        ws.append(row)
    if report.hourly:
        hs = wb.create_sheet("分时段")
        hs.append(["时段", "取号", "办结"])
        for h, issued, served in report.hourly:
            hs.append([f"{h:02d}:00", issued, served])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
