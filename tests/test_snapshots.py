"""A snapshot of every screen (issue 13) at 120x40 on one busy morning, and the busiest ones at 80x24
as well: login, guide desk, window console, intake, case list, case, alerts, print jobs, supervisor,
reports, admin, display and rating pad. (test_ui.py pins some of them again on a quiet hall.)

Every test runs on the same busy morning, built through the services with the clock standing still
(CLERK_TUI_NOW), so that what the screens show depends on nothing but the code: cases red, yellow
and waiting for a supplement, an escalated inquiry, people waiting, a bad rating being followed up,
a visit waiting for its rating and a print job left pending. Before each shot the screen's workers
have finished and the toasts (which time out, so whether one is up depends on the machine's load)
are cleared.

Update with ``.venv/bin/python -m pytest tests/test_snapshots.py --snapshot-update`` and look at the
SVGs (tests/__snapshots__/test_snapshots/) before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from clerk_tui.services.staff import add_staff, login
from clerk_tui.settings import PrintSettings, Settings
from tests import test_ui
from tests.conftest import copy_mini_hall, fold_wal
from tests.test_ui import _called_food_ticket, _fill_applicant, add_ui_staff, log_in, wait_for

app_factory = test_ui.app_factory  # the same fixture: the mini hall with 8001, 1003 and 9001

WIDE = (120, 40)
NARROW = (80, 24)
NOW = "2026-11-26T09:30:00"  # a Thursday morning

RED_SHOP = "金华市婺城区味道小吃店"  # accepted 11-18, promised by 11-25: overdue (red)
YELLOW_PERSON = "陈思远"  # supplement 11-20, complete 11-23, started 11-24: 2 working days left (yellow)


def at(monkeypatch, moment: str) -> None:
    monkeypatch.setenv("CLERK_TUI_NOW", moment)


def build_busy_hall(engine, monkeypatch) -> dict[str, str]:
    """The mini hall (with app_factory's guide 8001, clerk 1003 and supervisor 9001) on the morning
    of 2026-11-26, 09:30. Returns the case numbers by name."""
    from clerk_tui.services import cases as cs
    from clerk_tui.services import printing as pr
    from clerk_tui.services import queue as q
    from clerk_tui.services import ratings as rt
    from clerk_tui.services import responsibility as rs

    admin = login(engine, "admin", "2468")
    add_staff(engine, admin, "1001", "李强", "clerk", "1111", department="县市场监督管理局")
    guide, c3, c1 = login(engine, "8001", "1111"), login(engine, "1003", "3333"), login(engine, "1001", "1111")
    food, company = "000112002000", "000112001000"
    numbers = {}

    def intake(actor, item, applicant, decision, received, agent=None) -> str:
        request = cs.IntakeRequest(item, applicant, decision, materials_received=received, agent=agent)
        return cs.intake(engine, actor, request).number

    both = ["食品经营许可申请书", "营业执照复印件"]
    at(monkeypatch, "2026-11-18T10:00:00")
    shop = cs.Applicant("organisation", RED_SHOP, "91350100M000100Y43", "13800138000", "张三", "李四")
    numbers["red"] = intake(c3, food, shop, "accept", both)

    at(monkeypatch, "2026-11-20T14:00:00")
    person = cs.Applicant("person", YELLOW_PERSON, "330702198003151239", "13906781234")
    agent = cs.Agent("周丽", "330702199211084565")
    numbers["yellow"] = intake(c3, food, person, "supplement", both[:1], agent)
    at(monkeypatch, "2026-11-23T09:10:00")
    cs.supplement(engine, c3, numbers["yellow"], both[1:])
    at(monkeypatch, "2026-11-24T09:00:00")
    cs.start(engine, c3, numbers["yellow"])

    at(monkeypatch, "2026-11-25T15:00:00")
    founder = cs.Applicant("person", "刘洋", "330724197506207891", "13757901234")
    numbers["supplement"] = intake(c3, company, founder, "supplement", ["公司登记（备案）申请书", "公司章程"])
    other = cs.Applicant("person", "张三", "11010519491231002X", "13800138001")
    numbers["handover"] = intake(c1, food, other, "accept", both)
    cs.handover(engine, c1, numbers["handover"], to="1003", reason="调岗")

    at(monkeypatch, "2026-11-26T08:40:00")
    rs.open_inquiry(engine, guide, matter="咨询开办餐馆要哪些手续", name="赵女士", phone="13905791234")

    at(monkeypatch, "2026-11-26T08:50:00")
    for queue, priority in (("D", "none"), ("D", "none"), ("A", "none"), ("B", "none")):
        q.issue_ticket(engine, guide, queue=queue, priority=priority)
    c3w = login(engine, "1003", "3333", window=3)
    q.open_window(engine, c3w, 3)
    c1w = login(engine, "1001", "1111", window=1)
    q.open_window(engine, c1w, 1)

    at(monkeypatch, "2026-11-26T09:00:00")
    q.call_next(engine, c3w, 3)  # D001
    q.start_service(engine, c3w, "D001", 3)
    q.finish_service(engine, c3w, "D001", 3)
    rt.rate(engine, None, 3, "D001", 2, reasons=["等候时间长"], text="等了四十分钟")
    q.call_next(engine, c1w, 1)  # A001
    q.finish_service(engine, c1w, "A001", 1)
    q.pause_window(engine, c1w, 1, "临时会议")

    at(monkeypatch, "2026-11-26T09:10:00")
    for queue, priority in (("D", "elderly"), ("D", "none"), ("A", "none"), ("B", "none"), ("D", "none")):
        q.issue_ticket(engine, guide, queue=queue, priority=priority)
    unplugged = PrintSettings(ticket="usb:///dev/usb/lp9")  # the guide desk's USB printer, unplugged
    pr.print_paper(engine, guide, "ticket", "D003", cfg=unplugged)
    pr.print_paper(engine, c3, "receipt", numbers["red"], printer="dummy:")

    at(monkeypatch, "2026-11-26T09:25:00")
    q.call_next(engine, c3w, 3)  # the elderly first
    q.finish_service(engine, c3w, q.window_panel(engine, 3).current.number, 3)  # not yet rated: the pad asks

    at(monkeypatch, NOW)
    return numbers


async def settle(pilot) -> None:
    """Let the workers finish and the screen repaint (a result may start more calls, after its
    frame: the console's corner after its panel), then clear the toasts (they time out)."""
    await test_ui.settle(pilot)
    pilot.app.clear_notifications()
    await test_ui.settle(pilot)


@pytest.fixture(autouse=True)
def load_once(monkeypatch):
    """The screens load on mount and then follow other terminals by polling (every 1–2 s). Nothing
    else writes during a shot, yet a poll that reloads (the first always does) refills a table,
    and a shot taken before the table has laid out its rows again shows it empty: only the load
    on mount here."""
    from clerk_tui.ui import polling
    from clerk_tui.ui.screens import supervisor
    from clerk_tui.ui.screens.window_console import WindowConsole

    monkeypatch.setattr(polling.FollowsHall, "POLL_SECONDS", 3600.0)
    monkeypatch.setattr(WindowConsole, "POLL_SECONDS", 3600.0)
    monkeypatch.setattr(supervisor, "POLL_SECONDS", 3600.0)
    # The day's audit-chain head hashes events of the template hall, stamped on the day it was made.
    from clerk_tui.services.audit import Head

    monkeypatch.setattr(supervisor, "day_head", lambda engine, day: Head(123, "a1b2c3d4e5f60718" + "0" * 48))


@pytest.fixture(scope="session")
def busy_template(mini_hall_file, tmp_path_factory):
    """The busy morning, built once per test process on a copy of the mini hall with app_factory's
    staff: a file to copy and the case numbers by name."""
    from clerk_tui.store.engine import make_engine

    path = tmp_path_factory.mktemp("busy") / "busy-hall.db"
    copy_mini_hall(mini_hall_file, path)
    engine = make_engine(str(path))
    mp = pytest.MonkeyPatch()
    try:
        add_ui_staff(engine)
        at(mp, NOW)
        numbers = build_busy_hall(engine, mp)
    finally:
        mp.undo()
        engine.dispose()
    fold_wal(path)
    return path, numbers


@pytest.fixture
def busy_hall(app_factory, sqlite_hall, busy_template, monkeypatch):
    """The busy morning in this test's database (app_factory's engine): a copy of busy_template,
    the clock at 09:30. Returns the case numbers by name."""
    path, numbers = busy_template
    sqlite_hall.dispose()  # no connection stays on the file that the copy replaces
    copy_mini_hall(path, Path(sqlite_hall.url.database))
    at(monkeypatch, NOW)
    return dict(numbers)


# ------------------------------------------------------------------ logging in


def test_login_snapshot(app_factory, snap_compare):
    async def run_before(pilot):
        await pilot.press(*"1003")  # the staff number typed, the cursor in it
        await settle(pilot)

    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=run_before)


# ------------------------------------------------------------------ the guide desk and the hall display


async def _guide_desk(pilot) -> None:
    await log_in(pilot, "8001", "1111")
    await wait_for(pilot, lambda: getattr(pilot.app.screen, "index", None) is not None)
    await settle(pilot)
    await pilot.press(*"spjy")  # 食品经营: by the initials of its pinyin
    await settle(pilot)


def test_guide_desk_snapshot(app_factory, busy_hall, snap_compare):
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=_guide_desk)


