"""Queue speed with a year of a county hall's tickets in the database.

1. Issuing and calling through the services against a bare sqlite3 transaction doing the same
   reads and writes, side by side in one run (goal: <= 3x), p50 and p99.
2. 45 long-lived window processes calling on one SQLite file (goal: >= 200 calls/s together,
   no error, every ticket called once).
3. A login at another terminal must not stall the hall: one process issues a ticket every 50 ms
   while another logs in (a full-cost scrypt PIN check) back to back; the issue's p50/p99 with
   and without the logins. ``--login-only`` runs this part alone on a small history.

Usage: python scripts/bench_queue.py [--tickets 900000] [--windows 45] [--calls 2000] [--login-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 11, 26)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def hall_catalog(path: Path, windows: int) -> None:
    lines = ['[hall]\ncode = "BQ"\nname = "基准大厅"\n', '[[department]]\nname = "综合部门"\n']
    for p in "ABCDEFGH":
        lines.append(f'[[queue]]\nprefix = "{p}"\nname = "队列{p}"\n')
    for n in range(1, windows + 1):
        qs = ", ".join(f'"{p}"' for p in ("ABCDEFGH"[n % 8], "ABCDEFGH"[(n + 1) % 8]))
        lines.append(f'[[window]]\nnumber = {n}\nname = "窗口{n}"\nqueues = [{qs}]\n')
    lines.append(
        '[[item]]\ncode = "1"\nname = "事项"\ndepartment = "综合部门"\nqueue = "A"\nkind = "immediate"\n'
        'legal_limit_days = 0\npromised_limit_days = 0\nfee = "不收费"\n[[item.material]]\nname = "身份证"\n'
    )
    path.write_text("\n".join(lines), encoding="utf-8")


def backfill_year(db: str, tickets: int) -> None:
    """A year of served tickets, written straight with sqlite3 (history, not the subject here)."""
    con = sqlite3.connect(db)
    (hall_id,) = con.execute("SELECT id FROM hall WHERE parent_id IS NULL").fetchone()
    queues = [r[0] for r in con.execute("SELECT id FROM queue ORDER BY prefix")]
    days = [TODAY - dt.timedelta(days=i) for i in range(1, 366) if (TODAY - dt.timedelta(days=i)).weekday() < 5]
    per_day = tickets // len(days) + 1
    rng = random.Random(1)
    rows, counters, n = [], [], 0
    for day in days:
        seqs = dict.fromkeys(queues, 0)
        for i in range(per_day):
            if n >= tickets:
                break
            q = queues[i % len(queues)]
            seqs[q] += 1
            at = dt.datetime.combine(day, dt.time(8, 30)) + dt.timedelta(seconds=i * 8)
            prefix = "ABCDEFGH"[queues.index(q)]
            rows.append(
                (
                    hall_id,
                    day.isoformat(),
                    q,
                    seqs[q],
                    f"{prefix}{seqs[q]:03d}",
                    q,
                    "none",
                    "done",
                    at.isoformat(" "),
                    at.isoformat(" "),
                    rng.randint(1, 45),
                    at.isoformat(" "),
                    at.isoformat(" "),
                    at.isoformat(" "),
                    0,
                    0,
                    "",
                    "",
                )
            )
            n += 1
        counters += [(hall_id, q, day.isoformat(), s) for q, s in seqs.items() if s]
    con.executemany(
        "INSERT INTO ticket (hall_id, business_date, number_queue_id, seq, number, queue_id, priority, status, "
        "issued_at, queued_at, window_number, called_at, started_at, finished_at, recalls, transfers, "
        "transfer_reason, note) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    con.executemany("INSERT INTO ticket_counter (hall_id, queue_id, business_date, last) VALUES (?,?,?,?)", counters)
    con.commit()
    con.close()


# --------------------------------------------------------------------------- side by side


def bare_issue(con: sqlite3.Connection, hall_id: int, queue_id: int, prefix: str, staff_id: int) -> None:
    now = dt.datetime.now().isoformat(" ")
    con.execute("BEGIN IMMEDIATE")
    con.execute("SELECT id FROM hall WHERE parent_id IS NULL").fetchone()
    con.execute("SELECT id, prefix FROM queue WHERE prefix = ?", (prefix,)).fetchone()
    (seq,) = con.execute(
        "INSERT INTO ticket_counter (hall_id, queue_id, business_date, last) VALUES (?,?,?,1) "
        "ON CONFLICT (hall_id, queue_id, business_date) DO UPDATE SET last = last + 1 RETURNING last",
        (hall_id, queue_id, TODAY.isoformat()),
    ).fetchone()
    cur = con.execute(
        "INSERT INTO ticket (hall_id, business_date, number_queue_id, seq, number, queue_id, priority, status, "
        "issued_at, queued_at, issued_by, recalls, transfers, transfer_reason, note) "
        "VALUES (?,?,?,?,?,?,'none','waiting',?,?,?,0,0,'','')",
        (hall_id, TODAY.isoformat(), queue_id, seq, f"{prefix}{seq:03d}", queue_id, now, now, staff_id),
    )
    con.execute(
        "SELECT count(*) FROM ticket WHERE business_date = ? AND status = 'waiting' AND queue_id = ? "
        "AND target_window IS NULL AND id != ?",
        (TODAY.isoformat(), queue_id, cur.lastrowid),
    ).fetchone()
    con.execute(
        "INSERT INTO event (at, staff_id, kind, subject, payload) VALUES (?,?,?,?,?)",
        (now, staff_id, "ticket.issued", f"{prefix}{seq:03d}", "{}"),
    )
    con.execute("COMMIT")


FRONT = (
    "SELECT t.id, t.number, t.priority, t.issued_at, t.queued_at, t.transfers, t.target_window, "
    "t.transferred_from, t.business_date, t.id_number, t.transfer_reason, t.note, t.status, t.window_number, "
    "t.recalls, t.called_at, q.prefix, q.name, i.code, i.name FROM ticket t JOIN queue q ON q.id = t.queue_id "
    "LEFT JOIN service_item i ON i.id = t.item_id WHERE t.business_date = ? AND t.status = 'waiting' AND {} "
    "ORDER BY t.queued_at, t.id LIMIT 1"
)


def bare_call(con: sqlite3.Connection, window_id: int, number: int, queue_ids: list[int], staff_id: int) -> bool:
    """The service's reads and writes for a call and then a finish, as two bare transactions."""
    now = dt.datetime.now().isoformat(" ")
    day = TODAY.isoformat()
    con.execute("BEGIN IMMEDIATE")
    con.execute(
        "SELECT w.id, s.* FROM window w JOIN window_state s ON s.window_id = w.id WHERE w.number = ?", (number,)
    ).fetchone()
    queues = con.execute(
        "SELECT q.id, q.prefix, q.name FROM queue q JOIN window_queue wq ON wq.queue_id = q.id "
        "WHERE wq.window_id = ? ORDER BY wq.position",
        (window_id,),
    ).fetchall()
    rows = []
    for qid, _, _ in queues:
        for cond in (
            "t.queue_id = ? AND t.priority IN ('elderly', 'disabled', 'pregnant', 'military', 'appointment', "
            "'referral') AND t.target_window IS NULL",
            "t.queue_id = ? AND t.priority = 'none' AND t.target_window IS NULL",
        ):
            row = con.execute(FRONT.format(cond), (day, qid)).fetchone()
            if row:
                rows.append(row)
    row = con.execute(FRONT.format("t.target_window = ?"), (day, number)).fetchone()
    if row:
        rows.append(row)
    if not rows:
        con.execute("COMMIT")
        return False
    pick = min(rows, key=lambda r: (r[2] == "none", r[4], r[0]))
    con.execute(
        "UPDATE ticket SET status = 'called', window_number = ?, staff_id = ?, called_at = ?, recalls = 0 "
        "WHERE id = ? AND status = 'waiting'",
        (number, staff_id, now, pick[0]),
    )
    con.execute(
        "UPDATE window_state SET current_ticket_id = ?, normals_since_priority = 0 WHERE window_id = ?",
        (pick[0], window_id),
    )
    con.execute(
        "INSERT INTO event (at, staff_id, window_number, kind, subject, payload) VALUES (?,?,?,?,?,?)",
        (now, staff_id, number, "ticket.called", pick[1], "{}"),
    )
    con.execute("COMMIT")
    con.execute("BEGIN IMMEDIATE")
    con.execute(
        "SELECT w.id, s.* FROM window w JOIN window_state s ON s.window_id = w.id WHERE w.number = ?", (number,)
    ).fetchone()
    con.execute(
        "SELECT t.*, q.prefix, q.name, i.code, i.name FROM ticket t JOIN queue q ON q.id = t.queue_id "
        "LEFT JOIN service_item i ON i.id = t.item_id WHERE t.business_date = ? AND t.number = ?",
        (day, pick[1]),
    ).fetchone()
    con.execute("UPDATE ticket SET status = 'done', finished_at = ?, started_at = ? WHERE id = ?", (now, now, pick[0]))
    con.execute("UPDATE window_state SET current_ticket_id = NULL WHERE window_id = ?", (window_id,))
    con.execute(
        "INSERT INTO event (at, staff_id, window_number, kind, subject, payload) VALUES (?,?,?,?,?,?)",
        (now, staff_id, number, "ticket.finished", pick[1], "{}"),
    )
    con.execute("COMMIT")
    return True


