"""Backup and restore (issue 15, part 6) and the PostgreSQL timeouts (part 5)."""

from __future__ import annotations

import multiprocessing as mp
import os
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from clerk_tui.services.errors import ServiceError, person_error
from clerk_tui.services.staff import add_staff, login

ADMIN_PIN = "2468"


def _counts(path: Path) -> tuple[int, int, str]:
    conn = sqlite3.connect(path)
    try:
        tickets = conn.execute("SELECT count(*) FROM ticket").fetchone()[0]
        events = conn.execute("SELECT count(*) FROM event").fetchone()[0]
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    return tickets, events, ok


def _writer(url: str, actor, started, stop, out) -> None:
    """Another terminal issuing tickets as fast as it can until told to stop."""
    from clerk_tui.services.queue import issue_ticket
    from clerk_tui.store.engine import make_engine

    engine = make_engine(url)
    issued = 0
    while not stop.is_set():
        issue_ticket(engine, actor, queue="A")
        issued += 1
        if issued == 5:
            started.set()
    engine.dispose()
    out.put(issued)


def test_a_backup_taken_while_another_process_writes_restores_into_a_new_file(sqlite_hall, tmp_path):
    from clerk_tui.services.backup import backup, check_file, restore

    admin = login(sqlite_hall, "admin", ADMIN_PIN)
    add_staff(sqlite_hall, admin, "8001", "林晓燕", "guide", "1111")
    guide = login(sqlite_hall, "8001", "1111")  # issues the tickets: the administrator issues none (三员分立)
    url = str(sqlite_hall.url.database)
    started, stop, out = mp.Event(), mp.Event(), mp.Queue()
    writer = mp.Process(target=_writer, args=(url, guide, started, stop, out))
    writer.start()
    try:
        assert started.wait(60), "the writer never issued a ticket"
        made = backup(sqlite_hall, admin)
        backup_two = backup(sqlite_hall, admin, tmp_path / "second.db")
    finally:
        stop.set()
        issued = out.get(timeout=60)
        writer.join(60)
    assert writer.exitcode == 0
    live_tickets, _, live_ok = _counts(Path(url))
    assert live_ok == "ok" and live_tickets == issued  # the writer was never held up into failing
    assert made.path.parent == Path(url).parent / "backups" and made.path.name.startswith("hall-")
    copied_tickets, copied_events, copied_ok = _counts(made.path)
    assert copied_ok == "ok" and 5 <= copied_tickets <= backup_two.contents.tickets <= issued
    assert made.contents.tickets == copied_tickets
    assert not list(made.path.parent.glob("*.partial")) and not Path(str(made.path) + "-wal").exists()
    assert check_file(made.path).tickets == copied_tickets

    restored_at = tmp_path / "restored" / "hall.db"
    done = restore(made.path, restored_at, lambda engine: login(engine, "admin", ADMIN_PIN))
    assert done.replaced is None and done.restored.tickets == copied_tickets
    tickets, events, ok = _counts(restored_at)
    # the copy's events, plus the administrator's login and the restore itself, written in the copy
    assert (ok, tickets, events) == ("ok", copied_tickets, copied_events + 2)
    assert login_event_kinds(restored_at)[-2:] == ["staff.login", "db.restore"]
    assert not [p for p in restored_at.parent.iterdir() if p.name != "hall.db"]  # nothing left beside it


