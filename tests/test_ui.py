"""The real app, driven through Pilot on a throwaway database."""

import pytest
from textual.widgets import DataTable, Input, Static

from clerk_tui.services.context import Actor
from clerk_tui.services.staff import add_staff, login
from clerk_tui.settings import Settings
from clerk_tui.ui.app import make_app
from clerk_tui.ui.screens.catalog_browser import CatalogBrowser
from clerk_tui.ui.screens.home import HallScreen
from clerk_tui.ui.screens.login import LoginScreen
from clerk_tui.ui.screens.window_console import WindowConsole

SIZE = (120, 40)


def add_ui_staff(engine) -> None:
    """The staff the UI tests log in as: guide 8001, clerk 1003 and supervisor 9001."""
    admin = login(engine, "admin", "2468")
    add_staff(engine, admin, "8001", "林晓燕", "guide", "1111")
    add_staff(engine, admin, "1003", "王敏", "clerk", "3333")
    add_staff(engine, admin, "9001", "郑国强", "supervisor", "9999")


READER = Actor(0, "reader", "测试", "supervisor")  # reads what a screen wrote (no audited read: no staff row)


@pytest.fixture
def app_factory(sqlite_hall, tmp_path, monkeypatch):
    monkeypatch.setattr(Settings, "state_dir", property(lambda self: tmp_path / "state"))
    add_ui_staff(sqlite_hall)

    def factory():
        # The daily backup off (backup_keep 0; tests/test_backup.py has its own screen test): made in
        # the background on the supervisor's screen, its line and its notices came at any moment.
        return make_app(Settings(database=str(sqlite_hall.url.database), backup_keep=0), sqlite_hall)

    return factory


async def settle(pilot, rounds=20):
    """Wait for the service calls the last keys started to complete and for what their results do on
    screen (which may start more calls: the panel reloaded after an action)."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        busy = [w for w in app.workers if not w.is_finished]
        if not busy:
            return
        await app.workers.wait_for_complete(busy)


async def wait_for(pilot, predicate, tries=60):
    """Polling, only for what comes on a timer: a change another terminal makes, which the app notices
    on its poll timer (or the command palette's own timer); a service call is waited for with settle."""
    for _ in range(tries):
        await pilot.pause(0.05)
        if predicate():
            return True
    return predicate()


async def log_in(pilot, number, pin, window=None):
    app = pilot.app
    app.screen.query_one("#number", Input).value = number
    app.screen.query_one("#pin", Input).value = pin
    if window is not None:
        app.screen.query_one("#window", Input).value = str(window)
    app.screen.query_one("#pin", Input).focus()
    await pilot.press("enter")
    await settle(pilot)


async def test_guide_desk_search_by_pinyin_initials(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "8001", "1111")
        assert isinstance(app.screen, CatalogBrowser)
        screen = app.screen
        await settle(pilot)
        await pilot.press(*"jhdj")
        table = screen.query_one("#matches", DataTable)
        assert table.row_count == 1
        assert screen.selected.name == "内地居民结婚登记"
        guide = screen.query_one("#guide").plain
        assert "本人常住户口簿【必需·原件1份】" in guide and "0579-80001234" in guide
        await pilot.press("escape")
        assert table.row_count == 5
        await pilot.press(*"dj", "down")  # 登记: type, then arrow without leaving the box
        assert screen.query_one("#search", Input).has_focus
        assert screen.selected.name == "内地居民离婚登记"
        await pilot.press("enter")
        await pilot.pause()
        assert table.has_focus
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#guide").has_focus


async def test_wrong_pin_is_told_and_counts(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "8001", "0000")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "再错4次" in str(app.screen.query_one("#login-error", Static).render())


async def test_clerk_needs_a_window_then_sees_the_console(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1003", "3333")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        await log_in(pilot, "1003", "3333", window=3)
        assert isinstance(app.screen, WindowConsole)
        await settle(pilot)
        assert app.screen.panel.status == "open" and [q.prefix for q in app.screen.panel.queues] == ["D", "A"]
        assert "3号窗口" in str(app.screen.query_one("#window-info", Static).render())
        await pilot.press("f2")
        assert isinstance(app.screen, CatalogBrowser)
        await pilot.press("escape")
        assert isinstance(app.screen, WindowConsole)
        await pilot.press("f12")
        await settle(pilot)
        assert app.actor is None


async def test_admin_sees_the_hall(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "admin", "2468")
        assert isinstance(app.screen, HallScreen)
        table = app.screen.query_one("#departments", DataTable)
        await settle(pilot)
        assert table.row_count == 3


async def test_supervisor_sees_calls_and_bad_ratings_from_other_terminals(
    app_factory, sqlite_hall, monkeypatch, tmp_path
):
    from clerk_tui.services import queue as q
    from clerk_tui.services import ratings as rt
    from clerk_tui.ui.screens.supervisor import SupervisorScreen

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T10:00:00")
    clerk = login(sqlite_hall, "1003", "3333", window=3)
    q.open_window(sqlite_hall, clerk, 3)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "9001", "9999")
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        await settle(pilot)
        t = q.issue_ticket(sqlite_hall, clerk, queue="D")  # the window's terminal
        q.call_next(sqlite_hall, clerk, 3)
        window3 = lambda: next(w for w in screen.board.windows if w.number == 3)  # noqa: E731  (a one-line accessor, used right below)
        # another terminal's change: the app notices it on its poll timer
        await wait_for(pilot, lambda: window3().current == t.number, tries=50)  # within 2.5 s
        q.finish_service(sqlite_hall, clerk, t.number, 3)
        rt.rate(sqlite_hall, None, 3, t.number, 1, reasons=["服务态度差"])  # the rating pad
        # another terminal's change: the app notices it on its poll timer
        await wait_for(pilot, lambda: screen.board.followups, tries=50)
        assert screen.board.followups[0].ticket == t.number and window3().served_today == 1
        q.pause_window(sqlite_hall, clerk, 3, "会议[b]")  # a paused window is listed with its reason
        # another terminal's change: the app notices it on its poll timer
        assert await wait_for(pilot, lambda: window3().status == "paused", tries=50)
        table = screen.query_one("#sup-windows", DataTable)
        await settle(pilot)
        assert table.row_count >= 1
        assert any("会议[b]" in str(table.get_row_at(i)[1]) for i in range(table.row_count))
        q.resume_window(sqlite_hall, clerk, 3)
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.report.groups[0].figures["tickets_served"] == 1
        await pilot.press("c")
        await settle(pilot)
        assert [g.key for g in app.screen.report.groups] == ["1003"]
        monkeypatch.setattr("clerk_tui.settings.default_data_dir", lambda: tmp_path)
        await pilot.press("x")
        await settle(pilot)
        assert list((tmp_path / "reports").glob("*.xlsx"))
        assert [p.name for p in (tmp_path / "reports").glob("*.xlsx")] == ["报表-按人员-20261126-20261126.xlsx"]


async def test_typed_text_is_never_markup(app_factory, sqlite_hall, tmp_path):
    from clerk_tui.services.catalog import import_catalog

    path = tmp_path / "markup.toml"
    path.write_text(
        '[[item]]\ncode = "900000000099"\nname = "[b]加粗[/b][@click=app.quit]退出[/]"\ndepartment = "县民政局"\n'
        'queue = "B"\nkind = "immediate"\nlegal_limit_days = 0\npromised_limit_days = 0\nfee = "不收费"\n'
        '[[item.material]]\nname = "[red]材料[/red]"\n[[item.material]]\nname = "户口簿"\n',
        encoding="utf-8",
    )
    import_catalog(sqlite_hall, login(sqlite_hall, "admin", "2468"), path)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "8001", "1111")
        screen = app.screen
        await settle(pilot)
        screen.query_one("#search", Input).value = "900000000099"
        await pilot.pause()
        guide = app.screen.query_one("#guide").plain
        assert "[b]加粗[/b][@click=app.quit]退出[/]" in guide and "[red]材料[/red]" in guide
        assert app.is_running