def side_by_side(db: str, calls: int) -> None:
    from clerk_tui.services import queue as q
    from clerk_tui.services.context import Actor
    from clerk_tui.store.engine import make_engine

    engine = make_engine(db)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA foreign_keys=ON")
    (hall_id,) = con.execute("SELECT id FROM hall WHERE parent_id IS NULL").fetchone()
    (_qa,) = con.execute("SELECT id FROM queue WHERE prefix = 'A'").fetchone()
    (qb,) = con.execute("SELECT id FROM queue WHERE prefix = 'B'").fetchone()
    (staff_id,) = con.execute("SELECT id FROM staff WHERE number = '0001'").fetchone()
    clerk = Actor(staff_id, "0001", "员", "clerk", None, 1)
    q.open_window(engine, clerk, 1)  # window 1 serves B then C
    (w1,) = con.execute("SELECT id FROM window WHERE number = 1").fetchone()
    queue_ids = [
        r[0] for r in con.execute("SELECT queue_id FROM window_queue WHERE window_id = ? ORDER BY position", (w1,))
    ]

    svc_issue, raw_issue, svc_call, raw_call = [], [], [], []
    for _i in range(calls):
        t0 = time.perf_counter()
        q.issue_ticket(engine, clerk, queue="B")
        svc_issue.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        bare_issue(con, hall_id, qb, "B", staff_id)
        raw_issue.append(time.perf_counter() - t0)
    for _i in range(calls):
        t0 = time.perf_counter()
        r = q.call_next(engine, clerk, 1)
        q.finish_service(engine, clerk, r.ticket.number, 1)
        svc_call.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        bare_call(con, w1, 1, queue_ids, staff_id)
        raw_call.append(time.perf_counter() - t0)
    for label, svc, raw in (("issue", svc_issue, raw_issue), ("call + finish", svc_call, raw_call)):
        ratio = statistics.median(svc) / statistics.median(raw)
        print(
            f"{label:<14} service p50 {statistics.median(svc) * 1000:6.2f} ms  p99 {pct(svc, 99) * 1000:6.2f} ms | "
            f"bare sqlite3 p50 {statistics.median(raw) * 1000:6.2f} ms  p99 {pct(raw, 99) * 1000:6.2f} ms | "
            f"ratio {ratio:4.1f}x  goal <= 3x: {'met' if ratio <= 3 else 'MISSED'}"
        )
    engine.dispose()