def test_guide_desk_snapshot_80x24(app_factory, busy_hall, snap_compare):
    assert snap_compare(app_factory(), terminal_size=NARROW, run_before=_guide_desk)


def test_display_snapshot(busy_hall, sqlite_hall, snap_compare):
    from clerk_tui.ui.display import make_display

    async def run_before(pilot):
        await wait_for(pilot, lambda: pilot.app.board is not None and pilot.app.board.calls)
        await settle(pilot)

    app = make_display(Settings(database="x"), sqlite_hall, test_ui.FakeAnnouncer(available=False))
    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


# ------------------------------------------------------------------ the window and its cases


async def _console(pilot) -> None:
    await log_in(pilot, "1003", "3333", window=3)
    await wait_for(pilot, lambda: pilot.app.screen.panel is not None)
    await pilot.press("f5")
    await wait_for(pilot, lambda: pilot.app.screen.panel.current is not None)
    await settle(pilot)


def test_window_console_snapshot(app_factory, busy_hall, snap_compare):
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=_console)


def test_window_console_snapshot_80x24(app_factory, busy_hall, snap_compare):
    assert snap_compare(app_factory(), terminal_size=NARROW, run_before=_console)


def _intake(sqlite_hall):
    async def run_before(pilot):
        from clerk_tui.ui.screens.intake import IntakeScreen

        await _called_food_ticket(pilot, sqlite_hall)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, IntakeScreen) and pilot.app.screen.item is not None)
        await _fill_applicant(pilot, pilot.app.screen)
        pilot.app.screen.query_one("#materials", DataTable).focus()
        await pilot.press("space")
        await settle(pilot)

    return run_before