async def test_command_palette_lists_screen_commands(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "8001", "1111")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "检索事项" in titles and "查看办事指南" in titles and "注销（F12）" in titles


async def test_the_window_consoles_palette_names_each_command_once(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1003", "3333", window=3)
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert len(titles) == len(set(titles)), titles
        assert "办件查询" in titles and "办件（B）" not in titles, titles  # was listed twice


async def test_command_palette_speaks_chinese_when_nothing_matches(app_factory):
    from textual.command import CommandList

    from clerk_tui.ui.palette import NO_MATCHES, Palette

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "8001", "1111")
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, Palette)
        await pilot.press(*"zzzzqx")
        palette = app.screen

        def shown() -> list[str]:
            options = palette.query_one(CommandList)
            return [str(options.get_option_at_index(i).prompt.renderable) for i in range(options.option_count)]

        # not a service call: the palette says it found nothing on a timer of its own (Textual's)
        assert await wait_for(pilot, lambda: NO_MATCHES in shown(), tries=100)
        assert not any("No matches" in line for line in shown())


def test_guide_desk_snapshot(app_factory, snap_compare):
    async def run_before(pilot):
        await log_in(pilot, "8001", "1111")
        await settle(pilot)
        await pilot.press(*"jhdj")
        await pilot.pause()

    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run_before)


def test_guide_desk_snapshot_80x24(app_factory, snap_compare):
    async def run_before(pilot):
        await log_in(pilot, "8001", "1111")
        await settle(pilot)
        await pilot.press(*"sydj")
        await pilot.pause()

    assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=run_before)


async def test_keys_are_remappable_from_settings(app_factory):
    app = app_factory()
    app.settings.keys = {"home.catalog": "f5"}
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1003", "3333", window=3)
        await pilot.press("f2")
        assert isinstance(app.screen, WindowConsole)
        await pilot.press("f5")
        assert isinstance(app.screen, CatalogBrowser)


async def test_a_missing_schema_is_told_on_the_login_screen(tmp_path):
    from clerk_tui.store.engine import make_engine

    db = str(tmp_path / "empty.db")
    app = make_app(Settings(database=db))
    async with app.run_test(size=SIZE) as pilot:
        # the store opens on a timer once the login screen is up (0.8 s), not on a key
        await wait_for(pilot, lambda: app.store_problem is not None, tries=100)
        assert "clerk-tui init" in str(app.screen.query_one("#login-error", Static).render())
    make_engine(db).dispose()


async def test_window_console_calls_by_its_keys(app_factory, sqlite_hall):
    from clerk_tui.services import queue as q

    guide = login(sqlite_hall, "8001", "1111")
    for priority in ("none", "none", "elderly"):
        q.issue_ticket(sqlite_hall, guide, queue="D", priority=priority)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1003", "3333", window=3)
        console = app.screen
        await settle(pilot)
        assert console.panel.queues[0].waiting == 3
        await pilot.press("f5")
        await settle(pilot)
        assert console.panel.current.number == "D003" and "老年人优先" in console.panel.why
        assert "叫号依据" in str(console.query_one("#why-line", Static).render())
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("f3")  # 下一位: nothing in hand, so it just calls
        await settle(pilot)
        assert console.panel.current.number == "D001"
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press(*"A", "enter", *"需综合窗口", "enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        moved = q.get_ticket(sqlite_hall, "D001")
        assert (moved.status, moved.transferred_from, moved.transfer_reason) == ("waiting", 3, "需综合窗口")
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("enter")  # the first reason: 午休
        await settle(pilot)
        assert console.panel.pause_reason == "午休"
        await pilot.press("f5")
        await pilot.pause(0.3)
        assert console.panel.current is None  # a paused window does not call
        await pilot.press("f4")
        await settle(pilot)


async def test_console_sees_other_terminals(app_factory, sqlite_hall):
    from clerk_tui.services import queue as q

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1003", "3333", window=3)
        console = app.screen
        await settle(pilot)
        assert console.panel.queues[0].waiting == 0
        q.issue_ticket(sqlite_hall, login(sqlite_hall, "8001", "1111"), queue="D")  # another terminal
        # another terminal's change: the app notices it on its poll timer
        await wait_for(pilot, lambda: console.panel.queues[0].waiting == 1, tries=60)
        assert console.panel.queues[0].waiting == 1


async def _guide_issues_jhdj(pilot, priority_key: str) -> None:
    """The guide (8001) logs in, finds 内地居民结婚登记 by its initials and issues a ticket."""
    await log_in(pilot, "8001", "1111")
    await settle(pilot)
    await pilot.press(*"jhdj", "f5")
    await pilot.pause()
    await pilot.press(priority_key, "enter")
    await settle(pilot)


async def test_guide_desk_issues_a_ticket_with_one_key_priority(app_factory, sqlite_hall):
    from clerk_tui.services import queue as q

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _guide_issues_jhdj(pilot, "1")
        assert "前面等候" in str(app.screen.query_one("#result", Static).render())
        await pilot.press("enter")
        t = q.get_ticket(sqlite_hall, "B001")
        assert (t.priority, t.item_name) == ("elderly", "内地居民结婚登记")
        await settle(pilot)
        told = " ".join(n.message for n in app._notifications) + screen_text(app)
        assert "未配置打印机" in told and "clerk-tui print ticket B001" in told
        assert "办件页" not in told  # a ticket has no case page to reprint from


def test_window_console_snapshot(app_factory, sqlite_hall, snap_compare, monkeypatch):
    from clerk_tui.services import queue as q

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    guide = login(sqlite_hall, "8001", "1111")
    for priority in ("none", "elderly", "none"):
        q.issue_ticket(sqlite_hall, guide, queue="D", priority=priority)
    q.issue_ticket(sqlite_hall, guide, queue="A")

    async def run_before(pilot):
        await log_in(pilot, "1003", "3333", window=3)
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.pause(0.2)

    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run_before)


