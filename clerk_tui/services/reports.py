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
import json
from dataclasses import dataclass, field

from sqlalchemy import and_, case, delete, func, literal, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from clerk_tui import clock
from clerk_tui.services.errors import ServiceError, unknown_department, unknown_staff, unknown_window
from clerk_tui.services.tx import transaction
from clerk_tui.services.workdays import parse_date
from clerk_tui.store.dialect import day_of, hour_of, minutes_between, whole_minutes_up
from clerk_tui.store.dialect import name_of as dialect_name
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import (
    CaseSuspension,
    Department,
    Rating,
    ReportDay,
    ServiceCase,
    ServiceItem,
    Staff,
    Ticket,
    Window,
)

DIMENSIONS = {"hall": "全厅", "department": "部门", "window": "窗口", "clerk": "人员"}
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

    def as_json(self) -> dict:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "by": self.by,
            "groups": [g.as_json() for g in self.groups],
            "hourly": [{"hour": h, "issued": i, "served": s} for h, i, s in self.hourly],
        }


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
    if start > finish:
        raise ServiceError(f"起始日期 {start} 晚于结束日期 {finish}：请把较早的日期写在 --from")
    return start, finish


def _empty() -> dict:
    return {
        "tickets_issued": 0,
        "tickets_served": 0,
        "no_shows": 0,
        "transfers": 0,
        "wait_sum": 0.0,
        "wait_n": 0,
        "service_sum": 0.0,
        "service_n": 0,
        "wait_hist": {},
        "service_hist": {},
        "hour_issued": {},
        "hour_served": {},
        "cases_received": 0,
        "supplements": 0,
        "rejections": 0,
        "cases_accepted": 0,
        "cases_completed": 0,
        "immediate_cases": 0,
        "promised_completed": 0,
        "promised_on_time": 0,
        "promised_early": 0,
        "late": 0,
        "suspended": 0,
        "ratings": {},
    }


def _merge(into: dict, raw: dict) -> None:
    for k, v in raw.items():
        if isinstance(v, dict):
            bucket = into.setdefault(k, {})
            for kk, n in v.items():
                bucket[kk] = bucket.get(kk, 0) + n
        else:
            into[k] = into.get(k, 0) + v


