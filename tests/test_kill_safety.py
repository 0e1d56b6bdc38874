"""Kill-safety: a mixed workload (guide desks issuing, windows calling and finishing, a clerk taking
in cases) in several processes, each killed with SIGKILL at random moments and started again. What a
process was told had succeeded (its acknowledgement journal) is all in the store afterwards, no
ticket number is issued or called twice, every change has its event, and SQLite's integrity check
passes. On SQLite and PostgreSQL (where a killed client's transaction is rolled back by the server).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from tests.test_concurrency import hall_toml

ID = "11010519491231002X"
RUN_SECONDS = 4.0
KILLS = 12


def _journal(path: str, line: str) -> None:
    """Record an acknowledgement: written after the service returned, so it only ever lists what
    the store said it kept."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def _worker(url: str, role: str, actor, journal: str, seed: int) -> None:
    from clerk_tui.services import cases as cs
    from clerk_tui.services import queue as q
    from clerk_tui.services.errors import ServiceError
    from clerk_tui.store.engine import make_engine

    rng = random.Random(seed)
    engine = make_engine(url)
    while True:
        try:
            if role == "guide":
                t = q.issue_ticket(engine, actor, queue="A" if rng.random() < 0.7 else "B")
                _journal(journal, f"issued {t.number}")
            elif role == "clerk":
                current = q.window_panel(engine, actor.window).current
                if current is None:  # a predecessor killed between call and finish leaves one in hand
                    result = q.call_next(engine, actor, actor.window)
                    if result.ticket is None:
                        time.sleep(0.01)
                        continue
                    current = result.ticket
                    _journal(journal, f"called {current.number}")
                q.finish_service(engine, actor, current.number, actor.window)
                _journal(journal, f"finished {current.number}")
            else:
                view = cs.intake(
                    engine,
                    actor,
                    cs.IntakeRequest(
                        "1",
                        cs.Applicant("person", "张三", ID),
                        "immediate",
                        materials_received=["身份证"],
                        result="approved",
                    ),
                )
                _journal(journal, f"case {view.number}")
        except ServiceError as exc:  # a refusal is an answer, not a loss; the workload goes on
            _journal(journal, f"refused {exc}")


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_sigkill_at_random_moments_loses_nothing_acknowledged(db, tmp_path, request):
    from clerk_tui.domain.pins import hash_pin
    from clerk_tui.services.context import Actor
    from clerk_tui.services.queue import open_window
    from clerk_tui.services.setup import init_database
    from clerk_tui.services.staff import create_staff
    from clerk_tui.store.engine import make_engine, read_session, write_session
    from clerk_tui.store.models import Event, ServiceCase, Ticket

    url = str(tmp_path / "ks.db") if db == "sqlite" else request.getfixturevalue("pg_url")
    cat = tmp_path / "ks.toml"
    hall_toml(cat)
    engine = make_engine(url)
    init_database(engine, catalog=cat, admin_pin="24681357")
    pin = hash_pin("135792")
    roles = [("guide", None), ("guide", None), ("clerk", 1), ("clerk", 2), ("clerk", 3), ("case", 4)]
    actors = []
    with write_session(engine) as s:
        for n, (role, window) in enumerate(roles, start=1):
            st = create_staff(s, f"{n:04d}", f"员{n}", "guide" if role == "guide" else "clerk", "135792", pin_hash=pin)
            actors.append(Actor(st.id, st.number, st.name, st.role, None, window))
    for a in actors:
        if a.window is not None:
            open_window(engine, a, a.window)
    engine.dispose()

    ctx = mp.get_context("fork")  # fork: a killed worker is replaced at once, without re-importing
    rng = random.Random(2026)
    journals = [str(tmp_path / f"journal-{i}.txt") for i in range(len(roles))]
    procs: list = [None] * len(roles)

    def start(i: int) -> None:
        procs[i] = ctx.Process(
            target=_worker, args=(url, roles[i][0], actors[i], journals[i], rng.random()), daemon=True
        )
        procs[i].start()

    kills = 0
    try:
        for i in range(len(roles)):
            start(i)
        deadline = time.monotonic() + RUN_SECONDS
        while time.monotonic() < deadline or kills < KILLS:
            time.sleep(rng.uniform(0.05, RUN_SECONDS / KILLS))
            victim = rng.randrange(len(roles))
            os.kill(procs[victim].pid, signal.SIGKILL)
            procs[victim].join()
            kills += 1
            start(victim)
    finally:
        for p in procs:
            if p is not None and p.is_alive():
                os.kill(p.pid, signal.SIGKILL)
                p.join()

    acked: dict[str, set[str]] = {"issued": set(), "called": set(), "finished": set(), "case": set()}
    for path in journals:
        if os.path.exists(path):
            for line in Path(path).read_text(encoding="utf-8").splitlines():
                kind, _, value = line.partition(" ")
                if kind in acked:
                    acked[kind].add(value)
    assert len(acked["issued"]) > 10 and acked["finished"] and acked["case"], acked  # real work was done

    engine = make_engine(url)
    with read_session(engine) as s:
        if db == "sqlite":
            assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        tickets = {t.number: t for t in s.exec(select(Ticket))}
        assert len(tickets) == s.exec(select(func.count()).select_from(Ticket)).one()  # no number twice
        assert acked["issued"] <= set(tickets)  # every acknowledged ticket is there
        for number in acked["called"]:
            assert tickets[number].called_at is not None, number
        for number in acked["finished"]:
            assert tickets[number].status == "done", number
        cases = {c.number for c in s.exec(select(ServiceCase))}
        assert acked["case"] <= cases
        events: dict[tuple[str, str], int] = {}
        for kind, subject, n in s.execute(
            select(Event.kind, Event.subject, func.count()).group_by(Event.kind, Event.subject)
        ):
            events[(kind, subject)] = n
        for number, t in tickets.items():  # an event for every change, and no ticket called twice
            assert events.get(("ticket.issued", number)) == 1, number
            assert events.get(("ticket.called", number), 0) == (1 if t.called_at is not None else 0), number
            assert events.get(("ticket.finished", number), 0) == (1 if t.status == "done" else 0), number
        for number in cases:
            assert any(subject == number for _, subject in events), number
    engine.dispose()