class FakeAnnouncer:
    def __init__(self, available=True):
        self.available = available
        self.said = []

    def say(self, text):
        self.said.append(text)

    def close(self):
        pass


async def test_display_shows_calls_from_another_process_and_announces(sqlite_hall):
    from clerk_tui.services import queue as q
    from clerk_tui.ui.display import make_display

    admin = login(sqlite_hall, "admin", "2468")
    add_staff(sqlite_hall, admin, "1003", "王敏", "clerk", "3333")
    clerk = login(sqlite_hall, "1003", "3333", window=3)
    q.open_window(sqlite_hall, clerk, 3)
    q.issue_ticket(sqlite_hall, clerk, queue="D")
    q.issue_ticket(sqlite_hall, clerk, queue="D")
    announcer = FakeAnnouncer()
    app = make_display(Settings(database="x"), sqlite_hall, announcer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert announcer.said == []  # nothing called yet
        q.call_next(sqlite_hall, clerk, 3)  # as another terminal would
        # another terminal's change: the app notices it on its poll timer
        await wait_for(pilot, lambda: app.board.calls and app.board.calls[0].number == "D001", tries=40)
        # another terminal's change: the app notices it on its poll timer
        await wait_for(pilot, lambda: announcer.said == ["请D001号到3号窗口办理"])
        q.recall(sqlite_hall, clerk, "D001", 3)
        # another terminal's change: the app notices it on its poll timer
        await wait_for(pilot, lambda: len(announcer.said) == 2)
        assert announcer.said[1] == "请D001号到3号窗口办理"  # a recall repeats the phrase
        assert [x.waiting for x in app.board.queues if x.prefix == "D"] == [1]


async def test_display_without_espeak_says_so_once(sqlite_hall):
    from clerk_tui.ui.display import make_display

    app = make_display(Settings(database="x"), sqlite_hall, FakeAnnouncer(available=False))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "espeak-ng" in str(app.query_one("#voice-note", Static).render())


def test_display_snapshot(sqlite_hall, snap_compare, monkeypatch):
    from clerk_tui.services import queue as q
    from clerk_tui.ui.display import make_display

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    admin = login(sqlite_hall, "admin", "2468")
    add_staff(sqlite_hall, admin, "1003", "王敏", "clerk", "3333")
    clerk = login(sqlite_hall, "1003", "3333", window=3)
    q.open_window(sqlite_hall, clerk, 3)
    for _ in range(3):
        q.issue_ticket(sqlite_hall, clerk, queue="D")
    q.issue_ticket(sqlite_hall, clerk, queue="B")
    q.call_next(sqlite_hall, clerk, 3)
    q.finish_service(sqlite_hall, clerk, "D001", 3)
    q.call_next(sqlite_hall, clerk, 3)

    async def run_before(pilot):
        await settle(pilot)
        await pilot.pause(0.2)

    app = make_display(Settings(database="x"), sqlite_hall, FakeAnnouncer(available=False))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_guide_desk_books_an_appointment(app_factory, sqlite_hall, monkeypatch):
    from clerk_tui.services.appointments import list_appointments

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:00:00")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "8001", "1111")
        await settle(pilot)
        await pilot.press(*"jhdj", "f9")
        await pilot.pause()
        for value in ("440524188001010014", "张三", "13900000000", "", "14:00", "14:30"):
            await pilot.press(*value, "enter")
            await pilot.pause()
        await settle(pilot)
        booked = list_appointments(sqlite_hall, READER)
        assert [(a.item_name, a.name, f"{a.slot_start:%H:%M}") for a in booked] == [
            ("内地居民结婚登记", "张三", "14:00")
        ]


async def _called_food_ticket(pilot, sqlite_hall):
    from clerk_tui.services import queue as q

    q.issue_ticket(sqlite_hall, login(sqlite_hall, "8001", "1111"), item_code="000112002000")
    await log_in(pilot, "1003", "3333", window=3)
    console = pilot.app.screen
    await settle(pilot)
    await pilot.press("f5")
    await settle(pilot)
    await pilot.press("f8")
    await settle(pilot)
    return console


async def _fill_applicant(pilot, screen):
    screen.query_one("#a-name", Input).value = "张三[bold]"
    screen.query_one("#a-id", Input).value = "11010519491231002X"
    screen.query_one("#a-phone", Input).value = "13800138000"


async def test_called_ticket_through_intake_supplement_then_accept_and_find_by_phone(
    app_factory, sqlite_hall, monkeypatch
):
    from clerk_tui.services import cases as cs

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _called_food_ticket(pilot, sqlite_hall)
        await pilot.press("s")
        await settle(pilot)
        intake = app.screen
        assert intake.ticket == "D001" and intake.item.name == "食品经营许可"
        await _fill_applicant(pilot, intake)
        intake.query_one("#materials", DataTable).focus()
        await pilot.press("space")  # the first material received; 营业执照复印件 missing
        await pilot.press("f6")  # 受理 with a required material missing is refused at once
        await pilot.pause(0.2)
        assert app.screen is intake and not cs.list_cases(sqlite_hall, READER)
        await pilot.press("f7")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert "营业执照复印件" in str(app.screen.query_one("#result", Static).render())
        await pilot.press("enter")
        await settle(pilot)
        made = cs.list_cases(sqlite_hall, READER, query="13800138000", audit=False)
        assert [c.status for c in made] == ["supplement_pending"] and made[0].applicant_name == "张三[bold]"
        # the applicant comes back with the missing paper: find the case by phone
        await pilot.press("b")
        await settle(pilot)
        await pilot.press(*"13800138000", "enter")  # the search box has the focus
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("space", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "张三[bold]" in app.export_screenshot()
        assert cs.get_case(sqlite_hall, READER, made[0].number, audit=False).due_date is not None


async def test_ctrl_q_closes_the_window_like_logout_and_asks_twice_with_a_ticket_in_hand(app_factory, sqlite_hall):
    from clerk_tui.services import queue as q

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _called_food_ticket(pilot, sqlite_hall)  # D001 in hand at window 3
        await pilot.press("ctrl+q")
        await pilot.pause(0.3)
        assert app.is_running and q.window_panel(sqlite_hall, 3).status == "open"
        await pilot.press("ctrl+q")  # the second within 5 s: quit anyway, the window stays open
        await settle(pilot)
        assert not app.is_running
    assert q.window_panel(sqlite_hall, 3).status == "open"
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1003", "3333", window=3)
        q.finish_service(sqlite_hall, login(sqlite_hall, "1003", "3333", window=3), "D001", 3)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not app.is_running
    assert q.window_panel(sqlite_hall, 3).status == "closed"


async def test_case_list_down_from_the_search_box_then_a_digit_filters(app_factory, sqlite_hall):
    from textual.widgets import DataTable

    from clerk_tui.ui.screens.case_list import CaseListScreen

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1003", "3333", window=3)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, CaseListScreen)
        screen = app.screen
        assert isinstance(app.focused, Input)
        await pilot.press("down")
        assert isinstance(app.focused, DataTable)
        await pilot.press("2")
        assert screen.filter == "mine" and screen.query_one("#case-search", Input).value == ""


async def test_a_case_screen_follows_a_handover_taken_at_another_terminal(app_factory, sqlite_hall, monkeypatch):
    from clerk_tui.services import cases as cs
    from clerk_tui.ui.screens.case import CaseScreen

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    app = app_factory()
    add_staff(sqlite_hall, login(sqlite_hall, "admin", "2468"), "1001", "李强", "clerk", "1111")
    c3, c1 = login(sqlite_hall, "1003", "3333"), login(sqlite_hall, "1001", "1111")
    n = cs.intake(
        sqlite_hall,
        c3,
        cs.IntakeRequest(
            "000112002000",
            cs.Applicant("person", "张三", "11010519491231002X", "13800138000"),
            "accept",
            materials_received=["食品经营许可申请书", "营业执照复印件"],
        ),
    ).number
    cs.handover(sqlite_hall, c3, n, to="1001", reason="调岗")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1003", "3333", window=3)
        app.push_screen(CaseScreen(n))
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.view is not None
        screen = app.screen
        assert screen.check_action("acknowledge", ()) is False  # the sender is not offered 接收
        assert screen.check_action("complete", ()) is not False
        cs.acknowledge(sqlite_hall, c1, n)  # at 1001's terminal
        # another terminal's change: the app notices it on its poll timer
        assert await wait_for(pilot, lambda: screen.view.owner_number == "1001", tries=100)
        assert "李强" in app.export_screenshot()


async def test_override_box_keeps_why_and_clears_a_refusal_when_the_pin_is_retyped(app_factory):
    from clerk_tui.services.errors import OverrideRequired, PermissionDenied
    from clerk_tui.ui.dialogs.case import CaseActionDialog

    def act(values, override):
        if override is None:
            raise OverrideRequired("延期需要带班领导授权")
        if override.pin != "9999":
            raise PermissionDenied("带班领导授权未通过：工号或 PIN 不正确，再错4次将锁定")
        return f"已批准（{override.by}：{override.reason}）"

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "9001", "9999")
        dialog = CaseActionDialog("延期", "办件 X", [("days", "延长的工作日", "")], act)
        app.push_screen(dialog)
        await pilot.pause()
        await pilot.press("2", "enter")
        await settle(pilot)
        assert dialog.need_override
        assert "延期需要带班领导授权" in str(dialog.query_one("#override-why", Static).render())
        await pilot.press(*"9001", "enter", *"0000", "enter", *"同意", "enter")
        await settle(pilot)
        assert "再错4次" in str(dialog.query_one(".error", Static).render())
        dialog.query_one("#o-pin", Input).focus()
        await pilot.press("backspace")  # retyping the PIN: the old refusal goes
        assert str(dialog.query_one(".error", Static).render()) == ""
        assert "延期需要带班领导授权" in str(dialog.query_one("#override-why", Static).render())
        await pilot.press("backspace", "backspace", "backspace", *"9999", "enter", "enter")
        await settle(pilot)
        assert dialog.done is not None
        assert "已批准（9001：同意）" in str(dialog.done)


async def test_the_administrator_unlocks_a_locked_supervisor_from_the_hall_screen(app_factory, sqlite_hall):
    from clerk_tui.services.errors import AuthError
    from clerk_tui.ui.dialogs.ticket import FormDialog

    for _ in range(5):
        with pytest.raises(AuthError):
            login(sqlite_hall, "9001", "0000")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "admin", "2468")
        screen = app.screen
        summary = screen.query_one("#hall-summary", Static)
        await settle(pilot)
        assert "已锁定的工号" in str(summary.render())
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        await pilot.press(*"9001", "enter")
        await settle(pilot)
        assert app.screen.done is not None
        await pilot.press("enter")
        await settle(pilot)
        assert "已锁定的工号" not in str(summary.render())
    assert login(sqlite_hall, "9001", "9999").role == "supervisor"


