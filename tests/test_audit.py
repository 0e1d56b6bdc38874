"""The tamper-evident audit trail on SQLite and PostgreSQL: the chain that concurrent writers extend,
``verify`` naming the first row changed, removed or inserted behind the program's back (raw SQL with
sqlite3 / psycopg), a cut tail found against an anchor, state that disagrees with its events,
pruning and its 180-day floor, and the CLI's exit codes."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import sqlite3
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from clerk_tui.services import audit
from clerk_tui.services import cases as cs
from clerk_tui.services import queue as q
from clerk_tui.services.errors import PermissionDenied, ServiceError
from clerk_tui.services.staff import add_staff, login
from clerk_tui.settings import SettingsError, load_settings
from clerk_tui.store.audit_chain import CHAIN, GENESIS, row_digest
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import AuditHead, Event
from tests.conftest import copy_mini_hall, run_cli

FOOD = "000112002000"
FOOD_ALL = ["食品经营许可申请书", "营业执照复印件"]


def raw_sql(db_url: str, *statements: str) -> None:
    """Run SQL straight on the database, as someone with a shell and sqlite3 / psql would."""
    if "://" not in db_url:
        con = sqlite3.connect(db_url)
        with con:
            for sql in statements:
                con.execute(sql)
        con.close()
        return
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    kw = dict(host=url.host, port=url.port or 5432, dbname=url.database, user=url.username, password=url.password)
    options = url.query.get("options")
    with psycopg.connect(**kw, options=options) as con:
        for sql in statements:
            con.execute(sql)


@pytest.fixture
def people(hall, admin, now):
    add_staff(hall, admin, "1001", "李强", "clerk", "1111", department="县市场监督管理局")
    add_staff(hall, admin, "9001", "带班", "supervisor", "9999")
    return {"clerk": login(hall, "1001", "1111", window=3), "sup": login(hall, "9001", "9999"), "admin": admin}


@pytest.fixture
def busy(hall, people):
    """A morning's work: tickets issued, called, served; a case received and started."""
    clerk = people["clerk"]
    q.open_window(hall, clerk, 3)
    for _ in range(4):
        q.issue_ticket(hall, clerk, queue="A")
    for _ in range(2):
        t = q.call_next(hall, clerk, 3).ticket
        q.finish_service(hall, clerk, t.number, 3)
    view = cs.intake(
        hall,
        clerk,
        cs.IntakeRequest(
            item_code=FOOD,
            applicant=cs.Applicant("person", "张三", "11010519491231002X", "13800138000"),
            decision="accept",
            materials_received=FOOD_ALL,
        ),
    )
    return view.number


def last_ids(engine, n: int) -> list[int]:
    with read_session(engine) as s:
        return sorted(s.exec(select(Event.id).order_by(Event.id.desc()).limit(n)).all())


def test_every_event_is_chained_and_the_hall_verifies(hall, busy, people):
    report = audit.verify(hall, people["sup"])
    assert report.ok, report.problems
    with read_session(hall) as s:
        rows = s.exec(select(Event).order_by(Event.id)).all()
        head = s.get(AuditHead, CHAIN)
    assert report.checked == len(rows) > 10
    prev = GENESIS
    for row in rows:
        assert row.prev_hash == prev and row.hash == row_digest(row)
        prev = row.hash
    assert (head.event_id, head.hash) == (rows[-1].id, rows[-1].hash)


def test_verify_and_prune_need_their_rights(hall, people):
    with pytest.raises(PermissionDenied):
        audit.verify(hall, people["clerk"])
    with pytest.raises(PermissionDenied):
        audit.verify(hall, None)
    with pytest.raises(PermissionDenied):
        audit.prune(hall, people["sup"], dt.date(2020, 1, 1), 180)


def test_a_changed_row_is_named(hall, db_url, busy, people):
    target = last_ids(hall, 5)[0]
    raw_sql(db_url, f"UPDATE event SET staff_id = NULL WHERE id = {target}")
    report = audit.verify(hall, people["sup"])
    assert not report.ok
    first = report.problems[0]
    assert (first.kind, first.event_id) == ("changed", target)
    assert f"#{target}" in first.message and "改动" in first.message


def test_a_removed_row_is_named(hall, db_url, busy, people):
    ids = last_ids(hall, 6)
    raw_sql(db_url, f"DELETE FROM event WHERE id = {ids[2]}")
    first = audit.verify(hall, people["sup"]).problems[0]
    assert (first.kind, first.event_id) == ("removed", ids[3])
    assert f"#{ids[1]}" in first.message and f"#{ids[3]}" in first.message and "删除" in first.message