def login_event_kinds(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT kind FROM event ORDER BY id")]
    finally:
        conn.close()


def test_backups_are_owner_only_whatever_the_umask(sqlite_hall, tmp_path):
    from clerk_tui.services.backup import backup, restore

    admin = login(sqlite_hall, "admin", ADMIN_PIN)
    old = os.umask(0)
    try:
        made = backup(sqlite_hall, admin, tmp_path / "open" / "copy.db")
        done = restore(made.path, tmp_path / "new.db", lambda engine: login(engine, "admin", ADMIN_PIN))
    finally:
        os.umask(old)
    assert made.path.stat().st_mode & 0o777 == 0o600
    assert done.target.stat().st_mode & 0o777 == 0o600
    assert made.path.parent.stat().st_mode & 0o077 == 0  # the folder it made is the owner's alone


def test_a_backup_never_overwrites_a_file_and_a_clerk_may_not_make_one(sqlite_hall, tmp_path):
    from clerk_tui.services.backup import backup

    admin = login(sqlite_hall, "admin", ADMIN_PIN)
    add_staff(sqlite_hall, admin, "1003", "王敏", "clerk", "3333")
    add_staff(sqlite_hall, admin, "9001", "郑国强", "supervisor", "9999")
    with pytest.raises(ServiceError, match="无权"):
        backup(sqlite_hall, login(sqlite_hall, "1003", "3333"), tmp_path / "c.db")
    assert not (tmp_path / "c.db").exists()
    backup(sqlite_hall, login(sqlite_hall, "9001", "9999"), tmp_path / "s.db")
    with pytest.raises(ServiceError, match="已存在"):
        backup(sqlite_hall, admin, tmp_path / "s.db")


def test_restore_over_a_live_hall_is_refused_without_its_name_and_saves_it_first(sqlite_hall, tmp_path):
    from clerk_tui.services.backup import ReplaceRefused, backup, restore
    from clerk_tui.services.queue import issue_ticket

    admin = login(sqlite_hall, "admin", ADMIN_PIN)
    add_staff(sqlite_hall, admin, "8001", "林晓燕", "guide", "1111")
    guide = login(sqlite_hall, "8001", "1111")
    made = backup(sqlite_hall, admin, tmp_path / "morning.db")
    for _ in range(3):
        issue_ticket(sqlite_hall, guide, queue="A")
    live = Path(str(sqlite_hall.url.database))
    sqlite_hall.dispose()
    before = _counts(live)

    def who(engine):
        return login(engine, "admin", ADMIN_PIN)

    for confirm in (None, "别的大厅"):
        with pytest.raises(ReplaceRefused) as refused:
            restore(made.path, live, who, confirm=confirm)
        assert "测试县政务服务中心" in refused.value.message and "取号 3 个" in refused.value.message
    assert _counts(live)[0] == before[0] == 3  # nothing replaced

    add_staff(sqlite_hall, admin, "7001", "赵六", "supervisor", "7777")
    with pytest.raises(ServiceError, match="无权"):  # a supervisor may back up, not restore
        restore(made.path, live, lambda engine: login(engine, "7001", "7777"), confirm="测试县政务服务中心")

    done = restore(made.path, live, who, confirm="测试县政务服务中心")
    assert done.replaced is not None and done.replaced.tickets == 3 and done.safety_copy is not None
    assert _counts(done.safety_copy)[0] == 3  # the replaced hall was kept
    tickets, _, ok = _counts(live)
    assert (tickets, ok) == (0, "ok")
    assert login_event_kinds(live)[-1] == "db.restore"
    assert login(sqlite_hall, "admin", ADMIN_PIN).role == "admin"  # the engine in use keeps working


def test_restore_checks_the_file_first(sqlite_hall, tmp_path):
    from clerk_tui.services.backup import backup, restore

    admin = login(sqlite_hall, "admin", ADMIN_PIN)
    not_db = tmp_path / "notes.txt"
    not_db.write_text("不是数据库", encoding="utf-8")
    target = tmp_path / "target.db"
    with pytest.raises(ServiceError, match="不是 clerk-tui 的 SQLite 备份文件"):
        restore(not_db, target, lambda engine: login(engine, "admin", ADMIN_PIN))
    made = backup(sqlite_hall, admin, tmp_path / "newer.db")
    conn = sqlite3.connect(made.path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    with pytest.raises(ServiceError, match="比本程序新"):
        restore(made.path, target, lambda engine: login(engine, "admin", ADMIN_PIN))
    torn = tmp_path / "torn.db"
    torn.write_bytes(backup(sqlite_hall, admin, tmp_path / "whole.db").path.read_bytes()[: 4096 * 3])
    with pytest.raises(ServiceError):
        restore(torn, target, lambda engine: login(engine, "admin", ADMIN_PIN))
    assert not target.exists()


def test_the_daily_backup_is_made_once_after_the_close_and_keeps_n(sqlite_hall, tmp_path, now):
    from clerk_tui.services.backup import daily_backup, last_backup

    admin = login(sqlite_hall, "admin", ADMIN_PIN)
    folder = tmp_path / "daily"

    def run(moment: str) -> str:
        now(moment)
        return daily_backup(sqlite_hall, admin, folder=str(folder), keep=2, backup_at="18:00")

    assert run("2026-11-23T09:00:00") == "上次备份 11-23 09:00"  # never backed up: made at once
    assert run("2026-11-23T12:00:00") == "上次备份 11-23 09:00"  # made since the last close
    assert run("2026-11-23T18:05:00") == "上次备份 11-23 18:05"  # the close passed
    assert run("2026-11-23T18:30:00") == "上次备份 11-23 18:05"
    run("2026-11-24T18:01:00")
    run("2026-11-26T08:00:00")  # the 25th's close was missed: made the next morning
    kept = sorted(p.name for p in folder.iterdir())
    assert kept == ["daily-20261124-180100.db", "daily-20261126-080000.db"]
    assert last_backup(sqlite_hall)[1].endswith("daily-20261126-080000.db")
    kinds = login_event_kinds(Path(str(sqlite_hall.url.database)))
    assert kinds.count("db.backup") == kinds.count("db.backup_started") == 4


def test_only_one_terminal_makes_the_daily_backup(sqlite_hall, tmp_path, now):
    from clerk_tui.services import backup as bk

    admin = login(sqlite_hall, "admin", ADMIN_PIN)
    now("2026-11-26T18:30:00")
    since = bk.due_since(bk.clock.now(), "18:00")
    assert bk._claim(sqlite_hall, admin, since) is True
    assert bk._claim(sqlite_hall, admin, since) is False  # another terminal is making it
    now("2026-11-26T19:31:00")
    assert bk._claim(sqlite_hall, admin, since) is True  # that terminal died an hour ago: taken over
    assert bk.daily_backup(sqlite_hall, admin, folder=str(tmp_path / "d"), keep=0) == "尚未备份"  # 0: off


def test_on_postgresql_backup_says_the_pg_dump_command(pg_url, tmp_path):
    from clerk_tui.services.backup import backup, pg_dump_command
    from clerk_tui.services.setup import init_database
    from clerk_tui.store.engine import make_engine
    from tests.conftest import MINI_HALL

    engine = make_engine(pg_url)
    try:
        init_database(engine, catalog=MINI_HALL, admin_pin=ADMIN_PIN, demo=True)  # the tests' easy PINs
        admin = login(engine, "admin", ADMIN_PIN)
        with pytest.raises(ServiceError, match="pg_dump"):
            backup(engine, admin, tmp_path / "x.db")
        command = pg_dump_command(engine, admin, "hall.dump")
    finally:
        engine.dispose()
    import re

    schema = re.search(r"search_path(?:%3D|=)(t_[0-9a-f]+)", pg_url).group(1)
    assert command.startswith("pg_dump -h 127.0.0.1 -p 5432 ")
    assert f"-n {schema}" in command and command.endswith("-Fc -f hall.dump")


def test_the_cli_backs_up_and_prints_pg_dump_without_the_password(sqlite_hall, tmp_path):
    env = os.environ | {
        "CLERK_TUI_CONFIG": os.devnull,
        "CLERK_TUI_DB": str(sqlite_hall.url.database),
        "CLERK_TUI_STAFF": "admin",
        "CLERK_TUI_PIN": ADMIN_PIN,
    }
    cli = [sys.executable, "-m", "clerk_tui"]
    made = subprocess.run([*cli, "db", "backup", str(tmp_path / "b.db")], capture_output=True, text=True, env=env)
    assert made.returncode == 0 and "已备份到" in made.stdout, made.stderr
    url = "postgresql://clerk:s3cret@db.example:5433/hall"
    shown = subprocess.run([*cli, "--db", url, "db", "restore", "hall.dump"], capture_output=True, text=True, env=env)
    assert shown.returncode == 0 and "pg_restore -h db.example -p 5433 -U clerk -d hall" in shown.stdout
    assert "s3cret" not in shown.stdout + shown.stderr
    refused = subprocess.run(
        [*cli, "db", "restore", str(tmp_path / "b.db")],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert refused.returncode == 1 and "--replace" in refused.stderr and len(refused.stderr.splitlines()) == 1


# ---------------------------------------------------------------- PostgreSQL timeouts


def test_the_timeouts_keep_the_urls_own_options(monkeypatch):
    from clerk_tui.store.engine import _env_timeouts, normalise_url, pg_connect_args

    monkeypatch.setenv("CLERK_TUI_PG_STATEMENT_TIMEOUT", "600")  # a script's long statements
    monkeypatch.setenv("CLERK_TUI_PG_CONNECT_TIMEOUT", "soon")  # not a number: the default
    assert _env_timeouts() == (5, 600)

    url = normalise_url("postgresql://127.0.0.1/test?options=-csearch_path%3Dt_1")
    args = pg_connect_args(url, 5, 30)
    assert args == {"connect_timeout": 5, "options": "-c statement_timeout=30000 -csearch_path=t_1"}


def test_a_statement_over_the_timeout_is_cancelled_with_words(pg_url):
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from clerk_tui.store.engine import make_engine

    engine = make_engine(pg_url, pg_timeouts=(5, 1))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "1s"
            assert conn.execute(text("SHOW search_path")).scalar().startswith("t_")  # the fixture's own
        with pytest.raises(OperationalError) as err, engine.connect() as conn:
            conn.execute(text("SELECT pg_sleep(3)"))
    finally:
        engine.dispose()
    assert "pg_statement_timeout" in (person_error(err.value) or "")


def test_a_silent_postgresql_server_gives_one_line_and_exit_1(silent_server):
    """A server that accepts the connection and never answers (the CLI used to hang 131 s)."""
    url, held = silent_server
    env = os.environ | {"CLERK_TUI_CONFIG": os.devnull, "CLERK_TUI_PG_CONNECT_TIMEOUT": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "clerk_tui", "--db", url, "db", "check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,  # a hang fails the test instead of holding the suite
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [result.stderr.strip()] and "pg_connect_timeout" in result.stderr
    assert held  # the server really was reached


def test_the_timeouts_come_from_the_settings_file_and_the_environment(tmp_path, monkeypatch):
    from clerk_tui.settings import SettingsError, load_settings

    config = tmp_path / "s.toml"
    config.write_text('pg_connect_timeout = 3\nbackup_keep = 7\nbackup_at = "17:30"\n', encoding="utf-8")
    monkeypatch.setenv("CLERK_TUI_PG_STATEMENT_TIMEOUT", "12")
    settings = load_settings(config)
    assert settings.pg_timeouts == (3, 12) and settings.backup_keep == 7 and settings.backup_at == "17:30"
    monkeypatch.setenv("CLERK_TUI_PG_STATEMENT_TIMEOUT", "0")
    with pytest.raises(SettingsError, match="CLERK_TUI_PG_STATEMENT_TIMEOUT"):
        load_settings(config)
    monkeypatch.delenv("CLERK_TUI_PG_STATEMENT_TIMEOUT")
    config.write_text('backup_at = "25:00"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="backup_at"):
        load_settings(config)


# ---------------------------------------------------------------- the screens


@pytest.fixture
def silent_server():
    """A local socket that accepts connections and never answers (a hung PostgreSQL)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"postgresql+psycopg://127.0.0.1:{server.getsockname()[1]}/x", held
    server.close()
    for conn in held:
        conn.close()


async def test_the_login_screen_says_a_silent_server_did_not_answer(silent_server, tmp_path, monkeypatch):
    from textual.widgets import Static

    from clerk_tui.settings import Settings
    from clerk_tui.ui.app import make_app
    from tests.test_ui import wait_for

    monkeypatch.setattr(Settings, "state_dir", property(lambda self: tmp_path / "state"))
    url, held = silent_server
    app = make_app(Settings(database=url, pg_connect_timeout=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.store_problem is not None, tries=400)
        shown = str(app.screen.query_one("#login-error", Static).render())
    assert "pg_connect_timeout" in shown and "无法访问数据库" in shown
    assert held


async def test_the_supervisor_screen_makes_the_daily_backup_and_says_when(sqlite_hall, tmp_path, monkeypatch, now):
    from clerk_tui.settings import Settings
    from clerk_tui.ui.app import make_app
    from tests.test_ui import log_in, wait_for

    monkeypatch.setattr(Settings, "state_dir", property(lambda self: tmp_path / "state"))
    admin = login(sqlite_hall, "admin", ADMIN_PIN)
    add_staff(sqlite_hall, admin, "9001", "郑国强", "supervisor", "9999")
    now("2026-11-26T18:20:00")
    folder = tmp_path / "kept"
    settings = Settings(database=str(sqlite_hall.url.database), backup_dir=str(folder), backup_at="18:00")
    app = make_app(settings, sqlite_hall)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "9001", "9999")
        await wait_for(pilot, lambda: "上次备份 11-26 18:20" in str(app.screen.query_one("#sup-summary").render()))
    assert [p.name for p in folder.iterdir()] == ["daily-20261126-182000.db"]