async def test_esc_on_a_filled_intake_asks_before_throwing_it_away(app_factory, sqlite_hall, monkeypatch):
    from clerk_tui.ui.dialogs.ticket import PickDialog
    from clerk_tui.ui.screens.intake import IntakeScreen

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        console = await _called_food_ticket(pilot, sqlite_hall)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen) and app.screen.item is not None
        intake = app.screen
        await _fill_applicant(pilot, intake)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PickDialog)
        await pilot.press("enter")  # the first choice: keep filling in
        await settle(pilot)
        assert app.screen is intake
        assert intake.query_one("#a-name", Input).value == "张三[bold]"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PickDialog)
        await pilot.press("down", "enter")  # give it up
        await settle(pilot)
        assert app.screen is console


def test_intake_screen_snapshot(app_factory, sqlite_hall, snap_compare, monkeypatch):
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")

    async def run_before(pilot):

        await _called_food_ticket(pilot, sqlite_hall)
        await pilot.press("s")
        await settle(pilot)
        await _fill_applicant(pilot, pilot.app.screen)
        pilot.app.screen.query_one("#materials", DataTable).focus()
        await pilot.press("space")
        await pilot.pause(0.2)
        pilot.app.clear_notifications()  # the 开始办理 toast times out: whether it is up depends on load
        await pilot.pause()

    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run_before)