def test_an_inserted_row_is_named(hall, db_url, busy, people):
    top = last_ids(hall, 1)[0]
    raw_sql(
        db_url,
        "INSERT INTO event (id, at, staff_id, kind, subject, payload) "
        f"VALUES ({top + 1}, '2026-11-26 09:30:00', NULL, 'staff.login', '1001', '{{}}')",
    )
    first = audit.verify(hall, people["sup"]).problems[0]
    assert (first.kind, first.event_id) == ("inserted", top + 1)
    assert "插入" in first.message


def test_an_inserted_row_with_a_forged_hash_is_named(hall, db_url, busy, people):
    """A forger who knows the hash and links the row to its predecessor breaks the next link."""
    with read_session(hall) as s:
        a, b = s.exec(select(Event).order_by(Event.id.desc()).limit(2)).all()[::-1]
    raw_sql(db_url, f"DELETE FROM event WHERE id = {b.id}")
    forged = Event(id=b.id, at=a.at, staff_id=None, window_number=None, kind="case.deliver", subject="X", payload="{}")
    forged.prev_hash = a.hash
    forged.hash = row_digest(forged)
    raw_sql(
        db_url,
        "INSERT INTO event (id, at, kind, subject, payload, prev_hash, hash) "
        f"VALUES ({b.id}, '{a.at.isoformat(sep=' ')}', 'case.deliver', 'X', '{{}}', '{a.hash}', '{forged.hash}')",
        "INSERT INTO event (id, at, staff_id, window_number, kind, subject, payload, prev_hash, hash) "
        f"VALUES ({b.id + 1}, '{b.at.isoformat(sep=' ')}', {b.staff_id or 'NULL'}, {b.window_number or 'NULL'}, "
        f"'{b.kind}', '{b.subject}', '{b.payload}', '{b.prev_hash}', '{b.hash}')",
        f"UPDATE audit_head SET event_id = {b.id + 1}",
    )
    first = audit.verify(hall, people["sup"]).problems[0]
    assert (first.kind, first.event_id) == ("inserted", b.id)


def test_a_cut_tail_is_found_and_an_anchor_finds_it_when_the_head_is_rewritten_too(hall, db_url, busy, people):
    anchored = audit.anchor(hall, people["sup"])
    ids = last_ids(hall, 4)
    raw_sql(db_url, f"DELETE FROM event WHERE id >= {ids[1]}")
    first = audit.verify(hall, people["sup"]).problems[0]
    assert first.kind == "truncated" and f"#{ids[0]}" in first.message

    with read_session(hall) as s:
        keep = s.get(Event, ids[0])
    raw_sql(db_url, f"UPDATE audit_head SET event_id = {keep.id}, hash = '{keep.hash}'")
    chain = [p for p in audit.verify(hall, people["sup"]).problems if p.kind != "state"]
    assert chain == []  # the chain alone cannot tell ...
    line = anchored.line()
    report = audit.verify(hall, people["sup"], anchored=audit.parse_anchor(line))  # ... the anchor can
    assert (report.problems[0].kind, report.problems[0].event_id) == ("truncated", anchored.event_id)


def test_a_case_status_changed_behind_the_programs_back_is_found(hall, db_url, busy, people):
    raw_sql(db_url, f"UPDATE service_case SET status = 'delivered' WHERE number = '{busy}'")
    report = audit.verify(hall, people["sup"])
    assert [p.kind for p in report.problems] == ["state"]
    assert busy in report.problems[0].message and "送达" in report.problems[0].message


def test_a_ticket_status_changed_behind_the_programs_back_is_found(hall, db_url, busy, people):
    raw_sql(db_url, "UPDATE ticket SET status = 'done' WHERE status = 'waiting'")
    report = audit.verify(hall, people["sup"])
    assert report.problems and all(p.kind == "state" and "号票" in p.message for p in report.problems)


def test_verify_from_a_date_checks_only_the_rows_since(hall, db_url, busy, people, now):
    now("2031-03-03T09:00:00")  # later than every event before it (the template hall's are of today)
    q.issue_ticket(hall, people["clerk"], queue="A")
    first_today = last_ids(hall, 1)[0]
    older = first_today - 3
    raw_sql(db_url, f"UPDATE event SET subject = 'x' WHERE id = {older}")
    assert audit.verify(hall, people["sup"], since=dt.date(2031, 3, 3)).ok
    assert audit.verify(hall, people["sup"]).problems[0].event_id == older


