"""Real processes: 8 windows calling while 2 guide desks issue, on SQLite and PostgreSQL.
Every ticket is issued with a unique number and called exactly once.

The processes come from a fork server that has imported the services once (``forkserver`` with a
preload): each is still a separate process with its own engine and connections, racing the others
for the same rows, but it no longer spends a second importing SQLAlchemy and the services before
it starts (ten ``spawn`` children cost about 10 s of CPU per test on the 2-core machine)."""

import multiprocessing as mp
import time

import pytest
from sqlalchemy import func
from sqlmodel import select

WINDOWS = 8
ISSUERS = 2
PER_ISSUER = 60
# What the children import, loaded once in the fork server (a fresh interpreter, not a fork of
# pytest) instead of once per child.
PRELOAD = ["clerk_tui.services.queue", "clerk_tui.store.engine", "psycopg", "tests.test_concurrency"]


def hall_toml(path):
    lines = [
        '[hall]\ncode = "CC"\nname = "并发测试大厅"\n',
        '[[department]]\nname = "综合部门"\n',
        '[[queue]]\nprefix = "A"\nname = "综合"\n',
        '[[queue]]\nprefix = "B"\nname = "其他"\n',
        '[[item]]\ncode = "1"\nname = "事项"\ndepartment = "综合部门"\nqueue = "A"\nkind = "immediate"\n'
        'legal_limit_days = 0\npromised_limit_days = 0\nfee = "不收费"\n[[item.material]]\nname = "身份证"\n',
    ]
    for n in range(1, WINDOWS + 1):
        lines.append(f'[[window]]\nnumber = {n}\nname = "综合{n}"\nqueues = ["A", "B"]\n')
    path.write_text("\n".join(lines), encoding="utf-8")


def _issuer(url, actor, n, start_evt, out):
    from clerk_tui.services.queue import issue_ticket
    from clerk_tui.store.engine import make_engine

    engine = make_engine(url)
    start_evt.wait()
    numbers = []
    for i in range(n):
        numbers.append(
            issue_ticket(
                engine, actor, queue="A" if i % 3 else "B", priority="elderly" if i % 7 == 0 else "none"
            ).number
        )
    engine.dispose()
    out.put(("issued", numbers))


def _caller(url, actor, window, start_evt, issuing_done, out):
    from clerk_tui.services.queue import call_next, finish_service
    from clerk_tui.store.engine import make_engine

    engine = make_engine(url)
    start_evt.wait()
    got = []
    while True:
        result = call_next(engine, actor, window)
        if result.ticket is None:
            if issuing_done.is_set():
                result = call_next(engine, actor, window)
                if result.ticket is None:
                    break
            else:
                time.sleep(0.005)
                continue
        got.append(result.ticket.number)
        finish_service(engine, actor, result.ticket.number, window)
    out.put(("called", got))
    engine.dispose()


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_many_windows_call_each_ticket_once(db, tmp_path, request):
    from clerk_tui.domain.pins import hash_pin
    from clerk_tui.services.context import Actor
    from clerk_tui.services.queue import open_window
    from clerk_tui.services.setup import init_database
    from clerk_tui.services.staff import create_staff
    from clerk_tui.store.engine import make_engine, write_session
    from clerk_tui.store.models import Event, Ticket

    url = str(tmp_path / "cc.db") if db == "sqlite" else request.getfixturevalue("pg_url")
    cat = tmp_path / "cc.toml"
    hall_toml(cat)
    engine = make_engine(url)
    init_database(engine, catalog=cat, admin_pin="2468", demo=True)  # the tests' easy PINs
    pin = hash_pin("1111")
    actors = []
    with write_session(engine) as s:
        for n in range(1, WINDOWS + ISSUERS + 1):
            role = "clerk" if n <= WINDOWS else "guide"
            st = create_staff(s, f"{n:04d}", f"员{n}", role, "1111", pin_hash=pin)
            actors.append(Actor(st.id, st.number, st.name, role, None, n if n <= WINDOWS else None))
    for a in actors[:WINDOWS]:
        open_window(engine, a, a.window)

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)  # read when the fork server starts (once per test process)
    start_evt, issuing_done, out = ctx.Event(), ctx.Event(), ctx.Queue()
    callers = [
        ctx.Process(target=_caller, args=(url, a, a.window, start_evt, issuing_done, out), daemon=True)
        for a in actors[:WINDOWS]
    ]
    issuers = [
        ctx.Process(target=_issuer, args=(url, a, PER_ISSUER, start_evt, out), daemon=True) for a in actors[WINDOWS:]
    ]
    try:
        for p in callers + issuers:
            p.start()
        start_evt.set()
        issued, results = [], []
        while len([r for r in results]) < len(callers):
            kind, numbers = out.get(timeout=300)
            if kind == "issued":
                issued += numbers
                if len(issued) == ISSUERS * PER_ISSUER:
                    issuing_done.set()
            else:
                results.append((kind, numbers))
        for p in callers + issuers:
            p.join(timeout=60)
            assert p.exitcode == 0
    finally:
        for p in callers + issuers:
            if p.is_alive():
                p.kill()

    called = [n for _, nums in results for n in nums]
    assert len(issued) == ISSUERS * PER_ISSUER == len(set(issued))
    assert sorted(called) == sorted(issued)  # every ticket called, none twice
    assert sum(1 for _, nums in results if nums) >= 2  # the work really was shared
    from clerk_tui.store.engine import read_session

    with read_session(engine) as s:
        assert s.exec(select(func.count()).select_from(Ticket).where(Ticket.status != "done")).one() == 0
        per_ticket = s.exec(
            select(Event.subject, func.count()).where(Event.kind == "ticket.called").group_by(Event.subject)
        ).all()
        assert all(n == 1 for _, n in per_ticket) and len(per_ticket) == len(issued)
    engine.dispose()