async def test_guide_desk_prints_the_ticket_and_retries_an_offline_printer(sqlite_hall, tmp_path, monkeypatch):
    from clerk_tui.printing.escpos import decode
    from clerk_tui.services import printing as pr
    from clerk_tui.settings import PrintSettings
    from tests.test_printing import FakePrinter, _free_port

    monkeypatch.setattr(Settings, "state_dir", property(lambda self: tmp_path / "state"))
    admin = login(sqlite_hall, "admin", "2468")
    add_staff(sqlite_hall, admin, "8001", "林晓燕", "guide", "1111")
    port = _free_port()
    settings = Settings(
        database=str(sqlite_hall.url.database), printing=PrintSettings(ticket=f"tcp://127.0.0.1:{port}", width=58)
    )
    app = make_app(settings, sqlite_hall)
    async with app.run_test(size=SIZE) as pilot:
        await _guide_issues_jhdj(pilot, "0")
        await pilot.press("enter")
        await settle(pilot)
        job = pr.list_jobs(sqlite_hall, READER)[0]
        assert (job.document, job.subject, job.status) == ("ticket", "B001", "pending")
        printer = FakePrinter(port)  # the printer comes back
        try:
            await pilot.press("ctrl+r")
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            await settle(pilot)
            assert "B001" in decode(printer.received[0])
        finally:
            printer.close()


async def test_window_console_opens_an_inquiry_and_refers_it(app_factory, sqlite_hall, monkeypatch):
    from clerk_tui.services import queue as q
    from clerk_tui.services import responsibility as rs

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    q.issue_ticket(sqlite_hall, login(sqlite_hall, "8001", "1111"), queue="D")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1003", "3333", window=3)
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press(*"问婚姻登记", "enter", "enter", "enter", "enter")
        await settle(pilot)
        await pilot.press("enter")  # on to the outcome
        await pilot.pause(0.2)
        await pilot.press("down", "enter")  # 引导至窗口
        await pilot.pause(0.2)
        assert app.screen.query_one("#f-ticket", Input).value == "D001"  # the person's own ticket
        await pilot.press(*"B", "enter", "enter")
        await settle(pilot)
        [inquiry] = rs.list_inquiries(sqlite_hall, READER)
        assert (inquiry.outcome, inquiry.ticket, inquiry.responder) == ("referred", "D001", "1003")
        moved = q.get_ticket(sqlite_hall, "D001")
        assert (moved.queue, moved.priority) == ("B", "referral")
        await pilot.press("enter")
        monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:50:00")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert [a.kind for a in app.screen.alerts] == ["referral_unacknowledged"]


async def test_rating_pad_asks_after_a_finished_service_and_takes_a_bad_rating(sqlite_hall, monkeypatch):
    from textual.widgets import SelectionList

    from clerk_tui.services import queue as q
    from clerk_tui.services import ratings as rt
    from clerk_tui.ui.rating_pad import make_rating_pad

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T10:00:00")
    admin = login(sqlite_hall, "admin", "2468")
    add_staff(sqlite_hall, admin, "1003", "王敏", "clerk", "3333")
    clerk = login(sqlite_hall, "1003", "3333", window=3)
    q.open_window(sqlite_hall, clerk, 3)
    app = make_rating_pad(Settings(database=str(sqlite_hall.url.database)), sqlite_hall, 3, timeout=30)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        assert app.visit is None
        t = q.issue_ticket(sqlite_hall, clerk, queue="D")  # another terminal serves someone
        q.call_next(sqlite_hall, clerk, 3)
        q.finish_service(sqlite_hall, clerk, t.number, 3)
        # another terminal's change: the app notices it on its poll timer
        await wait_for(pilot, lambda: app.visit is not None)
        assert app.visit.ticket == t.number and app.visit.clerk == "王敏"
        await pilot.press("2")
        await pilot.pause(0.2)
        assert app.query_one("#reasons", SelectionList).has_focus
        await pilot.press("space", "enter")  # the first reason: 等候时间长
        await settle(pilot)
        [f] = rt.list_followups(sqlite_hall, READER)
        assert (f.ticket, f.level, f.reasons) == (t.number, 2, "等候时间长")
        await settle(pilot)
        # the next applicant starts with nothing ticked, and Enter alone does not tick anything
        monkeypatch.setattr("clerk_tui.ui.rating_pad.THANKS_SECONDS", 0)
        app.thanks_until = 0
        t2 = q.issue_ticket(sqlite_hall, clerk, queue="D")
        q.call_next(sqlite_hall, clerk, 3)
        q.finish_service(sqlite_hall, clerk, t2.number, 3)
        # another terminal's change: the app notices it on its poll timer
        await wait_for(pilot, lambda: app.visit is not None and app.visit.ticket == t2.number)
        assert list(app.query_one("#reasons", SelectionList).selected) == []
        await pilot.press("1", "enter")
        await pilot.pause(0.3)
        assert len(rt.list_followups(sqlite_hall, READER)) == 1 and app.visit is not None  # asked for a reason
        assert "请用空格勾选" in str(app.query_one("#pad-status", Static).render())


async def test_rating_pad_times_out_as_not_rated(sqlite_hall, monkeypatch):
    from sqlmodel import select

    from clerk_tui.services import queue as q
    from clerk_tui.store.engine import read_session
    from clerk_tui.store.models import Rating
    from clerk_tui.ui.rating_pad import make_rating_pad

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T10:00:00")
    admin = login(sqlite_hall, "admin", "2468")
    add_staff(sqlite_hall, admin, "1003", "王敏", "clerk", "3333")
    clerk = login(sqlite_hall, "1003", "3333", window=3)
    q.open_window(sqlite_hall, clerk, 3)
    t = q.issue_ticket(sqlite_hall, clerk, queue="D")
    q.call_next(sqlite_hall, clerk, 3)
    q.finish_service(sqlite_hall, clerk, t.number, 3)
    app = make_rating_pad(Settings(database=str(sqlite_hall.url.database)), sqlite_hall, 3, timeout=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)

        def rated():
            with read_session(sqlite_hall) as s:
                return s.exec(select(Rating)).first()

        # the pad's poll timer records 未评价 once the timeout has passed
        await wait_for(pilot, lambda: rated() is not None, tries=80)
        assert rated().level is None