def _raw(
    session, dialect: str, start: dt.date, end: dt.date, by: str, dept_id=None, window=None, clerk_id=None
) -> dict[tuple[str, str], dict]:
    """The mergeable counts of [start, end] per (day, group key): sums, counts and per-minute and
    per-hour histograms. Rates and percentiles are made from them later, over any span of days."""
    out: dict[tuple[str, str], dict] = {}

    def raw(day, key) -> dict:
        k = (str(day)[:10], "" if key is None else str(key))
        if k not in out:
            out[k] = _empty()
        return out[k]

    lo = dt.datetime.combine(start, dt.time())
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    t, w, i = Ticket.__table__, Window.__table__, ServiceItem.__table__
    served_dept = func.coalesce(w.c.department_id, i.c.department_id)
    tkey = {"hall": literal(0), "department": served_dept, "window": t.c.window_number, "clerk": t.c.staff_id}[by]
    needs_join = by == "department" or dept_id is not None
    tfrom = (
        t.outerjoin(w, and_(w.c.number == t.c.window_number, w.c.hall_id == t.c.hall_id)).outerjoin(
            i, i.c.id == t.c.item_id
        )
        if needs_join
        else t
    )
    conds = [t.c.business_date >= start, t.c.business_date <= end]
    if dept_id is not None:
        conds.append(served_dept == dept_id)
    if window is not None:
        conds.append(t.c.window_number == window)
    if clerk_id is not None:
        conds.append(t.c.staff_id == clerk_id)
    tday = t.c.business_date
    wait = minutes_between(dialect, t.c.issued_at, t.c.called_at)
    service = minutes_between(dialect, t.c.started_at, t.c.finished_at)
    has_service = and_(t.c.finished_at.is_not(None), t.c.started_at.is_not(None))
    hour = hour_of(dialect, t.c.issued_at)
    for day, k, h, issued, done, noshow, transfers, wait_sum, waits, service_sum, services in session.execute(
        select(
            tday,
            tkey,
            hour,
            func.count(),
            func.sum(case((t.c.status == "done", 1), else_=0)),
            func.sum(case((t.c.status == "no_show", 1), else_=0)),
            func.sum(t.c.transfers),
            func.sum(wait),
            func.count(t.c.called_at),
            func.sum(case((has_service, service), else_=0)),
            func.sum(case((has_service, 1), else_=0)),
        )
        .select_from(tfrom)
        .where(*conds)
        .group_by(tday, tkey, hour)
    ):
        r = raw(day, k)
        r["tickets_issued"] += issued
        r["tickets_served"] += done or 0
        r["no_shows"] += noshow or 0
        r["transfers"] += transfers or 0
        r["wait_sum"] += float(wait_sum or 0)
        r["wait_n"] += waits
        r["service_sum"] += float(service_sum or 0)
        r["service_n"] += services or 0
        if h is not None:
            r["hour_issued"][str(int(h))] = r["hour_issued"].get(str(int(h)), 0) + issued
    for label, expr, present in (
        ("wait_hist", wait, t.c.called_at.is_not(None)),
        ("service_hist", service, has_service),
    ):
        m = whole_minutes_up(dialect, expr)
        for day, k, mm, n in session.execute(
            select(tday, tkey, m, func.count()).select_from(tfrom).where(*conds, present).group_by(tday, tkey, m)
        ):
            hist = raw(day, k)[label]
            hist[str(int(mm or 0))] = hist.get(str(int(mm or 0)), 0) + n
    fhour = hour_of(dialect, t.c.finished_at)
    for day, k, h, n in session.execute(
        select(tday, tkey, fhour, func.count())
        .select_from(tfrom)
        .where(*conds, t.c.finished_at.is_not(None))
        .group_by(tday, tkey, fhour)
    ):
        hs = raw(day, k)["hour_served"]
        hs[str(int(h))] = hs.get(str(int(h)), 0) + n

    c = ServiceCase.__table__
    ckey = {"hall": literal(0), "department": c.c.department_id, "window": c.c.window_number, "clerk": c.c.owner_id}[by]
    cconds = []
    if dept_id is not None:
        cconds.append(c.c.department_id == dept_id)
    if window is not None:
        cconds.append(c.c.window_number == window)
    if clerk_id is not None:
        cconds.append(c.c.owner_id == clerk_id)
    for day, k, n, supp, rej in session.execute(
        select(
            c.c.received_on,
            ckey,
            func.count(),
            func.sum(case((c.c.supplement_notices > 0, 1), else_=0)),
            func.sum(case((c.c.status == "rejected", 1), else_=0)),
        )
        .where(c.c.received_on >= start, c.c.received_on <= end, *cconds)
        .group_by(c.c.received_on, ckey)
    ):
        r = raw(day, k)
        r["cases_received"] += n
        r["supplements"] += supp or 0
        r["rejections"] += rej or 0
    for day, k, n in session.execute(
        select(c.c.accepted_on, ckey, func.count())
        .where(c.c.accepted_on >= start, c.c.accepted_on <= end, c.c.status != "rejected", *cconds)
        .group_by(c.c.accepted_on, ckey)
    ):
        raw(day, k)["cases_accepted"] += n
    done_day = day_of(dialect, c.c.completed_at)
    promised = c.c.kind == "promised"
    for day, k, n, imm, prom, on_time, early, late in session.execute(
        select(
            done_day,
            ckey,
            func.count(),
            func.sum(case((c.c.kind == "immediate", 1), else_=0)),
            func.sum(case((promised, 1), else_=0)),
            func.sum(case((and_(promised, done_day <= c.c.due_date), 1), else_=0)),
            func.sum(case((and_(promised, done_day < c.c.due_date), 1), else_=0)),
            func.sum(case((and_(promised, done_day > c.c.due_date), 1), else_=0)),
        )
        .where(c.c.completed_at >= lo, c.c.completed_at < hi, c.c.status.in_(("completed", "delivered")), *cconds)
        .group_by(done_day, ckey)
    ):
        r = raw(day, k)
        r["cases_completed"] += n
        r["immediate_cases"] += imm or 0
        r["promised_completed"] += prom or 0
        r["promised_on_time"] += on_time or 0
        r["promised_early"] += early or 0
        r["late"] += late or 0
    s_ = CaseSuspension.__table__
    for day, k, n in session.execute(
        select(s_.c.start, ckey, func.count())
        .select_from(s_.join(c, c.c.id == s_.c.case_id))
        .where(s_.c.start >= start, s_.c.start <= end, *cconds)
        .group_by(s_.c.start, ckey)
    ):
        raw(day, k)["suspended"] += n

    r_ = Rating.__table__
    rkey = {"hall": literal(0), "department": w.c.department_id, "window": r_.c.window_number, "clerk": r_.c.staff_id}[
        by
    ]
    rconds = [r_.c.at >= lo, r_.c.at < hi]
    if dept_id is not None:
        rconds.append(w.c.department_id == dept_id)
    if window is not None:
        rconds.append(r_.c.window_number == window)
    if clerk_id is not None:
        rconds.append(r_.c.staff_id == clerk_id)
    rday = day_of(dialect, r_.c.at)
    for day, k, level, n in session.execute(
        select(rday, rkey, r_.c.level, func.count())
        .select_from(r_.outerjoin(w, w.c.number == r_.c.window_number))
        .where(*rconds)
        .group_by(rday, rkey, r_.c.level)
    ):
        ratings = raw(day, k)["ratings"]
        key = "unrated" if level is None else str(level)
        ratings[key] = ratings.get(key, 0) + n
    return out


