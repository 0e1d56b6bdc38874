"""Generate a realistic year of a county hall (DOMAIN §1: about 900,000 cases and as many tickets)
into a database, so that reports and screens can be measured on it.

Every working day of the year before TODAY gets its share of tickets (with waits, service times,
no-shows and transfers, more in the morning) and of cases (about 57 % immediate; promised cases
mostly early, some on the day, a few late; supplements, rejections, suspensions), and about a
third of the visits a rating (mostly 5 and 4, a few bad). Written with SQLAlchemy Core in
batches: history, not the subject of the measurement.

Usage: python scripts/generate_year.py DB [--cases 900000] [--tickets 900000] [--profile county-2014]
       (DB: a file path or a postgresql+psycopg:// URL; the demo hall is built there first)

``--profile county-2014`` generates the year 2014 in the proportions of the source's county
(shared/source-documents.txt): about 98.9 % immediate, every promised case within its promise,
about 82 % of them early, nothing rejected; ``clerk-tui report summary --year 2014`` on it reads
like the source's paragraph, with figures that add up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 11, 26)


@dataclass(frozen=True)
class Profile:
    """How a year's cases fall out (shares of the cases, or of the promised ones)."""

    today: dt.date  # the year generated is the one before this day
    immediate: float | None  # None: as the item's own kind, plus 5 % decided immediately anyway
    rejected: float  # 不予受理
    late: float  # promised cases finished after their date
    on_the_day: float  # promised cases finished on their date (the rest early)
    supplement: float
    suspended: float


PROFILES = {
    "default": Profile(TODAY, None, 0.015, 0.02, 0.10, 0.06, 0.01),
    # 2014年……即办比重98.9%……按时办结率100%……提前办结率82%
    "county-2014": Profile(dt.date(2015, 1, 1), 0.989, 0.0, 0.0, 0.196, 0.0, 0.0),  # 82 % early, measured
}
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红梅海燕晓东春玉兰"


def working_days(calendar, days: int = 365, today: dt.date = TODAY) -> list[dt.date]:
    return [d for d in (today - dt.timedelta(days=i) for i in range(days, 0, -1)) if calendar.workday(d)[0]]


def id_number(rng: random.Random) -> str:
    from clerk_tui.domain.ids import id_check_char

    first = f"330782{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return first + id_check_char(first)