# --------------------------------------------------------------------------- 45 windows


def _window_loop(db, actor, window, start_evt, stop_at, out, ready, combined=False):
    from clerk_tui.services.queue import call_next, finish_and_call_next, finish_service, window_panel
    from clerk_tui.store.engine import make_engine

    engine = make_engine(db)
    window_panel(engine, window)  # warm: imported, connected, statements compiled
    ready.put(window)
    start_evt.wait()
    called, errors, waits = [], 0, []
    while time.time() < stop_at.value:
        try:
            t0 = time.perf_counter()
            if combined:  # 下一位: finish the ticket in hand and call the next in one transaction
                r = finish_and_call_next(engine, actor, window).call
                waits.append(time.perf_counter() - t0)
                if r.ticket is None:
                    time.sleep(0.002)
                else:
                    called.append(r.ticket.number)
                continue
            r = call_next(engine, actor, window)
            waits.append(time.perf_counter() - t0)
            if r.ticket is None:
                time.sleep(0.002)
                continue
            t0 = time.perf_counter()
            finish_service(engine, actor, r.ticket.number, window)
            waits.append(time.perf_counter() - t0)
            called.append(r.ticket.number)
        except Exception as exc:
            errors += 1
            print(f"window {window}: {type(exc).__name__}: {exc}", file=sys.stderr)
    out.put((called, errors, waits))
    engine.dispose()


