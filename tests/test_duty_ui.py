"""领导带班 and 大厅巡查 in the real app: a patrol round walked with the keys from the supervisor's live
hall, the duty line and handover on that screen, and the supervisor on duty on the hall display."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input, Static

from clerk_tui.services import duty
from clerk_tui.services import patrol as pt
from clerk_tui.services import queue as q
from clerk_tui.services.staff import login
from clerk_tui.settings import Settings
from clerk_tui.ui.screens.patrol import PatrolScreen
from clerk_tui.ui.screens.supervisor import SupervisorScreen
from clerk_tui.ui.widgets.error_line import ErrorLine
from tests import test_ui
from tests.test_ui import SIZE, FakeAnnouncer, log_in, settle, wait_for

app_factory = test_ui.app_factory  # the mini hall with guide 8001, clerk 1003 and supervisor 9001
DAY = dt.date(2026, 11, 26)


def shown(widget) -> str:
    return str(widget.render())


@pytest.fixture
def clerk3(sqlite_hall, monkeypatch):
    """Clerk 1003 signed in at window 3, at 10:00."""
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T10:00:00")
    clerk = login(sqlite_hall, "1003", "3333", window=3)
    q.open_window(sqlite_hall, clerk, 3)
    return clerk


async def open_patrol(pilot) -> tuple[SupervisorScreen, PatrolScreen]:
    """Supervisor 9001 logs in, the live hall loads, P opens the patrol."""
    await log_in(pilot, "9001", "9999")
    board = pilot.app.screen
    assert isinstance(board, SupervisorScreen)
    await wait_for(pilot, lambda: board.board is not None)
    await pilot.press("p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PatrolScreen)
    return board, pilot.app.screen


async def test_a_patrol_round_finds_window_3_empty_with_people_waiting(app_factory, sqlite_hall, clerk3):
    clerk = clerk3
    q.issue_ticket(sqlite_hall, clerk, queue="D")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        board, patrol = await open_patrol(pilot)
        assert "今日带班：郑国强（当日首位登录）" in shown(board.query_one("#sup-summary", Static))
        assert "3号窗口" in shown(patrol.query_one("#patrol-window", Static))
        assert "排队 1 人" in shown(patrol.query_one("#patrol-window", Static))
        await pilot.press("b")  # badge not worn
        await pilot.press("a")  # absent: the reason field comes and takes the keys
        reason = patrol.query_one("#patrol-reason", Input)
        assert patrol.flags == {"absent", "badge"}
        assert reason.display and app.focused is reason
        await pilot.press("enter")  # no reason yet: refused, nothing saved
        await settle(pilot)
        assert "请填写原因" in patrol.query_one(ErrorLine).text and isinstance(app.screen, PatrolScreen)
        assert pt.patrol_findings(sqlite_hall, DAY, DAY) == []
        reason.value = "临时离岗"
        await pilot.press("enter")  # the last window: the round is saved and the screen closes
        await settle(pilot)
        assert app.screen is board
        found = pt.patrol_findings(sqlite_hall, DAY, DAY)
        assert [(f.window_number, f.item, f.note, f.staff_id) for f in found] == [
            (3, "absent", "临时离岗", clerk.staff_id),
            (3, "badge", "", clerk.staff_id),
        ]
        alerts = board.query_one("#sup-alerts", Static)
        # the live hall reloads on its poll timer once the round's events are written
        await wait_for(pilot, lambda: "3号窗口无人在岗，排队 1 人" in shown(alerts), tries=60)
        assert any(a.kind == "window_absent" for a in board.board.alerts)


async def test_keys_toggle_and_escape_leaves_without_saving(app_factory, sqlite_hall, clerk3):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        board, patrol = await open_patrol(pilot)
        await pilot.press("m", "t", "t")  # manner on, tidiness on then off
        assert patrol.flags == {"manner"}
        assert "☒ 服务态度欠佳" in shown(patrol.query_one("#patrol-checks", Static))
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is board
        assert pt.patrol_findings(sqlite_hall, DAY, DAY) == []


async def test_the_handover_note_waits_on_the_next_supervisors_screen(app_factory, sqlite_hall, monkeypatch):
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-25T17:00:00")
    duty.handover(sqlite_hall, login(sqlite_hall, "9001", "9999"), "3号窗口差评整改待回访")
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T08:30:00")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "9001", "9999")
        board = app.screen
        await wait_for(pilot, lambda: board.board is not None)
        text = shown(board.query_one("#sup-summary", Static))
        assert "上一班留言（11-25 郑国强）：3号窗口差评整改待回访" in text


async def test_the_display_names_the_supervisor_on_duty(sqlite_hall, monkeypatch):
    from clerk_tui.ui.display import make_display

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T08:00:00")
    app = make_display(Settings(database="x"), sqlite_hall, FakeAnnouncer(available=False))
    test_ui.add_ui_staff(sqlite_hall)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        title = app.query_one("#hall-name", Static)
        assert "带班" not in shown(title)
        login(sqlite_hall, "9001", "9999")  # the first supervisor of the day, at another terminal
        # another terminal's change: the display notices it on its poll timer
        await wait_for(pilot, lambda: "今日带班领导：郑国强" in shown(title), tries=40)