async def test_display_after_a_transfer_shows_the_ticket_only_at_its_new_window(app_factory, sqlite_hall):
    """Call at window 3, transfer (F10) to window 1, call there: the banner and the list agree."""
    from clerk_tui.services import queue as q
    from clerk_tui.ui.display import make_display

    admin = login(sqlite_hall, "admin", "2468")
    add_staff(sqlite_hall, admin, "1004", "李强", "clerk", "4444")
    other = login(sqlite_hall, "1004", "4444", window=1)
    q.open_window(sqlite_hall, other, 1)
    q.issue_ticket(sqlite_hall, other, queue="D")  # D001
    q.issue_ticket(sqlite_hall, other, queue="A")  # A001
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1003", "3333", window=3)
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert app.screen.panel.current.number == "D001"
        q.call_next(sqlite_hall, other, 1)  # A001 at window 1, meanwhile
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("1", "enter", *"需综合窗口办理", "enter")
        await settle(pilot)
        assert "已转往1号窗口" in app.screen.done
    q.finish_service(sqlite_hall, other, "A001", 1)
    assert q.call_next(sqlite_hall, other, 1).ticket.number == "D001"
    display = make_display(Settings(database="x"), sqlite_hall, FakeAnnouncer(available=False))
    async with display.run_test(size=SIZE) as pilot:
        await settle(pilot)
        banner = str(display.query_one("#now-calling", Static).render())
        recent = display.query_one("#recent", Static).content
        assert "请D001号到1号窗口办理" in banner
        assert [(c.number, c.window) for c in display.board.calls] == [("D001", 1), ("A001", 1)]
        from rich.console import Console

        console = Console(width=60)
        with console.capture() as shown:
            console.print(recent)
        assert "A001" in shown.get() and "D001" not in shown.get()  # not "D001 3号" beside the banner


def test_every_letter_key_is_bound_in_both_cases_on_every_screen():
    """An audit, not one screen: a letter key shown as H works as h and H everywhere."""
    import importlib
    import pkgutil

    from textual.dom import DOMNode

    import clerk_tui.ui

    for module in pkgutil.walk_packages(clerk_tui.ui.__path__, "clerk_tui.ui."):
        importlib.import_module(module.name)
    classes, stack = [], [DOMNode]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("clerk_tui."):
                classes.append(sub)
    letters = 0
    for cls in classes:
        keys = {key for key in cls._merged_bindings.key_to_bindings}
        for key in keys:
            if len(key) == 1 and key.isalpha():
                letters += 1
                assert key.swapcase() in keys, f"{cls.__name__}: {key} bound without {key.swapcase()}"
    assert letters > 20  # the audit saw the screens' letter keys


async def test_report_keys_work_in_upper_case(app_factory, sqlite_hall, tmp_path, monkeypatch):
    from clerk_tui.ui.screens.reports import ReportScreen

    monkeypatch.setattr("clerk_tui.settings.default_data_dir", lambda: tmp_path)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "9001", "9999")
        app.push_screen(ReportScreen())
        screen = app.screen
        await settle(pilot)
        for key, by in (("W", "window"), ("C", "clerk"), ("D", "department"), ("H", "hall")):
            await pilot.press(key)
            await settle(pilot)
            assert screen.by == by
        await pilot.press("X")
        await settle(pilot)
        assert list((tmp_path / "reports").glob("*.xlsx"))


async def test_a_refused_rejection_puts_the_cursor_in_the_reason_and_arrows_move_between_fields(
    app_factory, sqlite_hall, monkeypatch
):
    from clerk_tui.services import cases as cs

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await _called_food_ticket(pilot, sqlite_hall)
        await pilot.press("s")
        await settle(pilot)
        await _fill_applicant(pilot, app.screen)
        await pilot.press("f8")  # 不予受理
        await settle(pilot)
        dialog = app.screen
        await pilot.press("enter", "enter")  # through the reason and the department, to the phone
        assert dialog.focused.id == "f-competent_phone"
        await pilot.press("up", "up")  # ↑ goes back up the fields
        assert dialog.focused.id == "f-reason"
        await pilot.press("down", "down", "enter")  # confirm without a reason
        await settle(pilot)
        assert dialog.focused.id == "f-reason"  # the field at fault, not the phone
        await pilot.press(*"不属于本机关职权范围", "enter", "enter", "enter")
        await settle(pilot)
        assert dialog.query_one("#f-reason", Input).value == "不属于本机关职权范围"
        assert dialog.query_one("#f-competent_phone", Input).value == ""
        assert [c.status for c in cs.list_cases(sqlite_hall, READER)] == ["rejected"]


async def test_the_referral_dialog_takes_up_and_a_refused_phone_gets_the_cursor(app_factory, sqlite_hall):

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1003", "3333", window=3)
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        dialog = app.screen
        await pilot.press(*"问婚姻登记", "down", "down", *"12ab", "up")
        assert dialog.focused.id == "f-name"
        await pilot.press("down", "down", "enter")  # on the item code (last): submit
        await settle(pilot)
        assert dialog.focused.id == "f-phone"


async def test_a_checkbox_says_ticked_or_not_in_text(app_factory):
    from clerk_tui.ui.dialogs.case import CaseActionDialog

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "1003", "3333", window=3)
        app.push_screen(
            CaseActionDialog(
                "补交材料：请确认",
                "",
                [],
                lambda values, override: "",
                choices=[("a", "营业执照复印件"), ("b", "法定代表人身份证")],
                choices_label="补交的材料",
            )
        )
        await pilot.pause()
        await pilot.press("space")  # tick the first
        await pilot.pause()
        choices = app.screen.query_one("#choices")
        lines = [choices.render_line(y).text for y in range(2)]
        assert lines[0].startswith("[x] 营业执照复印件") and lines[1].startswith("[ ] 法定代表人身份证")