def many_windows(db: str, windows: int, seconds: float, waiting: int, combined: bool = False) -> None:
    from clerk_tui.services.context import Actor
    from clerk_tui.services.queue import open_window
    from clerk_tui.store.engine import make_engine

    engine = make_engine(db)
    con = sqlite3.connect(db)
    staff = {int(n): i for i, n in con.execute("SELECT id, number FROM staff WHERE role = 'clerk'")}
    (hall_id,) = con.execute("SELECT id FROM hall WHERE parent_id IS NULL").fetchone()
    queues = list(con.execute("SELECT id, prefix FROM queue"))
    con.close()
    actors = {n: Actor(staff[n], f"{n:04d}", "员", "clerk", None, n) for n in range(1, windows + 1)}
    for n, a in actors.items():
        if n != 1:
            open_window(engine, a, n)
    # Pre-issue the tickets through sqlite3 so that the run measures calling alone.
    con = sqlite3.connect(db, isolation_level=None)
    for i in range(waiting):
        qid, prefix = queues[i % len(queues)]
        bare_issue(con, hall_id, qid, prefix, staff[1])
    con.close()
    ctx = mp.get_context("spawn")
    start_evt, out, ready = ctx.Event(), ctx.Queue(), ctx.Queue()
    stop_at = ctx.Value("d", 0.0)
    procs = [
        ctx.Process(target=_window_loop, args=(db, a, n, start_evt, stop_at, out, ready, combined), daemon=True)
        for n, a in actors.items()
    ]
    for p in procs:
        p.start()
    for _ in procs:  # every process imported and connected: long-lived windows, as consoles are
        ready.get(timeout=600)
    stop_at.value = time.time() + seconds
    start_evt.set()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    called = [n for nums, _, _ in results for n in nums]
    errors = sum(e for _, e, _ in results)
    waits = [w for _, _, ws in results for w in ws]
    rate = len(called) / seconds
    how = "F3 下一位 (finish + call, one transaction)" if combined else "F9 finish, then F5 call"
    print(
        f"{windows} window processes, {how}, {seconds:.0f} s: {len(called)} calls = {rate:.0f} calls/s "
        f"(goal >= 200: {'met' if rate >= 200 else 'MISSED'}); errors shown: {errors}; "
        f"called twice: {len(called) - len(set(called))}"
    )
    print(
        f"  what a clerk waits for one key (every window pressing it non-stop): p50 {pct(waits, 50) * 1000:.0f} ms, "
        f"p99 {pct(waits, 99) * 1000:.0f} ms, longest {max(waits) * 1000:.0f} ms"
    )


# --------------------------------------------------------------------------- logins beside the hall


def _issuer(db, actor, start_evt, stop_at, out, ready):
    from clerk_tui.services.queue import issue_ticket
    from clerk_tui.store.engine import make_engine

    engine = make_engine(db)
    issue_ticket(engine, actor, queue="A")  # warm
    ready.put("issuer")
    start_evt.wait()
    waits = []
    while time.time() < stop_at.value:
        t0 = time.perf_counter()
        issue_ticket(engine, actor, queue="A")
        waits.append(time.perf_counter() - t0)
        time.sleep(0.05)
    out.put(("issuer", waits))
    engine.dispose()