def test_prune_refuses_the_young_and_keeps_the_chain_verifiable(hall, busy, people, now):
    with pytest.raises(ServiceError, match="180"):
        audit.prune(hall, people["admin"], dt.date(2026, 11, 1), 180)
    with read_session(hall) as s:
        before = s.exec(select(func.count()).select_from(Event)).one()
    now("2031-06-02T09:00:00")  # later than every event (the template hall's are of today)
    with pytest.raises(ServiceError, match="180"):
        audit.prune(hall, people["admin"], dt.date(2031, 1, 1), 180)
    with pytest.raises(ServiceError, match="200"):
        audit.prune(hall, people["admin"], dt.date(2030, 12, 1), 200)  # 183 days before
    removed = audit.prune(hall, people["admin"], dt.date(2030, 12, 1), 180)
    assert removed == before - 1  # all but the head's own event
    with read_session(hall) as s:
        kinds = s.exec(select(Event.kind).order_by(Event.id)).all()
    assert kinds == ["case.intake", "audit.pruned"]
    assert audit.verify(hall, people["sup"]).ok
    q.issue_ticket(hall, people["clerk"], queue="A")
    assert audit.verify(hall, people["sup"]).ok


def test_the_retention_setting_has_a_floor_of_180_days(tmp_path, monkeypatch):
    monkeypatch.setenv("CLERK_TUI_AUDIT_KEEP_DAYS", "90")
    with pytest.raises(SettingsError, match="180"):
        load_settings(None, str(tmp_path / "x.db"))
    monkeypatch.setenv("CLERK_TUI_AUDIT_KEEP_DAYS", "400")
    assert load_settings(None, str(tmp_path / "x.db")).audit_keep_days == 400
    monkeypatch.delenv("CLERK_TUI_AUDIT_KEEP_DAYS")
    cfg = tmp_path / "s.toml"
    cfg.write_text("[audit]\nkeep_days = 30\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="audit.keep_days"):
        load_settings(cfg, str(tmp_path / "x.db"))


def test_the_day_head_is_the_last_event_of_the_day(hall, busy, people):
    head = audit.day_head(hall, dt.date(2026, 11, 26))
    assert head is not None and head.event_id == last_ids(hall, 1)[0]
    assert audit.day_head(hall, dt.date(2026, 11, 25)) is None
    assert len(head.fingerprint) == 16


# ---------------------------------------------------------------- many processes at once


def _worker(url, actor, window, n, start_evt, out):
    from clerk_tui.services import queue as q
    from clerk_tui.store.engine import make_engine

    engine = make_engine(url)
    start_evt.wait()
    for _ in range(n):
        q.issue_ticket(engine, actor, queue="B" if window == 2 else "A")
        t = q.call_next(engine, actor, window).ticket
        if t is not None:
            q.finish_service(engine, actor, t.number, window)
    engine.dispose()
    out.put(window)


def test_verify_passes_after_several_processes_wrote_at_once(hall, admin, db_url, people):
    clerks = []
    for n in (1, 2, 3):
        add_staff(hall, admin, f"20{n:02d}", f"员{n}", "clerk", "1111")
        clerk = login(hall, f"20{n:02d}", "1111", window=n)
        q.open_window(hall, clerk, n)
        clerks.append(clerk)
    ctx = mp.get_context("spawn")
    start_evt, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(db_url, c, c.window, 12, start_evt, out), daemon=True) for c in clerks]
    try:
        for p in procs:
            p.start()
        start_evt.set()
        done = sorted(out.get(timeout=300) for _ in procs)
        for p in procs:
            p.join(timeout=60)
            assert p.exitcode == 0
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
    assert done == [1, 2, 3]
    report = audit.verify(hall, people["sup"])
    assert report.ok, report.problems
    with read_session(hall) as s:
        issued = s.exec(select(func.count()).select_from(Event).where(Event.kind == "ticket.issued")).one()
        total = s.exec(select(func.count()).select_from(Event)).one()
    assert issued == 36 and report.checked == total > 100


# ---------------------------------------------------------------- the CLI


@pytest.fixture
def run(monkeypatch, capsys):
    return lambda *args, env=None: run_cli(monkeypatch, capsys, args, env)