def generate(engine, cases: int, tickets: int, seed: int = 3, quiet: bool = False, profile: str = "default") -> dict:
    from sqlalchemy import delete, func, select, text

    from clerk_tui.services.calendar import hall_calendar
    from clerk_tui.store.models import (
        CaseCounter,
        CaseMaterial,
        CaseSuspension,
        Event,
        Hall,
        Queue,
        Rating,
        ServiceCase,
        ServiceItem,
        Staff,
        Ticket,
        TicketCounter,
        Window,
        WindowQueue,
    )

    rng = random.Random(seed)
    shape = PROFILES[profile]
    calendar = hall_calendar(engine)
    days = working_days(calendar, 365, shape.today)  # county-2014: 2014-01-01 … 2014-12-31
    with engine.connect() as conn:
        hall_id = conn.execute(select(Hall.id).where(Hall.parent_id.is_(None))).scalar_one()
        items = conn.execute(
            select(
                ServiceItem.id,
                ServiceItem.department_id,
                ServiceItem.promised_limit_days,
                ServiceItem.kind,
                ServiceItem.queue_id,
            )
        ).all()
        queues = {q.id: q.prefix for q in conn.execute(select(Queue.id, Queue.prefix))}
        window_of_queue: dict[int, list[int]] = {}
        for wq, number in conn.execute(
            select(WindowQueue.queue_id, Window.number).join(Window, Window.id == WindowQueue.window_id)
        ):
            window_of_queue.setdefault(wq, []).append(number)
        clerk_of_window = {
            int(s.number) - 1000: s.id
            for s in conn.execute(select(Staff.id, Staff.number).where(Staff.role == "clerk"))
        }
        first_case = conn.execute(select(func.coalesce(func.max(ServiceCase.id), 0))).scalar_one()
        first_ticket = conn.execute(select(func.coalesce(func.max(Ticket.id), 0))).scalar_one()
        taken_cases = dict(conn.execute(select(CaseCounter.day, CaseCounter.last)).all())
        taken_tickets = {(r.queue_id, r.business_date): r.last for r in conn.execute(select(TicketCounter))}
    people = [id_number(rng) for _ in range(min(300_000, max(1_000, cases)))]  # a small run stays quick
    names = [a + b + c for a in SURNAMES for b in GIVEN for c in GIVEN]
    hourly = [0.05, 0.16, 0.2, 0.14, 0.03, 0.02, 0.12, 0.13, 0.1, 0.05]  # 8:00 … 17:00
    tables = {m: m.__table__ for m in (ServiceCase, CaseMaterial, Event, Ticket, Rating, CaseSuspension)}
    batches: dict = {m: [] for m in tables}
    case_id, ticket_id = first_case, first_ticket
    t0 = time.perf_counter()

    def flush(force: bool = False) -> None:
        if not force and len(batches[ServiceCase]) + len(batches[Ticket]) < 8000:
            return
        with engine.begin() as conn:
            for model in (Ticket, ServiceCase, CaseMaterial, CaseSuspension, Rating, Event):
                if batches[model]:
                    conn.execute(tables[model].insert(), batches[model])
                    batches[model].clear()

    counters_c, counters_t = [], {}
    per_day_cases, per_day_tickets = cases / len(days), tickets / len(days)
    for day in days:
        # ---------------------------------------------------------- tickets
        seqs: dict[int, int] = {}
        for _ in range(int(per_day_tickets + rng.random())):
            item_id, dept, promised_days, kind, queue_id = items[rng.randrange(len(items))]
            windows = window_of_queue.get(queue_id) or [1]
            seq = seqs[queue_id] = seqs.get(queue_id, taken_tickets.get((queue_id, day), 0)) + 1
            hour = 8 + rng.choices(range(10), hourly)[0]
            issued = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)))
            wait = dt.timedelta(seconds=int(rng.expovariate(1 / 900)))
            window = rng.choice(windows)
            roll = rng.random()
            status = "no_show" if roll < 0.03 else "done"
            called = issued + wait
            started = called + dt.timedelta(seconds=rng.randint(20, 120))
            finished = started + dt.timedelta(seconds=int(rng.expovariate(1 / 420)) + 60)
            ticket_id += 1
            prefix = queues[queue_id]
            number = f"{prefix}{seq:03d}" if seq < 1000 else f"{prefix}{seq:04d}"
            staff = clerk_of_window.get(window)
            batches[Ticket].append(
                dict(
                    id=ticket_id,
                    hall_id=hall_id,
                    business_date=day,
                    number_queue_id=queue_id,
                    seq=seq,
                    number=number,
                    queue_id=queue_id,
                    target_window=None,
                    item_id=item_id,
                    priority="none",
                    id_number=None,
                    status=status,
                    issued_at=issued,
                    queued_at=issued,
                    issued_by=None,
                    window_number=window,
                    staff_id=staff,
                    called_at=called,
                    started_at=None if status == "no_show" else started,
                    finished_at=None if status == "no_show" else finished,
                    no_show_at=called + dt.timedelta(minutes=3) if status == "no_show" else None,
                    recalls=0,
                    transfers=1 if roll > 0.985 else 0,
                    transferred_from=None,
                    transfer_reason="",
                    appointment_id=None,
                    note="",
                )
            )
            if status == "done" and rng.random() < 0.33:
                level = rng.choices([5, 4, 3, 2, 1, None], [70, 18, 5, 2, 1, 4])[0]
                batches[Rating].append(
                    dict(
                        ticket_id=ticket_id,
                        case_id=None,
                        window_number=window,
                        staff_id=staff,
                        level=level,
                        reasons="等候时间长" if level and level <= 2 else "",
                        text="",
                        at=finished + dt.timedelta(minutes=1),
                    )
                )
        for queue_id, last in seqs.items():
            counters_t[(queue_id, day)] = last
        # ---------------------------------------------------------- cases
        seq = taken_cases.get(day, 0)
        for _ in range(int(per_day_cases + rng.random())):
            item_id, dept, promised_days, kind, queue_id = items[rng.randrange(len(items))]
            seq += 1
            case_id += 1
            number = f"YX{day:%Y%m%d}{seq:04d}"
            at = dt.datetime.combine(day, dt.time(8 + rng.randrange(9), rng.randrange(60)))
            window = rng.choice(window_of_queue.get(queue_id) or [1])
            owner = clerk_of_window.get(window) or next(iter(clerk_of_window.values()))
            roll = rng.random()
            if shape.immediate is None:
                immediate = kind == "immediate" or roll < 0.05
            else:
                immediate = rng.random() < shape.immediate
            status, due, done_at, accepted, supp = "completed", None, at, day, 0
            if roll > 1 - shape.rejected:
                status, accepted, done_at = "rejected", None, None
            elif not immediate:
                due = calendar.add_workdays(day, max(1, promised_days)).date
                r = rng.random()
                finish_day = (
                    calendar.add_workdays(day, max(1, promised_days) + rng.randint(1, 3)).date
                    if r < shape.late
                    else due
                    if r < shape.late + shape.on_the_day
                    # early: at least one working day before the promise (a 1-day promise: the same day)
                    else calendar.add_workdays(day, rng.randint(0, max(0, promised_days - 1))).date
                )
                if finish_day >= shape.today:
                    status, done_at = "in_progress", None
                else:
                    done_at = dt.datetime.combine(finish_day, dt.time(15, rng.randrange(60)))
                    status = "delivered" if rng.random() < 0.8 else "completed"
                supp = int(rng.random() < shape.supplement)
            batches[ServiceCase].append(
                dict(
                    id=case_id,
                    hall_id=hall_id,
                    number=number,
                    item_id=item_id,
                    department_id=dept,
                    ticket_id=None,
                    window_number=window,
                    kind="immediate" if immediate else "promised",
                    status=status,
                    applicant_kind="person",
                    applicant_name=names[rng.randrange(len(names))],
                    applicant_id_number=people[rng.randrange(len(people))],
                    applicant_phone=f"13{rng.randint(100000000, 999999999)}",
                    representative="",
                    contact="",
                    agent_name="",
                    agent_id_number="",
                    id_override="",
                    id_override_by=None,
                    received_on=day,
                    accepted_on=accepted,
                    promised_days=promised_days,
                    extension_days=0,
                    due_date=due,
                    due_provisional=False,
                    supplement_notices=supp,
                    result="approved" if done_at else "",
                    reason="不属于本机关职权范围" if status == "rejected" else "",
                    competent_department="",
                    competent_phone="",
                    delivery_method="collect" if status == "delivered" else "",
                    owner_id=owner,
                    handover_to_id=None,
                    handover_reason="",
                    handover_at=None,
                    created_at=at,
                    completed_at=done_at,
                    updated_at=done_at or at,
                )
            )
            for pos in range(2):
                batches[CaseMaterial].append(
                    dict(
                        case_id=case_id,
                        position=pos,
                        name=f"材料{pos + 1}",
                        required=True,
                        received=True,
                        form="original",
                        copies=1,
                        pages=2,
                        note="",
                    )
                )
            batches[Event].append(
                dict(at=at, staff_id=owner, window_number=window, kind="case.intake", subject=number, payload="{}")
            )
            if not immediate and rng.random() < shape.suspended:
                batches[CaseSuspension].append(
                    dict(case_id=case_id, start=day, end=day + dt.timedelta(days=3), reason="专家评审", expected_days=3)
                )
        counters_c.append(dict(hall_id=hall_id, day=day, last=seq))
        flush()
        if not quiet and day.day == 1:
            print(f"  {day:%Y-%m} …", flush=True)
    flush(force=True)
    from clerk_tui.store.audit_chain import chain_bulk_written

    with engine.begin() as conn:
        chain_bulk_written(conn)  # the generated history on the audit chain: `audit verify` passes
        conn.execute(delete(CaseCounter).where(CaseCounter.day.in_([c["day"] for c in counters_c])))
        conn.execute(CaseCounter.__table__.insert(), counters_c)
        conn.execute(delete(TicketCounter).where(TicketCounter.business_date.in_(list({d for _, d in counters_t}))))
        conn.execute(
            TicketCounter.__table__.insert(),
            [dict(hall_id=hall_id, queue_id=q, business_date=d, last=n) for (q, d), n in counters_t.items()],
        )
        if engine.dialect.name == "postgresql":
            for table, column in (("service_case", case_id), ("ticket", ticket_id)):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :n)"), {"n": column})
        conn.execute(text("ANALYZE"))
    return {
        "cases": case_id - first_case,
        "tickets": ticket_id - first_ticket,
        "days": len(days),
        "seconds": round(time.perf_counter() - t0, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--cases", type=int, default=900_000)
    parser.add_argument("--tickets", type=int, default=900_000)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="default")
    args = parser.parse_args()
    os.environ.setdefault("CLERK_TUI_NOW", f"{PROFILES[args.profile].today}T10:00:00")
    from clerk_tui.services.setup import build_demo
    from clerk_tui.store.engine import make_engine

    engine = make_engine(args.db)
    build_demo(engine)
    print(generate(engine, args.cases, args.tickets, profile=args.profile))
    from clerk_tui.services.reports import keep_past_days

    t0 = time.perf_counter()
    keep_past_days(engine)  # as a running hall's supervisor screen would have, day by day
    print(f"past days counted and kept in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