def test_intake_screen_snapshot(app_factory, sqlite_hall, snap_compare, monkeypatch):
    at(monkeypatch, NOW)  # a quiet hall: the next one called is the food ticket, with its item
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=_intake(sqlite_hall))


def test_intake_screen_snapshot_80x24(app_factory, sqlite_hall, snap_compare, monkeypatch):
    at(monkeypatch, NOW)
    assert snap_compare(app_factory(), terminal_size=NARROW, run_before=_intake(sqlite_hall))


async def _case_list(pilot) -> None:
    from clerk_tui.ui.screens.case_list import CaseListScreen

    await log_in(pilot, "1003", "3333", window=3)
    await pilot.press("b")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseListScreen) and pilot.app.screen.views)
    await pilot.press("down")  # to the list
    await settle(pilot)


def test_case_list_snapshot(app_factory, busy_hall, snap_compare):
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=_case_list)


def test_case_list_snapshot_80x24(app_factory, busy_hall, snap_compare):
    assert snap_compare(app_factory(), terminal_size=NARROW, run_before=_case_list)


def _case(number: str):
    async def run_before(pilot):
        from clerk_tui.ui.screens.case import CaseScreen

        await log_in(pilot, "1003", "3333", window=3)
        pilot.app.push_screen(CaseScreen(number))
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.view is not None)
        await settle(pilot)

    return run_before


