"""Case speed with a year of a county hall's cases in the database (about 900,000).

The year is written straight with SQLAlchemy Core (history, not the subject here); then intake,
every lifecycle step and the lookups run through the real services, each timed, p50 and p99.
Goals: intake and each transition <= 20 ms p99; lookup by case number, ID number or phone
<= 10 ms p99 (indexes, not scans).

Usage: python scripts/bench_cases.py [--cases 900000] [--runs 300] [--db URL]
       (without --db a temporary SQLite file; --db postgresql+psycopg://127.0.0.1/test measures
       PostgreSQL in a fresh schema)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 11, 26)
NOW = f"{TODAY}T10:00:00"


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def make_engine(url: str | None):
    from sqlalchemy import text

    from clerk_tui.store.engine import make_engine as mk

    if url is None:
        return mk(str(Path(tempfile.mkdtemp()) / "cases.db")), None
    schema = f"bench_cases_{os.getpid()}"
    admin = mk(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    from sqlalchemy import event

    engine = mk(url)

    @event.listens_for(engine, "connect")
    def _path(dbapi_conn, _):
        cur = dbapi_conn.cursor()
        cur.execute(f'SET search_path TO "{schema}"')
        cur.close()

    return engine, schema


def id_number(rng: random.Random) -> str:
    from clerk_tui.domain.ids import id_check_char

    first = f"330782{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return first + id_check_char(first)


def backfill(engine, cases: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """A year of cases, two checklist lines and two events each; returns some (number, id, phone)."""
    from sqlalchemy import delete, func, select

    from clerk_tui.store.models import CaseCounter, CaseMaterial, Event, Hall, ServiceCase, ServiceItem, Staff

    with engine.connect() as conn:
        hall_id = conn.execute(select(Hall.id).where(Hall.parent_id.is_(None))).scalar_one()
        items = conn.execute(
            select(ServiceItem.id, ServiceItem.department_id, ServiceItem.promised_limit_days, ServiceItem.kind)
        ).all()
        staff = [r[0] for r in conn.execute(select(Staff.id).where(Staff.role == "clerk"))]
        first_id = conn.execute(select(func.coalesce(func.max(ServiceCase.id), 0))).scalar_one()
        taken = dict(conn.execute(select(CaseCounter.day, CaseCounter.last)).all())  # the demo's own cases
    days = [TODAY - dt.timedelta(days=i) for i in range(1, 366) if (TODAY - dt.timedelta(days=i)).weekday() < 5]
    per_day = cases // len(days) + 1
    surnames = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红梅海燕晓东春玉兰"
    names = [a + b + c for a in surnames for b in given for c in given]  # ~60,000 names
    ids = [id_number(rng) for _ in range(300_000)]  # a county's people; most come once or twice a year
    samples, n, case_id = [], 0, first_id
    batch_cases, batch_mats, batch_events, counters = [], [], [], []
    c_table, m_table, e_table = ServiceCase.__table__, CaseMaterial.__table__, Event.__table__

    def flush():
        with engine.begin() as conn:
            if batch_cases:
                conn.execute(c_table.insert(), batch_cases)
                conn.execute(m_table.insert(), batch_mats)
                conn.execute(e_table.insert(), batch_events)
        batch_cases.clear(), batch_mats.clear(), batch_events.clear()

    for day in days:
        todays = taken.get(day, 0)
        for _ in range(per_day):
            if n >= cases:
                break
            n += 1
            case_id += 1
            todays += 1
            item_id, dept, days_promised, kind = items[rng.randrange(len(items))]
            number = f"YX{day:%Y%m%d}{todays:04d}"
            who = ids[rng.randrange(len(ids))]
            phone = f"13{rng.randint(100000000, 999999999)}"
            at = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(seconds=rng.randint(0, 8 * 3600))
            immediate = kind == "immediate"
            batch_cases.append(
                dict(
                    id=case_id,
                    hall_id=hall_id,
                    number=number,
                    item_id=item_id,
                    department_id=dept,
                    ticket_id=None,
                    kind="immediate" if immediate else "promised",
                    status="completed" if immediate else "delivered",
                    applicant_kind="person",
                    applicant_name=names[rng.randrange(len(names))],
                    applicant_id_number=who,
                    applicant_phone=phone,
                    representative="",
                    contact="",
                    agent_name="",
                    agent_id_number="",
                    id_override="",
                    id_override_by=None,
                    received_on=day,
                    accepted_on=day,
                    promised_days=days_promised,
                    extension_days=0,
                    due_date=None if immediate else day + dt.timedelta(days=days_promised + 4),
                    due_provisional=False,
                    supplement_notices=0,
                    result="approved",
                    reason="",
                    competent_department="",
                    competent_phone="",
                    delivery_method="" if immediate else "collect",
                    owner_id=staff[rng.randrange(len(staff))],
                    handover_to_id=None,
                    handover_reason="",
                    created_at=at,
                    completed_at=at,
                    updated_at=at,
                )
            )
            for pos in range(2):
                batch_mats.append(
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
            for kind_ in ("case.intake", "case.complete"):
                batch_events.append(
                    dict(at=at, staff_id=None, window_number=None, kind=kind_, subject=number, payload="{}")
                )
            if rng.random() < 0.0005:
                samples.append((number, who, phone, batch_cases[-1]["applicant_name"]))
            if len(batch_cases) >= 5000:
                flush()
        counters.append(dict(hall_id=hall_id, day=day, last=todays))
    flush()
    with engine.begin() as conn:
        conn.execute(delete(CaseCounter).where(CaseCounter.day.in_(list(taken))))
        conn.execute(CaseCounter.__table__.insert(), counters)
        if engine.dialect.name == "postgresql":
            from sqlalchemy import text

            conn.execute(text("SELECT setval(pg_get_serial_sequence('service_case', 'id'), :n)"), {"n": case_id})
            conn.execute(text("ANALYZE"))
        else:
            from sqlalchemy import text

            conn.execute(text("ANALYZE"))
    return samples


def timed(results: dict, name: str, func, *args, **kwargs):
    t0 = time.perf_counter()
    out = func(*args, **kwargs)
    results.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=900_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--db", default=None, help="a PostgreSQL URL; default a temporary SQLite file")
    args = parser.parse_args()
    os.environ["CLERK_TUI_NOW"] = NOW

    from sqlalchemy import text

    engine, schema = make_engine(args.db)
    print(f"store: {engine.dialect.name}")
    try:
        run(engine, args)
    finally:
        if schema:
            engine.dispose()
            from clerk_tui.store.engine import make_engine as mk

            admin = mk(args.db)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def run(engine, args) -> None:
    from sqlalchemy import text

    from clerk_tui.services import cases as cs
    from clerk_tui.services.catalog import list_items
    from clerk_tui.services.setup import build_demo
    from clerk_tui.services.staff import login

    t0 = time.perf_counter()
    build_demo(engine)
    rng = random.Random(5)
    samples = backfill(engine, args.cases, rng)
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM service_case")).scalar_one()
    print(f"backfilled {total:,} cases in {time.perf_counter() - t0:.0f} s")

    clerk = login(engine, "1003", "123456", window=3)
    other = login(engine, "1004", "123456", window=4)
    sup = login(engine, "9001", "123456")
    items = [
        g
        for g in list_items(engine)
        if g.kind == "promised" and g.promised_limit_days >= 2 and sum(m.required for m in g.materials) >= 2
    ]
    results: dict[str, list[float]] = {}
    for i in range(args.runs):
        g = items[i % len(items)]
        required = [m.name for m in g.materials if m.required]
        who = cs.Applicant("person", "基准申请人", id_number(rng), f"139{rng.randint(10000000, 99999999)}")
        accept = cs.IntakeRequest(g.code, who, "accept", materials_received=[m.name for m in g.materials])
        c = timed(results, "intake (accept)", cs.intake, engine, clerk, accept)
        timed(results, "start", cs.start, engine, clerk, c.number)
        timed(results, "suspend", cs.suspend, engine, clerk, c.number, reason="专家评审", days=3)
        timed(results, "resume", cs.resume, engine, clerk, c.number)
        timed(results, "extend", cs.extend, engine, sup, c.number, days=2, reason="需专家论证")
        timed(results, "handover", cs.handover, engine, clerk, c.number, to="1004", reason="轮岗")
        timed(results, "acknowledge", cs.acknowledge, engine, other, c.number)
        timed(results, "complete", cs.complete, engine, other, c.number, result="approved")
        timed(results, "deliver", cs.deliver, engine, other, c.number, method="mail", tracking="EMS1234567890123")
        supp = cs.IntakeRequest(g.code, who, "supplement", materials_received=required[:-1])
        s = timed(results, "intake (supplement)", cs.intake, engine, clerk, supp)
        timed(results, "supplement → accepted", cs.supplement, engine, clerk, s.number, [required[-1]])
        number, id_no, phone, name = samples[i % len(samples)]
        timed(results, "show by case number", cs.get_case, engine, sup, number)
        timed(results, "lookup by ID number", cs.list_cases, engine, sup, query=id_no)
        timed(results, "lookup by phone", cs.list_cases, engine, sup, query=phone)
        timed(results, "lookup by case number", cs.list_cases, engine, sup, query=number)
        timed(results, "lookup by name", cs.list_cases, engine, sup, query=name, limit=50)
        timed(results, "my red cases (console)", cs.my_risks, engine, clerk)

    print(f"\n{'operation':28} {'p50 ms':>8} {'p99 ms':>8} {'goal':>6} {'p99/goal':>9}")
    for name, values in results.items():
        goal = 10 if name.startswith(("lookup", "show")) else 20
        p99 = pct(values, 99)
        print(f"{name:28} {pct(values, 50):8.2f} {p99:8.2f} {goal:6} {p99 / goal:9.2f}")


if __name__ == "__main__":
    main()
