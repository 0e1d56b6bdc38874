"""Pilot tests: the case screen shows where a 前店后场 case is and how long it has been there, and
sends it back and records its return; the intake screen takes a service mode (F9)."""

import io

import pytest
from textual.widgets import DataTable, Input, Static

from clerk_tui.services import cases as cs
from clerk_tui.services import catalog as cat
from clerk_tui.services.staff import login
from tests.test_ui import READER, SIZE, _called_food_ticket, _fill_applicant, app_factory, log_in, settle  # noqa: F401

ALL = ["食品经营许可申请书", "营业执照复印件"]
MARKET = "县市场监督管理局"


def _mark_back_office(engine, tmp_path):
    path = tmp_path / "catalog.toml"
    cat.export_catalog(engine, path)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(f'name = "{MARKET}"\n', f'name = "{MARKET}"\nback_office = true\n', 1), encoding="utf-8"
    )
    cat.import_catalog(engine, login(engine, "admin", "2468"), path)


async def _open_intake(pilot, sqlite_hall):
    """Window 3 calls a 食品经营许可 ticket and opens its intake screen."""
    from clerk_tui.ui.screens.intake import IntakeScreen

    await _called_food_ticket(pilot, sqlite_hall)
    await pilot.press("s")
    await settle(pilot)
    assert isinstance(pilot.app.screen, IntakeScreen) and pilot.app.screen.item is not None
    return pilot.app.screen


async def _open_case(pilot, number):
    """Clerk 1003 logs in at window 3 and opens the case."""
    from clerk_tui.ui.screens.case import CaseScreen

    await log_in(pilot, "1003", "3333", window=3)
    pilot.app.push_screen(CaseScreen(number))
    await settle(pilot)
    assert isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.view is not None
    return pilot.app.screen


def _body(screen) -> str:
    """The case screen's text as drawn (its body is a Group of rich renderables)."""
    from rich.console import Console

    console = Console(width=110, record=True, file=io.StringIO())
    console.print(screen.query_one("#case-body", Static).content)
    return console.export_text()


@pytest.fixture
def accepted(sqlite_hall, monkeypatch, tmp_path):
    """At 09:30 on 2026-11-26, the market bureau marked as deciding in its back office and a case
    of clerk 1003 accepted there: its number."""
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    _mark_back_office(sqlite_hall, tmp_path)
    return cs.intake(
        sqlite_hall,
        login(sqlite_hall, "1003", "3333"),
        cs.IntakeRequest(
            "000112002000", cs.Applicant("person", "张三", "11010519491231002X", "13800138000"), "accept",
            materials_received=ALL,
        ),
    ).number  # fmt: skip


async def test_the_case_screen_shows_the_back_office_stay_and_records_the_return(
    app_factory,  # noqa: F811
    accepted,
    monkeypatch,
):
    number = accepted
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_case(pilot, number)
        assert screen.check_action("send_back", ()) and screen.check_action("returned", ()) is False
        await pilot.press("o")  # 送后场
        await settle(pilot)
        await pilot.press(*"送审批科", "enter")
        await settle(pilot)
        await pilot.press("enter")  # close the dialog: the case reloads
        await settle(pilot)
        assert app.screen is screen and screen.view.status == "back_office"
        assert screen.check_action("send_back", ()) is False and screen.check_action("complete", ()) is False
        body = _body(screen)
        assert "后场审批中" in body and "已 0分钟" in body and "2026-11-26 09:30 送出" in body
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-30T14:45:00")  # days later, the window opens it again
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_case(pilot, number)
        body = _body(screen)
        assert "在后场审批（县市场监督管理局），已 4天5小时" in body
        assert "4天5小时" in app.export_screenshot()  # on the screen itself
        await pilot.press("f")  # 后场返回
        await settle(pilot)
        await pilot.press("space", "enter")  # the result list has the focus: 准予许可
        await settle(pilot)
        assert app.screen.done is not None, app.screen.query_one(".error", Static).render()
        await pilot.press("enter")
        await settle(pilot)
        assert screen.view.status == "completed" and screen.view.result == "approved"
        assert "已从后场返回，后场共用 4天5小时" in _body(screen)


async def test_intake_takes_an_agency_mode_with_f9(app_factory, sqlite_hall, monkeypatch):  # noqa: F811
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        intake = await _open_intake(pilot, sqlite_hall)
        assert not intake.query_one("#mode-row").display
        await _fill_applicant(pilot, intake)
        await pilot.press("f9")
        assert intake.mode == "agency" and intake.query_one("#mode-row").display
        assert app.focused is intake.query_one("#m-agency", Input)
        await pilot.press(*"8001")
        intake.query_one("#materials", DataTable).focus()
        await pilot.press("space", "down", "space", "f6")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        (case,) = cs.list_cases(sqlite_hall, READER)
        view = cs.get_case(sqlite_hall, READER, case.number, audit=False)
        assert view.service_mode == "agency" and view.agency_staff == "林晓燕（8001）" and view.ticket == "D001"


@pytest.mark.parametrize("presses, mode", [(1, "agency"), (2, "visit"), (3, "")])
async def test_f9_cycles_the_modes_and_shows_only_their_fields(app_factory, sqlite_hall, monkeypatch, presses, mode):  # noqa: F811
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        intake = await _open_intake(pilot, sqlite_hall)
        for _ in range(presses):
            await pilot.press("f9")
        assert intake.mode == mode
        assert intake.query_one("#m-agency").display is (mode == "agency")
        assert intake.query_one("#m-address").display is (mode == "visit")
        assert intake.query_one("#mode-row").display is (mode != "")


async def test_the_supervisor_sees_the_modes_report_from_the_reports_screen(
    app_factory,  # noqa: F811
    sqlite_hall,
    accepted,
    monkeypatch,
):
    from clerk_tui.ui.screens.modes_report import ModesReportScreen
    from clerk_tui.ui.screens.reports import ReportScreen

    cs.send_back(sqlite_hall, login(sqlite_hall, "1003", "3333"), accepted)
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-27T11:30:00")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "9001", "9999")
        app.push_screen(ReportScreen())
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ModesReportScreen) and screen.report is not None
        table = screen.query_one("#modes-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0][0] == "县市场监督管理局（后场审批）" and rows[0][8:12] == ["1", "100.0%", "1", "1天2小时"]
        assert rows[-1][0] == "全厅"
        await pilot.press("3")
        await settle(pilot)
        assert screen.kind == "yearly" and screen.report.start.isoformat() == "2026-01-01"
        await pilot.press("escape")
        assert isinstance(app.screen, ReportScreen)