def _logger_in(db, start_evt, stop_at, out, ready):
    from clerk_tui.services.staff import login
    from clerk_tui.store.engine import make_engine

    engine = make_engine(db)
    login(engine, "0002", "1111")  # warm
    ready.put("login")
    start_evt.wait()
    waits = []
    while time.time() < stop_at.value:
        t0 = time.perf_counter()
        login(engine, "0002", "1111")
        waits.append(time.perf_counter() - t0)
    out.put(("login", waits))
    engine.dispose()


def login_stall(db: str, seconds: float) -> None:
    from clerk_tui.services.context import Actor

    con = sqlite3.connect(db)
    (staff_id,) = con.execute("SELECT id FROM staff WHERE number = '0001'").fetchone()
    con.close()
    actor = Actor(staff_id, "0001", "员", "clerk", None, 1)
    ctx = mp.get_context("spawn")
    for with_logins in (False, True):
        start_evt, out, ready = ctx.Event(), ctx.Queue(), ctx.Queue()
        stop_at = ctx.Value("d", 0.0)
        procs = [ctx.Process(target=_issuer, args=(db, actor, start_evt, stop_at, out, ready), daemon=True)]
        if with_logins:
            procs.append(ctx.Process(target=_logger_in, args=(db, start_evt, stop_at, out, ready), daemon=True))
        for p in procs:
            p.start()
        for _ in procs:
            ready.get(timeout=600)
        stop_at.value = time.time() + seconds
        start_evt.set()
        results = dict(out.get(timeout=seconds + 120) for _ in procs)
        for p in procs:
            p.join(timeout=30)
        issue = results["issuer"]
        line = (
            f"issue a ticket every 50 ms, {'while another terminal logs in non-stop' if with_logins else 'alone':40}: "
            f"p50 {statistics.median(issue) * 1000:6.1f} ms  p99 {pct(issue, 99) * 1000:6.1f} ms  "
            f"longest {max(issue) * 1000:6.1f} ms"
        )
        if with_logins:
            logins = results["login"]
            line += f"  ({len(logins)} logins, each p50 {statistics.median(logins) * 1000:.0f} ms)"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=900_000)
    parser.add_argument("--windows", type=int, default=45)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--login-only", action="store_true", help="only the logins-beside-the-hall part")
    args = parser.parse_args()
    if args.login_only:
        args.tickets = min(args.tickets, 20_000)
    os.environ["CLERK_TUI_NOW"] = f"{TODAY.isoformat()}T10:00:00"
    from clerk_tui.domain.pins import hash_pin
    from clerk_tui.services.setup import init_database
    from clerk_tui.services.staff import create_staff
    from clerk_tui.store.engine import make_engine, write_session

    with tempfile.TemporaryDirectory() as tmp:
        cat = Path(tmp) / "hall.toml"
        hall_catalog(cat, args.windows)
        db = str(Path(tmp) / "year.db")
        engine = make_engine(db)
        os.environ.setdefault("CLERK_TUI_KEY_FILE", str(Path(tmp) / "pin.key"))
        init_database(engine, catalog=cat, admin_pin="2468", demo=True)  # easy PINs
        pin = hash_pin("1111")
        with write_session(engine) as s:
            for n in range(1, args.windows + 1):
                create_staff(s, f"{n:04d}", f"员{n}", "clerk", "1111", pin_hash=pin)
        engine.dispose()
        t0 = time.perf_counter()
        backfill_year(db, args.tickets)
        print(
            f"backfilled {args.tickets:,} tickets of the past year in {time.perf_counter() - t0:.1f} s "
            f"({os.path.getsize(db) / 2**20:.0f} MiB)"
        )
        login_stall(db, min(args.seconds, 10))
        if args.login_only:
            return
        side_by_side(db, args.calls)
        many_windows(db, args.windows, args.seconds, waiting=int(args.seconds * 400))
        many_windows(db, args.windows, args.seconds, waiting=int(args.seconds * 400), combined=True)


if __name__ == "__main__":
    main()