def screen_text(app) -> str:
    """What the terminal shows, as plain text (wide characters once each)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


LONG_NAME = "浙江省金华市婺城区城北街道人民路幸福小区" * 3  # 60 characters


def _long_named_case(sqlite_hall):
    from clerk_tui.services import cases as cs

    c3 = login(sqlite_hall, "1003", "3333")
    return cs.intake(
        sqlite_hall,
        c3,
        cs.IntakeRequest(
            "000112002000",
            cs.Applicant("organisation", LONG_NAME, "91350100M000100Y43", "13800138000", "张三", "李四"),
            "accept",
            materials_received=["食品经营许可申请书", "营业执照复印件"],
        ),
    ).number


async def test_the_case_list_uses_the_width_it_has_and_the_case_screen_shows_a_long_name_whole(
    app_factory, sqlite_hall, monkeypatch
):
    from clerk_tui.ui.screens.case import CaseScreen
    from clerk_tui.ui.screens.case_list import CaseListScreen

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    number = _long_named_case(sqlite_hall)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, "1003", "3333", window=3)
        app.push_screen(CaseListScreen())
        await settle(pilot)
        await pilot.pause(0.1)
        wide = app.screen.query_one("#cases", DataTable)
        shown = wide.render_line(1).text  # the first row under the header
        assert "食品经营许可" in shown and LONG_NAME[:20] in shown  # not cut to 8 cells
        assert sum(col.width + 2 for col in wide.columns.values()) >= 110  # the width is used
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.2)
        narrow = app.screen.query_one("#cases", DataTable).render_line(1).text
        assert number in narrow and "…" in narrow and LONG_NAME not in narrow
        app.push_screen(CaseScreen(number))
        await settle(pilot)
        await wait_for(pilot, lambda: LONG_NAME[:10] in screen_text(app))
        text = screen_text(app)
        assert LONG_NAME in "".join(line.strip() for line in text.splitlines())  # wrapped, yet all there


async def test_the_supervisor_sees_the_cases_at_risk_and_the_waiting_queues_first_at_80x24(
    app_factory, sqlite_hall, monkeypatch
):
    from clerk_tui.services import queue as q
    from clerk_tui.ui.screens.supervisor import SupervisorScreen

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    number = _long_named_case(sqlite_hall)  # 食品经营许可, promised by 12-03, owner 王敏
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-12-07T09:30:00")  # two working days late
    guide = login(sqlite_hall, "8001", "1111")
    q.issue_ticket(sqlite_hall, guide, queue="B")
    q.issue_ticket(sqlite_hall, guide, queue="D")
    q.issue_ticket(sqlite_hall, guide, queue="D")
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "9001", "9999")
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        await settle(pilot)
        await pilot.pause(0.2)
        cases = screen.query_one("#sup-cases", DataTable)
        header, row = cases.render_line(0).text, cases.render_line(1).text
        assert [c.number for c in screen.board.at_risk] == [number]
        for words in (number, "食品经营许可", "王敏", "超期2个工作日"):
            assert words in row
        from rich.cells import cell_len

        for label, value in (("事项", "食品经营许可"), ("承办人", "王敏"), ("剩余工作日", "超期")):
            # each header over its column, in screen cells
            assert cell_len(header[: header.index(label)]) == cell_len(row[: row.index(value)])
        queues = screen.query_one("#sup-queues", DataTable)
        assert queues.render_line(1).text.split()[:3] == ["D", "商事登记", "2"]  # most people waiting first
        assert queues.render_line(2).text.split()[:3] == ["B", "婚姻登记", "1"]
        # In sight at 80x24, once the screen has laid out what the poll brought (the compositor draws
        # on its next refresh, which a loaded machine may not have reached yet).
        shown = await wait_for(pilot, lambda: "超期2个工作日" in screen_text(app) and "D 商事登记" in screen_text(app))
        assert shown, screen_text(app)


async def test_at_80x24_the_palette_offers_f12_and_a_dialog_keeps_its_title_in_sight(
    app_factory, sqlite_hall, monkeypatch
):
    from textual.command import CommandList

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await _called_food_ticket(pilot, sqlite_hall)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"注销")
        commands = app.screen.query_one(CommandList)
        await settle(pilot)
        assert commands.option_count and "F12" in str(commands.get_option_at_index(0).prompt)
        await pilot.press("escape")
        await pilot.pause(0.2)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        dialog = app.screen
        dialog._ask_override("需要带班领导授权")  # the tallest form: three fields and the override box
        await pilot.pause(0.1)
        await pilot.press("down", "down", "down", "down", "down")  # to the last field, scrolling the form
        await pilot.pause(0.2)
        assert dialog.focused.id == "o-reason"
        box = dialog.query_one("Vertical")
        assert box.scroll_y > 0  # the form did scroll
        assert await wait_for(pilot, lambda: "不予受理：请确认" in screen_text(app))


async def test_an_error_stays_on_the_error_line_until_the_next_success_and_toasts_go_by_themselves(
    app_factory, sqlite_hall
):
    from clerk_tui.services import queue as q
    from clerk_tui.ui.widgets.error_line import ErrorLine

    q.issue_ticket(sqlite_hall, login(sqlite_hall, "8001", "1111"), queue="D")
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "1003", "3333", window=3)
        console = app.screen
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("f7")  # 过号 before the recalls: refused, and the clerk must act (recall first)
        await settle(pilot)
        assert console.query(ErrorLine) and console.query_one(ErrorLine).text
        line = console.query_one(ErrorLine)
        assert line.text.startswith("过号未完成：") and "重呼" in line.text
        assert all(n.severity != "error" for n in app._notifications)  # not a toast as well
        for _ in range(3):
            app.notify("本终端未配置打印机", severity="warning", timeout=60)  # e.g. a printing warning, repeated
        await pilot.pause(0.1)
        assert [n.message for n in app._notifications].count("本终端未配置打印机") == 1  # not stacked
        assert all(n.timeout <= 8 for n in app._notifications)  # goes away by itself
        await pilot.pause(0.5)
        assert line.text  # still there
        await pilot.press("f6")  # a recall: done, so the error is dealt with
        await settle(pilot)
        assert not line.text


async def test_a_refusal_about_the_applicant_puts_the_cursor_in_the_intake_field(app_factory, sqlite_hall, monkeypatch):
    from clerk_tui.services import cases as cs
    from clerk_tui.ui.widgets.error_line import ErrorLine

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _called_food_ticket(pilot, sqlite_hall)
        await pilot.press("s")
        await settle(pilot)
        intake = app.screen
        await _fill_applicant(pilot, intake)
        intake.query_one("#a-phone", Input).value = "12ab"
        intake.query_one("#materials", DataTable).focus()
        await pilot.press("f7")  # 补正: nothing to type in the dialog
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is intake
        assert intake.focused.id == "a-phone"
        assert "电话号码" in intake.query_one(ErrorLine).text
        assert not cs.list_cases(sqlite_hall, READER)


async def test_at_80x24_the_override_fields_come_into_sight_with_the_cursor(app_factory):
    """A tall step dialog on a short terminal: when a rule asks for a supervisor, the override box
    is scrolled into sight and the cursor is in its first field, so the PIN is not typed blind."""
    from clerk_tui.services.errors import OverrideRequired
    from clerk_tui.ui.dialogs.case import CaseActionDialog

    def act(values, override):
        if override is None:
            raise OverrideRequired(
                "证件号码未通过校验（申请人：身份证号校验位错误：第18位应为“X”而不是“1”），继续办理需要带班领导授权"
            )
        return "已受理"

    body = "\n".join(f"材料{i}：已收到" for i in range(12))
    fields = [("reason", "不予许可的理由", ""), ("note", "备注", "")]
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "9001", "9999")
        dialog = CaseActionDialog(
            "即办",
            body,
            fields,
            act,
            choices=[("approved", "准予许可"), ("denied", "不予许可")],
            choices_label="办理结果",
            single=True,
        )
        app.push_screen(dialog)
        await pilot.pause()
        await pilot.press("space")  # 准予许可, then Enter in the last field submits
        dialog.query_one("#f-note", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert dialog.need_override
        o_by = dialog.query_one("#o-by", Input)
        assert o_by.has_focus
        x, y = o_by.region.offset
        assert 0 <= y < 24 and app.screen.get_widget_at(x + 2, y)[0] is o_by  # on screen, not below its edge


async def test_a_pin_set_by_someone_else_is_changed_at_login_before_the_console(tmp_path, monkeypatch):
    """A real hall (not the demo-marked mini hall): the clerk's PIN was set by the administrator, so
    the login asks for a new one twice; a mismatch or an obvious PIN is refused in the dialog; Esc
    goes back to the login; the new PIN opens the console, and the old one no longer logs in."""
    from clerk_tui.services.errors import AuthError
    from clerk_tui.services.setup import init_database
    from clerk_tui.store.engine import make_engine
    from clerk_tui.ui.dialogs.pin import ChangePinDialog
    from tests.conftest import MINI_HALL

    monkeypatch.setattr(Settings, "state_dir", property(lambda self: tmp_path / "state"))
    engine = make_engine(str(tmp_path / "real.db"))
    init_database(engine, catalog=MINI_HALL, admin_pin="80537291")
    add_staff(engine, login(engine, "admin", "80537291"), "1003", "王敏", "clerk", "805372")
    app = make_app(Settings(database=str(tmp_path / "real.db")), engine)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1003", "805372", window=3)
        assert isinstance(app.screen, ChangePinDialog) and app.actor is None
        await pilot.press("escape")
        assert isinstance(app.screen, LoginScreen)
        assert "PIN 未修改" in str(app.screen.query_one("#login-error", Static).render())
        await log_in(pilot, "1003", "805372", window=3)
        dialog = app.screen
        assert isinstance(dialog, ChangePinDialog)

        async def type_twice(first, again):
            dialog.query_one("#new-pin", Input).value = first
            dialog.query_one("#new-pin-again", Input).value = again
            dialog.query_one("#new-pin-again", Input).focus()
            await pilot.press("enter")
            await settle(pilot)

        await type_twice("61829437", "61829438")
        assert "不一致" in str(dialog.query_one(".error", Static).render())
        await type_twice("123456", "123456")
        assert "容易被猜中" in str(dialog.query_one(".error", Static).render())
        assert app.screen is dialog
        await type_twice("61829437", "61829437")
        await settle(pilot)
        assert isinstance(app.screen, WindowConsole) and app.actor is not None
        assert not app.actor.must_change_pin and app.screen.panel.status == "open"
    with pytest.raises(AuthError):
        login(engine, "1003", "805372")
    assert not login(engine, "1003", "61829437").must_change_pin
    engine.dispose()


async def test_a_typed_invisible_character_is_said_not_dropped_silently(app_factory):
    """Textual's Input drops a key whose character is not printable (U+200B, U+202E from an input
    method) without a word; the app says what was typed and that it was not taken."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        number = app.screen.query_one("#number", Input)
        number.focus()
        await pilot.press("1", "\u200b", "\u202e", "0")
        await pilot.pause()
        assert number.value == "10"
        shown = [n.message for n in app._notifications]
        assert any("U+200B" in m and "不能输入" in m for m in shown), shown


