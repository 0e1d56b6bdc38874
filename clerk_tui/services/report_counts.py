"""Counting for the reports: one day's (or a range's) figures per group, straight from the tables
with GROUP BY, and the past days kept in ``report_day`` so that a report over a year sums kept
days and counts only today afresh. The figures' definitions are in services/reports.py."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import and_, case, delete, func, literal, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from clerk_tui import clock
from clerk_tui.services import events
from clerk_tui.services.context import Actor, require
from clerk_tui.services.tx import transaction
from clerk_tui.store.dialect import day_of, hour_of, minutes_between, whole_minutes_up
from clerk_tui.store.dialect import name_of as dialect_name
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import (
    CaseSuspension,
    Rating,
    ReportDay,
    ServiceCase,
    ServiceItem,
    Ticket,
    Window,
)

DIMENSIONS = {"hall": "全厅", "department": "部门", "window": "窗口", "clerk": "人员"}


def empty_counts() -> dict:
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


def merge_counts(into: dict, raw: dict) -> None:
    for k, v in raw.items():
        if isinstance(v, dict):
            bucket = into.setdefault(k, {})
            for kk, n in v.items():
                bucket[kk] = bucket.get(kk, 0) + n
        else:
            into[k] = into.get(k, 0) + v


def raw_counts(
    session, dialect: str, start: dt.date, end: dt.date, by: str, dept_id=None, window=None, clerk_id=None
) -> dict[tuple[str, str], dict]:
    """The mergeable counts of [start, end] per (day, group key): sums, counts and per-minute and
    per-hour histograms. Rates and percentiles are made from them later, over any span of days."""
    out: dict[tuple[str, str], dict] = {}

    def raw(day, key) -> dict:
        k = (str(day)[:10], "" if key is None else str(key))
        if k not in out:
            out[k] = empty_counts()
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


KEEP_BLOCK_DAYS = 31  # days counted and kept per transaction


def cached_days(session, dialect: str, start: dt.date, end: dt.date, by: str) -> dict[tuple[str, str], dict]:
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
        # Counted and kept a block of days at a time: each block's write is a short transaction of its
        # own, so that a long report never holds the hall's writer lock (a window's call) for long.
        for at in range(0, len(missing), KEEP_BLOCK_DAYS):
            block = missing[at : at + KEEP_BLOCK_DAYS]
            wanted = set(block)
            fresh = {
                k: v
                for k, v in raw_counts(session, dialect, block[0], block[-1], by).items()
                if dt.date.fromisoformat(k[0]) in wanted
            }
            out.update(fresh)  # used now; kept for the next report (this read sees its own snapshot)
            rows = [
                ReportDay(day=dt.date.fromisoformat(day), by=by, key=key, data=json.dumps(raw))
                for (day, key), raw in fresh.items()
            ]
            days_with_rows = {r.day for r in rows}
            rows += [ReportDay(day=d, by=by, key="-", data="{}") for d in block if d not in days_with_rows]
            _store(session.get_bind(), rows)
    if end >= today:
        out.update(raw_counts(session, dialect, max(start, today), end, by))
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
                cached_days(session, dialect_name(session), missing[0], missing[-1], by)
                counted += len(missing)
    return counted


def forget_days(engine: Engine, actor: Actor | None) -> int:
    """``report rebuild``: drop the kept days (after history was corrected); they are counted again.
    The administrator's act, recorded."""
    actor = require(actor, "report.rebuild")

    def work(session) -> int:
        n = session.execute(delete(ReportDay)).rowcount
        events.record(session, "report.rebuilt", actor=actor, days=n)
        return n

    return transaction(engine, work)