def test_cli_verify_anchor_and_prune(tmp_path, monkeypatch, mini_hall_file, run):
    path = tmp_path / "cli.db"
    copy_mini_hall(mini_hall_file, path)
    monkeypatch.setenv("CLERK_TUI_DB", str(path))
    admin = {"CLERK_TUI_STAFF": "admin", "CLERK_TUI_PIN": "2468"}
    code, out, err = run("audit", "verify", env=admin)
    assert code == 0, err
    assert "审计链完整" in out
    code, out, err = run("audit", "verify")
    assert code == 1 and "需要操作人员" in err

    anchor_file = tmp_path / "head.txt"
    code, out, err = run("audit", "anchor", "--to", str(anchor_file), env=admin)
    assert code == 0, err
    assert anchor_file.stat().st_mode & 0o777 == 0o600
    assert "指纹" in anchor_file.read_text(encoding="utf-8")

    code, out, err = run("audit", "prune", "--before", "2099-01-01", env=admin)
    assert code == 1 and "180" in err

    raw_sql(str(path), "UPDATE event SET kind = 'x' WHERE id = 1")
    code, out, err = run("audit", "verify", "--format", "json", env=admin)
    assert code == 1 and '"changed"' in out and '"event_id": 1' in out
    code, out, err = run("audit", "verify", "--from", "26-11-2026", env=admin)
    assert code == 1 and "YYYY-MM-DD" in err


def test_cli_verify_with_an_anchor_finds_the_cut_tail(tmp_path, monkeypatch, mini_hall_file, run):
    path = tmp_path / "cli.db"
    copy_mini_hall(mini_hall_file, path)
    monkeypatch.setenv("CLERK_TUI_DB", str(path))
    admin = {"CLERK_TUI_STAFF": "admin", "CLERK_TUI_PIN": "2468"}
    anchor_file = tmp_path / "head.txt"
    assert run("audit", "anchor", "--to", str(anchor_file), env=admin)[0] == 0
    con = sqlite3.connect(path)
    (top,) = con.execute("SELECT max(id) FROM event").fetchone()
    (prev_id, prev_hash) = con.execute(
        "SELECT id, hash FROM event WHERE id < ? ORDER BY id DESC", (top - 1,)
    ).fetchone()
    with con:  # the last two events go, and the head is set back to match
        con.execute("DELETE FROM event WHERE id >= ?", (top - 1,))
        con.execute("UPDATE audit_head SET event_id = ?, hash = ?", (prev_id, prev_hash))
    con.close()
    assert run("audit", "verify", env=admin)[0] == 0
    code, _out, err = run("audit", "verify", "--anchor", str(anchor_file), env=admin)
    assert code == 1 and f"#{top}" in err and "截断" in err and "锚定" in err
    assert Path(anchor_file).exists()


def test_the_daily_report_shows_the_days_head(tmp_path, monkeypatch, mini_hall_file, run):
    import datetime as dt
    import json

    from clerk_tui.services.audit import day_head
    from clerk_tui.services.staff import add_staff, login
    from clerk_tui.store.engine import make_engine

    path = tmp_path / "cli.db"
    copy_mini_hall(mini_hall_file, path)
    monkeypatch.setenv("CLERK_TUI_DB", str(path))
    monkeypatch.setenv("CLERK_TUI_NOW", "2031-03-03T09:00:00")  # a day with no events yet
    engine = make_engine(str(path))
    add_staff(engine, login(engine, "admin", "2468"), "9001", "郑国强", "supervisor", "9999")
    supervisor = {"CLERK_TUI_STAFF": "9001", "CLERK_TUI_PIN": "9999"}  # reads the day's report
    code, out, err = run("report", "daily", "--format", "json", env=supervisor)
    assert code == 0, err
    shown = json.loads(out)["audit_head"]
    head = day_head(engine, dt.date(2031, 3, 3))  # nothing written since: the report's head is the day's
    assert head is not None and shown == {"event_id": head.event_id, "fingerprint": head.fingerprint}
    code, out, err = run("report", "daily", env=supervisor)
    head = day_head(engine, dt.date(2031, 3, 3))
    assert code == 0 and f"#{head.event_id}" in out and f"指纹 {head.fingerprint}" in out
    engine.dispose()


def test_an_upgraded_hall_has_its_old_events_chained(engine, now):
    from alembic import command
    from sqlalchemy import text

    from clerk_tui.store import schema

    with engine.begin() as conn:
        command.upgrade(schema._config(conn), "0008")
    with engine.begin() as conn:
        for i in range(3):
            conn.execute(
                text("INSERT INTO event (at, kind, subject, payload) VALUES (:at, 'staff.login', :s, '{}')"),
                {"at": dt.datetime(2026, 11, 20, 9, i), "s": f"old{i}"},
            )
    schema.upgrade(engine)
    with read_session(engine) as s:
        rows = s.exec(select(Event).order_by(Event.id)).all()
        head = s.get(AuditHead, CHAIN)
    assert [r.subject for r in rows] == ["old0", "old1", "old2"]
    assert rows[0].prev_hash == GENESIS and all(r.hash == row_digest(r) for r in rows)
    assert all(b.prev_hash == a.hash for a, b in pairwise(rows))
    assert (head.event_id, head.hash) == (rows[-1].id, rows[-1].hash)
