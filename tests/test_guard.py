"""Destructive commands guarded (init --force, demo) and the hall's files owner-only (issue 14,
parts 2 and 5)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from clerk_tui.services import cases as cs
from clerk_tui.services import queue as q
from clerk_tui.services.contents import hall_contents
from clerk_tui.services.context import Actor
from clerk_tui.services.errors import PermissionDenied, ServiceError
from clerk_tui.services.staff import login
from tests.conftest import ADMIN_PIN, MINI_HALL, copy_mini_hall, ready_staff, run_cli, unmark_demo

FOOD = "000112002000"
FOOD_ALL = ["食品经营许可申请书", "营业执照复印件"]
CLERK_PIN = "415926"


def _busy(hall, admin) -> Actor:
    """A hall with a case, a ticket and their events: something to lose."""
    clerk = ready_staff(hall, admin, "1001", "李强", "clerk", CLERK_PIN, window=3, department="县市场监督管理局")
    q.issue_ticket(hall, clerk, item_code=FOOD)  # the administrator issues nothing (三员分立)
    cs.intake(
        hall,
        clerk,
        cs.IntakeRequest(
            FOOD,
            cs.Applicant("person", "张三", "11010519491231002X", "13800138000"),
            "accept",
            materials_received=FOOD_ALL,
        ),
    )
    return clerk


def _counts(engine) -> tuple[int, int, int, int]:
    c = hall_contents(engine)
    assert c is not None
    return c.halls, c.cases, c.events, c.tickets


# ---------------------------------------------------------------- the services (SQLite and PostgreSQL)


def test_init_force_over_a_hall_needs_its_administrator(hall, admin, now):
    from clerk_tui.services.setup import init_database

    clerk = _busy(hall, admin)
    before = _counts(hall)
    assert before[1] == 1 and before[3] == 1 and before[2] > 3
    for who in (None, clerk):
        with pytest.raises(PermissionDenied):
            init_database(hall, catalog=MINI_HALL, force=True, admin_pin="975318", actor=who)
    with pytest.raises(ServiceError, match="--force"):
        init_database(hall, catalog=MINI_HALL, admin_pin="975318", actor=admin)
    assert _counts(hall) == before  # refused: nothing erased
    assert login(hall, "admin", ADMIN_PIN).number == "admin"  # and the admin's PIN unchanged
    logged = _counts(hall)[2]  # the login above is one event more

    result = init_database(hall, catalog=MINI_HALL, force=True, admin_pin="975318", actor=admin)
    assert result.erased is not None
    assert (result.erased.halls, result.erased.cases, result.erased.tickets) == (2, 1, 1)
    assert result.erased.events == logged
    after = hall_contents(hall)
    assert after is not None and (after.cases, after.tickets) == (0, 0)
    login(hall, "admin", "975318")


def test_demo_over_a_hall_is_refused_naming_it_and_leaves_it_whole(hall, admin, db_url, now):
    from clerk_tui.services.marks import is_demo
    from clerk_tui.services.setup import build_demo

    _busy(hall, admin)
    unmark_demo(hall)  # the mini hall is marked as a demo for its easy PINs: here it is a real hall
    before = _counts(hall)
    with pytest.raises(ServiceError, match="不是演示库") as refused:
        build_demo(hall)
    name = db_url if "://" not in db_url else hall.url.render_as_string(hide_password=True)
    assert name in str(refused.value)
    assert _counts(hall) == before and not is_demo(hall)
    login(hall, "admin", ADMIN_PIN)  # the PINs are not 123456 now


def test_demo_refuses_a_database_of_other_tables(tmp_path):
    from sqlalchemy import text

    from clerk_tui.services.setup import build_demo
    from clerk_tui.store.engine import make_engine

    engine = make_engine(str(tmp_path / "other.db"))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE ledger (x INTEGER)"))
        conn.execute(text("INSERT INTO ledger VALUES (1)"))
    with pytest.raises(ServiceError, match="不是演示库"):
        build_demo(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM ledger")).scalar() == 1
    engine.dispose()


def test_demo_rebuilds_a_database_marked_as_a_demo(sqlite_hall, monkeypatch, now):
    """A database marked as a demo is the demo's to rebuild. The guard reads the mark only: the
    mini hall marked stands in for an older demo, and the demo's morning is left out (test_demo.py
    builds whole demos), so this test costs an init, not two demos."""
    from clerk_tui.services import marks
    from clerk_tui.services import setup as demo
    from clerk_tui.services.tx import transaction

    parts = ("demo_last_month", "demo_morning", "demo_cases", "demo_printing", "demo_responsibility", "demo_ratings")
    for part in (*parts, "demo_modes"):
        monkeypatch.setattr(demo, part, lambda engine: None)
    monkeypatch.setattr(demo.duty, "demo_duty", lambda engine, *actors: None)
    _busy(sqlite_hall, login(sqlite_hall, "admin", ADMIN_PIN))
    transaction(sqlite_hall, marks.mark_demo)
    demo.build_demo(sqlite_hall)
    assert marks.is_demo(sqlite_hall)
    assert login(sqlite_hall, "admin", "123456").number == "admin"
    c = hall_contents(sqlite_hall)
    assert c is not None and c.code != "TS" and c.cases == 0  # the demo county's hall, built anew


# ---------------------------------------------------------------- the CLI


@pytest.fixture
def run(monkeypatch, capsys):
    return lambda *args, env=None, typed=None: run_cli(monkeypatch, capsys, args, env, typed=typed)


@pytest.fixture
def cli_hall(tmp_path, monkeypatch, mini_hall_file, now):
    """A hall file with a case and a ticket, CLERK_TUI_DB pointing at it."""
    from clerk_tui.store.engine import make_engine

    path = tmp_path / "hall.db"
    copy_mini_hall(mini_hall_file, path)
    os.chmod(path, 0o600)  # copied by the test, not made by the program: as init leaves it
    monkeypatch.setenv("CLERK_TUI_DB", str(path))
    engine = make_engine(str(path))
    _busy(engine, login(engine, "admin", ADMIN_PIN))
    unmark_demo(engine)  # a real hall, not the demo the mini hall is marked as for its easy PINs
    monkeypatch.delenv("CLERK_TUI_NOW")  # a real hall keeps the machine's time (only a demo's is set)
    yield engine, path
    engine.dispose()


ADMIN = {"CLERK_TUI_STAFF": "admin", "CLERK_TUI_PIN": ADMIN_PIN}


def test_cli_init_force_is_refused_without_admin_or_confirmation(cli_hall, run):
    engine, _path = cli_hall
    before = _counts(engine)
    attempts = [
        ({"CLERK_TUI_NEW_PIN": "424242"}, None, "系统管理员"),  # the attack of issue 14: no login
        ({**ADMIN, "CLERK_TUI_PIN": "000000"}, None, "PIN"),  # a wrong PIN
        ({"CLERK_TUI_STAFF": "1001", "CLERK_TUI_PIN": CLERK_PIN}, None, "无权"),  # not the administrator
        (ADMIN, None, "--yes"),  # no terminal to confirm at, no --yes
        (ADMIN, "YX", "输入不符"),  # another hall's code typed
    ]
    for env, typed, said in attempts:
        code, _, err = run("init", "--force", "--catalog", str(MINI_HALL), env=env, typed=typed)
        assert code == 1 and said in err, (env, typed, err)
    after = _counts(engine)  # nothing erased; the logins tried are events more
    assert (after[0], after[1], after[3]) == (before[0], before[1], before[3]) and after[2] >= before[2]
    assert login(engine, "admin", ADMIN_PIN).number == "admin"


def test_cli_init_force_by_the_administrator_says_what_it_erased(cli_hall, run):
    engine, path = cli_hall
    code, out, err = run(
        "init", "--force", "--yes", "--catalog", str(MINI_HALL), env={**ADMIN, "CLERK_TUI_NEW_PIN": "975318"}
    )
    assert code == 0, err
    assert f"将清空数据库 {path}：大厅 2 个（TS）、办件 1 件" in err
    assert "已清空：大厅 2 个（TS）、办件 1 件" in out and "号票 1 张" in out
    assert _counts(engine)[1:4:2] == (0, 0)
    # At a terminal: the hall's code typed is the confirmation.
    code, out, err = run(
        "init",
        "--force",
        "--catalog",
        str(MINI_HALL),
        env={"CLERK_TUI_STAFF": "admin", "CLERK_TUI_PIN": "975318"},
        typed="TS",
    )
    assert code == 0 and "已清空" in out, err


def test_cli_demo_over_a_hall_is_refused_and_the_hall_intact(cli_hall, run):
    engine, path = cli_hall
    before = _counts(engine)
    code, _out, err = run("demo", "--no-tui")
    assert code == 1 and str(path) in err and "不是演示库" in err
    assert _counts(engine) == before
    assert login(engine, "1001", CLERK_PIN).number == "1001"  # no PIN became 123456


def test_init_on_a_new_database_needs_no_login(tmp_path, run, monkeypatch):
    monkeypatch.setenv("CLERK_TUI_DB", str(tmp_path / "new.db"))
    code, out, err = run("init", "--force", "--catalog", str(MINI_HALL), env={"CLERK_TUI_NEW_PIN": "975318"})
    assert code == 0 and "已清空" not in out, err


def test_db_check_warns_about_a_database_others_can_read(cli_hall, run):
    _, path = cli_hall
    code, _, err = run("db", "check")
    assert code == 0 and "警告" not in err
    os.chmod(path, 0o644)
    code, _out, err = run("db", "check")
    assert code == 0 and f"{path} 的权限为 0644" in err and f"chmod 600 {path}" in err


# ---------------------------------------------------------------- file modes, whatever the umask


@pytest.fixture(params=[0o022, 0o000], ids=["umask022", "umask000"])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def _mode(path: str | Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_hall_files_are_owner_only(umask, tmp_path, now):
    from clerk_tui.services import printing as pr
    from clerk_tui.services import reports
    from clerk_tui.services.files import write_atomic
    from clerk_tui.services.setup import init_database
    from clerk_tui.store.engine import make_engine

    db = tmp_path / "new" / "hall.db"
    engine = make_engine(str(db))
    init_database(engine, catalog=MINI_HALL, admin_pin="975318")
    admin = login(engine, "admin", "975318")
    for suffix in ("", "-wal", "-shm", ".lock"):
        assert _mode(f"{db}{suffix}") == 0o600, suffix
    assert _mode(db.parent) == 0o700

    guide = ready_staff(engine, admin, "8001", "林导", "guide", "246813")  # the administrator prints nothing
    ticket = q.issue_ticket(engine, guide, item_code=FOOD)
    from clerk_tui.settings import PrintSettings

    # file:// and pdf:// write only inside the papers folder, to printers the settings name
    cfg = PrintSettings(
        papers=str(tmp_path), ticket=f"pdf://{tmp_path}/papers/today", receipt=f"file://{tmp_path}/roll/tickets.bin"
    )
    job = pr.print_paper(engine, guide, "ticket", ticket.number, cfg=cfg)
    assert job.status == "printed", job
    assert _mode(tmp_path / "papers") == _mode(tmp_path / "papers" / "today") == 0o700
    assert _mode(job.output) == 0o600
    job = pr.print_paper(engine, guide, "ticket", ticket.number, printer=f"file://{tmp_path}/roll/tickets.bin", cfg=cfg)
    assert job.status == "printed" and _mode(tmp_path / "roll") == 0o700
    assert _mode(tmp_path / "roll" / "tickets.bin") == 0o600

    start, end = reports.period("daily")
    out = tmp_path / "report.csv"
    supervisor = ready_staff(engine, admin, "9001", "郑带班", "supervisor", "975312")
    write_atomic(out, reports.to_csv(reports.build_report(engine, supervisor, start, end, "department")))
    assert _mode(out) == 0o600
    engine.dispose()


def test_a_set_clock_is_for_the_demo_alone(cli_hall, run, monkeypatch):
    """CLERK_TUI_NOW would let anyone date a ticket or a case as they please: a real hall refuses
    it at every command that opens the hall (and the TUI's login); the demo hall takes it."""
    from clerk_tui.services import marks
    from clerk_tui.services.errors import ServiceError

    engine, _path = cli_hall
    before = _counts(engine)
    guide = ready_staff(engine, login(engine, "admin", ADMIN_PIN), "8001", "林导", "guide", "246813")
    code, _, err = run(
        "ticket",
        "issue",
        "--queue",
        "A",
        env={"CLERK_TUI_STAFF": "8001", "CLERK_TUI_PIN": "246813", "CLERK_TUI_NOW": "2020-01-01T09:00"},
    )
    assert code == 1 and "CLERK_TUI_NOW 只能用于演示大厅" in err
    assert _counts(engine)[3] == before[3]  # no ticket dated 2020
    monkeypatch.setenv("CLERK_TUI_NOW", "2020-01-01T09:00")
    with pytest.raises(ServiceError, match="只能用于演示大厅"):
        marks.require_real_clock(engine)
    monkeypatch.delenv("CLERK_TUI_NOW")
    marks.require_real_clock(engine)  # the machine's clock: fine
    code, _out, err = run("ticket", "issue", "--queue", "A", env={"CLERK_TUI_STAFF": "8001", "CLERK_TUI_PIN": "246813"})
    assert code == 0, err
    assert guide.role == "guide"


async def test_the_tui_login_refuses_a_set_clock_on_a_real_hall(tmp_path, monkeypatch, mini_hall_file):
    from textual.widgets import Input

    from clerk_tui.settings import Settings
    from clerk_tui.store.engine import make_engine
    from clerk_tui.ui.app import make_app
    from tests.test_ui import log_in, settle

    path = tmp_path / "hall.db"
    copy_mini_hall(mini_hall_file, path)
    engine = make_engine(str(path))
    ready_staff(engine, login(engine, "admin", ADMIN_PIN), "9001", "郑带班", "supervisor", "975312")
    unmark_demo(engine)
    monkeypatch.setenv("CLERK_TUI_NOW", "2020-01-01T09:00")
    app = make_app(Settings(database=str(path), backup_keep=0), engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, "9001", "975312")
        await settle(pilot)
        assert app.actor is None and app.screen.query_one("#pin", Input) is not None
        assert "只能用于演示大厅" in str(app.screen.query_one("#login-error").render())
    engine.dispose()


def test_a_device_named_as_a_file_is_refused_not_read_whole(cli_hall, run, tmp_path):
    """/dev/zero as the anchor, the PIN key file or the settings file was read without end (the
    process was killed for its memory): each is read only up to what such a file can be."""
    admin = {"CLERK_TUI_STAFF": "admin", "CLERK_TUI_PIN": ADMIN_PIN}
    code, _, err = run("audit", "verify", "--anchor", "/dev/zero", env=admin)
    assert code == 1 and "锚定文件 /dev/zero 太大" in err
    code, _, err = run("staff", "list", env=admin | {"CLERK_TUI_KEY_FILE": "/dev/zero"})
    assert code == 1 and "已损坏" in err and "/dev/zero" in err
    code, _, err = run("staff", "list", env=admin | {"CLERK_TUI_CONFIG": "/dev/zero"})
    assert code == 1 and "配置文件 /dev/zero 太大" in err