def test_case_snapshot(app_factory, busy_hall, snap_compare):
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=_case(busy_hall["yellow"]))


def test_case_snapshot_80x24(app_factory, busy_hall, snap_compare):
    assert snap_compare(app_factory(), terminal_size=NARROW, run_before=_case(busy_hall["yellow"]))


# ------------------------------------------------------------------ alerts and printing


async def _alerts(pilot) -> None:
    from clerk_tui.ui.screens.responsibility import AlertsScreen

    await log_in(pilot, "9001", "9999")
    await pilot.press("ctrl+t")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, AlertsScreen) and pilot.app.screen.alerts)
    await settle(pilot)
    await pilot.pause()  # laid out


def test_alerts_snapshot(app_factory, busy_hall, snap_compare):
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=_alerts)


def test_alerts_snapshot_80x24(app_factory, busy_hall, snap_compare):
    assert snap_compare(app_factory(), terminal_size=NARROW, run_before=_alerts)


def test_print_jobs_snapshot(app_factory, busy_hall, snap_compare):
    async def run_before(pilot):
        from clerk_tui.ui.screens.print_jobs import PrintJobsScreen

        await log_in(pilot, "8001", "1111")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, PrintJobsScreen) and pilot.app.screen.jobs)
        await settle(pilot)

    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=run_before)


# ------------------------------------------------------------------ the supervisor and the administrator


async def _supervisor(pilot) -> None:
    await log_in(pilot, "9001", "9999")
    # the board, the day's audit head (the poll) and the last backup (its own worker) all in
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.board is not None and screen.audit_head and screen.backup_line)
    await settle(pilot)
    await pilot.pause()  # laid out: the summary grows a line once both are in


def test_supervisor_snapshot(app_factory, busy_hall, snap_compare):
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=_supervisor)


def test_supervisor_snapshot_80x24(app_factory, busy_hall, snap_compare):
    assert snap_compare(app_factory(), terminal_size=NARROW, run_before=_supervisor)


async def _reports(pilot) -> None:
    from clerk_tui.ui.screens.reports import ReportScreen

    await _supervisor(pilot)
    await pilot.press("r")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReportScreen) and pilot.app.screen.report is not None)
    await settle(pilot)


def test_reports_snapshot(app_factory, busy_hall, snap_compare):
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=_reports)


def test_reports_snapshot_80x24(app_factory, busy_hall, snap_compare):
    assert snap_compare(app_factory(), terminal_size=NARROW, run_before=_reports)


def test_admin_overview_snapshot(app_factory, busy_hall, sqlite_hall, snap_compare):
    from clerk_tui.services.errors import AuthError

    for _ in range(5):  # a locked staff number, for the administrator to unlock
        with pytest.raises(AuthError):
            login(sqlite_hall, "1001", "0000")

    async def run_before(pilot):
        from clerk_tui.ui.screens.home import HallScreen

        await log_in(pilot, "admin", "2468")
        screen = pilot.app.screen
        assert isinstance(screen, HallScreen)
        await wait_for(pilot, lambda: screen.query_one("#departments", DataTable).row_count == 3)
        await settle(pilot)

    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=run_before)


# ------------------------------------------------------------------ the rating pad


def test_rating_pad_snapshot(app_factory, busy_hall, sqlite_hall, snap_compare):
    from clerk_tui.ui.rating_pad import make_rating_pad

    async def run_before(pilot):
        await wait_for(pilot, lambda: pilot.app.visit is not None)
        await settle(pilot)

    app = make_rating_pad(Settings(database=str(sqlite_hall.url.database)), sqlite_hall, 3)
    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)