async def test_a_choice_not_made_is_said_with_the_cursor_on_the_choices(app_factory):
    """办结 with neither 准予 nor 不予 ticked: said on the dialog, the cursor on the choices (it went
    to the reason field, which was not what was missing), and nothing is sent to the service."""
    from textual.widgets import SelectionList

    from clerk_tui.ui.dialogs.case import CaseActionDialog

    calls = []
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "9001", "9999")
        dialog = CaseActionDialog(
            "办结",
            "办件 X",
            [("reason", "不予许可的理由", "准予时可留空")],
            lambda values, override: calls.append(values) or "已办结",
            choices=[("approved", "准予许可"), ("denied", "不予许可")],
            choices_label="结果（空格选中）",
            single=True,
        )
        app.push_screen(dialog)
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert not calls and isinstance(dialog.focused, SelectionList)
        assert "准予许可”或“不予许可" in screen_text(app)
        await pilot.press("space", "enter")  # tick 准予 and confirm
        await settle(pilot)
        assert calls and calls[0]["selected"] == ["approved"]


async def test_the_supervisor_sees_a_public_device_gone_dark(app_factory, sqlite_hall, monkeypatch):
    """A display heard from a minute ago is counted online; one silent for over 2 minutes (or never
    heard from) is named in red with its last contact."""
    from clerk_tui.services import devices
    from clerk_tui.ui.screens.supervisor import SupervisorScreen

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T10:00:00")
    supervisor = login(sqlite_hall, "9001", "9999")
    east = devices.add_device(sqlite_hall, supervisor, "display", "大厅东屏").token
    devices.add_device(sqlite_hall, supervisor, "display", "大厅西屏[b]")
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T10:05:00")
    devices.touch(sqlite_hall, devices.authenticate(sqlite_hall, east, "display"), devices.ContactClock())
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "9001", "9999")
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        assert await wait_for(pilot, lambda: screen.board is not None and screen.board.devices)
        summary = screen.query_one("#sup-summary", Static)
        await settle(pilot)
        text = str(summary.render())
        assert "公共设备 1 台在线" in text and "叫号大屏 大厅西屏[b] 失联（从未联系）" in text
        assert "大厅东屏" not in text
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T10:08:00")  # the east display silent for 3 minutes
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "9001", "9999")
        screen = app.screen
        assert await wait_for(pilot, lambda: screen.board is not None and screen.board.devices)
        await settle(pilot)
        text = str(screen.query_one("#sup-summary", Static).render())
        assert "公共设备 0 台在线" in text and "大厅东屏 失联（10:05 后无联系）" in text