def _cached_days(session, dialect: str, start: dt.date, end: dt.date, by: str) -> dict[tuple[str, str], dict]:
    """Past days are final: their counts are computed once, kept in report_day, and summed from
    there; today (and anything after) is always counted afresh."""

    today = clock.today()
    last_past = min(end, today - dt.timedelta(days=1))
    out: dict[tuple[str, str], dict] = {}
    if start <= last_past:
        have = {
            r.day
            for r in session.execute(
                select(ReportDay.day)
                .where(ReportDay.by == by, ReportDay.day >= start, ReportDay.day <= last_past)
                .distinct()
            )
        }
        missing = [
            start + dt.timedelta(days=n)
            for n in range((last_past - start).days + 1)
            if start + dt.timedelta(days=n) not in have
        ]
        for day, key, data in session.execute(
            select(ReportDay.day, ReportDay.key, ReportDay.data).where(
                ReportDay.by == by, ReportDay.day >= start, ReportDay.day <= last_past, ReportDay.key != "-"
            )
        ):
            out[(str(day), key)] = json.loads(data)
        if missing:
            wanted = set(missing)
            fresh = {
                k: v
                for k, v in _raw(session, dialect, missing[0], missing[-1], by).items()
                if dt.date.fromisoformat(k[0]) in wanted
            }
            out.update(fresh)  # used now; kept for the next report (this read sees its own snapshot)
            rows = [
                ReportDay(day=dt.date.fromisoformat(day), by=by, key=key, data=json.dumps(raw))
                for (day, key), raw in fresh.items()
            ]
            days_with_rows = {r.day for r in rows}
            rows += [ReportDay(day=d, by=by, key="-", data="{}") for d in missing if d not in days_with_rows]
            _store(session.get_bind(), rows)
    if end >= today:
        out.update(_raw(session, dialect, max(start, today), end, by))
    return out


def _store(engine: Engine, rows: list) -> None:
    """Keep the computed days (a cache: losing a race to another terminal changes nothing)."""

    def work(session) -> None:
        for row in rows:
            session.merge(row)

    try:
        transaction(engine, work)
    except IntegrityError:
        pass


def keep_past_days(engine: Engine, since: dt.date | None = None) -> int:
    """Count and keep every past day not kept yet, for every grouping (the supervisor screen does
    this in the background once a day, so reports only ever count today afresh). Returns the
    number of (grouping, day) pairs counted now."""
    today = clock.today()
    with read_session(engine) as session:
        first = since or session.execute(select(func.min(Ticket.business_date))).scalar() or today
        first_case = session.execute(select(func.min(ServiceCase.received_on))).scalar()
        if since is None and first_case is not None and first_case < first:
            first = first_case
    if first >= today:
        return 0

    counted = 0
    for by in DIMENSIONS:
        with read_session(engine) as session:
            have = {r.day for r in session.execute(select(ReportDay.day).where(ReportDay.by == by).distinct())}
            missing = [
                first + dt.timedelta(days=n)
                for n in range((today - first).days)
                if first + dt.timedelta(days=n) not in have
            ]
            if missing:
                _cached_days(session, dialect_name(session), missing[0], missing[-1], by)
                counted += len(missing)
    return counted


def forget_days(engine: Engine) -> int:
    """``report rebuild``: drop the kept days (after history was corrected); they are counted again."""
    return transaction(engine, lambda session: session.execute(delete(ReportDay)).rowcount)


def build_report(
    engine: Engine,
    start: dt.date,
    end: dt.date,
    by: str = "hall",
    *,
    department: str | None = None,
    window: int | None = None,
    clerk: str | None = None,
) -> Report:
    if by not in DIMENSIONS:
        raise ServiceError(f"分组 {by!r} 无效，可用：" + "、".join(f"{k}（{v}）" for k, v in DIMENSIONS.items()))
    if start > end:
        raise ServiceError(f"起始日期 {start} 晚于结束日期 {end}")
    with read_session(engine) as session:
        dialect = dialect_name(session)
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
            _raw(session, dialect, start, end, by, dept_id, window, clerk_id)
            if filtered
            else _cached_days(session, dialect, start, end, by)
        )
        merged: dict[str, dict] = {}
        for (_, key), raw in per_day.items():
            _merge(merged.setdefault(key, _empty()), raw)
        if by == "hall" and not merged:
            merged["0"] = _empty()

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
                c.c.status.in_(("accepted", "in_progress")),
                c.c.due_date >= start,  # a suspended clock is stopped
                c.c.due_date <= last_due,
                *cconds,
            )
            .group_by(ckey)
        ):
            key = "" if k is None else str(k)
            open_overdue[key] = n
            merged.setdefault(key, _empty())

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
                merged.setdefault(str(k), _empty())

    groups: dict[str, Group] = {}
    hour_issued: dict[str, int] = {}
    hour_served: dict[str, int] = {}
    for key, r in merged.items():
        k, name = names(key)
        g = groups.setdefault(k, Group(k, name, _empty()))
        _merge(g.figures, r)
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


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook  # start-up: openpyxl loads only for an .xlsx export
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
