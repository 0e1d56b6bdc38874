"""The demo hall as the README walks through it, and the two scripts a new user runs on it:
window 3's case walkthrough has someone to call at any hour, ``demo`` says again where the demo is
when its TUI quits, render_escpos.py draws the demo's 80-mm tickets whole, and bench_startup.py
reports its first-frame figure although Textual captures stdout inside the app."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"


@pytest.fixture(scope="module")
def demo_at_ten(tmp_path_factory, demo_file):
    """One copy of the demo built at 10:00 (conftest's demo_file), shared by the tests that only
    read it or print from it."""
    from tests.conftest import copy_mini_hall

    mp = pytest.MonkeyPatch()
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    copy_mini_hall(demo_file("2026-11-27T10:00:00"), path)
    mp.setenv("CLERK_TUI_NOW", "2026-11-27T10:00:00")
    from clerk_tui.store.engine import make_engine

    engine = make_engine(str(path))
    yield engine, path
    engine.dispose()
    mp.undo()


def test_the_demo_is_marked_as_a_demo_and_a_hall_is_not(demo_at_ten, tmp_path):
    from clerk_tui.services.marks import is_demo
    from clerk_tui.services.setup import init_database
    from clerk_tui.store.engine import make_engine

    engine, _ = demo_at_ten
    assert is_demo(engine)
    hall = make_engine(str(tmp_path / "hall.db"))
    assert not is_demo(hall)  # no schema yet
    init_database(hall, admin_pin="24681357")
    assert not is_demo(hall)  # a hall made by init
    hall.dispose()


@pytest.mark.parametrize("at", ["2026-11-27T00:20:00", "2026-11-27T07:45:00", "2026-11-26T23:50:00"])
def test_window_3_has_someone_to_call_at_any_hour(demo_at, at):
    """The README's case walkthrough: log in as 1003 at window 3, F5 calls a ticket, F8 starts it and
    S takes in its item. F5 runs call_next for the logged-in clerk; it used to find nobody waiting
    (没有等候的号) because the queues window 3 serves were empty."""
    from clerk_tui.services import queue as q
    from clerk_tui.services.catalog import get_item
    from clerk_tui.services.setup import DEMO_PIN
    from clerk_tui.services.staff import login

    engine = demo_at(at)  # build_demo with the clock at ``at`` (once per run), copied
    try:
        panel = q.window_panel(engine, 3)
        assert panel.status == "open" and panel.current is None  # free: F5 is the walkthrough's first key
        assert sum(r.waiting for r in panel.queues) >= 3  # enough for 收件, 即办 and a rating after them
        clerk = login(engine, "1003", DEMO_PIN, window=3, terminal=True)
        first = q.call_next(engine, clerk, 3)
        assert first.ticket is not None, first
        assert first.ticket.business_date == dt.date.fromisoformat(at[:10])
        item = get_item(engine, first.ticket.item_code)
        assert 3 in item.windows  # S 收件受理 preselects an item this window handles
        q.start_service(engine, clerk, first.ticket.number, 3)
        q.finish_service(engine, clerk, first.ticket.number, 3)
        assert q.call_next(engine, clerk, 3).ticket is not None  # and the next person after that
    finally:
        engine.dispose()


async def test_window_3_walkthrough_f5_calls_at_the_console(demo_at_ten):
    """The same through the TUI, as written: 1003, window 3, F5 shows the called ticket."""
    from textual.widgets import Input

    from clerk_tui.services import queue as q
    from clerk_tui.settings import Settings
    from clerk_tui.ui.app import make_app
    from clerk_tui.ui.screens.window_console import WindowConsole

    engine, path = demo_at_ten
    app = make_app(Settings(database=str(path)), engine)
    async with app.run_test(size=(120, 40)) as pilot:
        for field_id, text in (("#number", "1003"), ("#pin", "123456"), ("#window", "3")):
            app.screen.query_one(field_id, Input).value = text
        app.screen.query_one("#pin", Input).focus()
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, WindowConsole) and app.screen.panel is not None
        assert app.screen.panel.current is None
        await pilot.press("f5")
        await _settle(pilot)
        assert app.screen.panel is not None and app.screen.panel.current is not None
        number = app.screen.panel.current.number
        assert q.window_panel(engine, 3).current.number == number and number[0] in "ALR"  # window 3's queues


async def _settle(pilot, rounds=20):
    """Wait for the service calls the last keys started, and for what their results do on screen."""
    for _ in range(rounds):
        await pilot.pause()
        busy = [w for w in pilot.app.workers if not w.is_finished]
        if not busy:
            return
        await pilot.app.workers.wait_for_complete(busy)


def test_demo_says_where_it_is_after_the_tui_quits(tmp_path, monkeypatch):
    """`make demo` opens the TUI over the lines that say where the demo database is; when the TUI
    quits they are printed again, with the commands for the display and the rating pad."""
    from textual.app import App
    from typer.testing import CliRunner

    from clerk_tui.cli import app as cli

    db = tmp_path / "hall.db"
    monkeypatch.setenv("CLERK_TUI_DB", str(db))
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-27T10:00:00")
    ran = []
    run = App.run

    async def quit_at_login(pilot):
        await pilot.pause()
        ran.append(type(pilot.app.screen).__name__)
        pilot.app.exit()

    # The real app, headless, quit as soon as its login screen is up (the person pressing Ctrl+Q).
    monkeypatch.setattr(App, "run", lambda self, **kw: run(self, headless=True, auto_pilot=quit_at_login))
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert ran == ["LoginScreen"]
    before, _, after = result.output.partition("演示数据库：")
    assert str(db) in before  # said before the TUI opened, and again after it:
    assert after.startswith(str(db))
    lines = after.splitlines()
    assert any(x.startswith("  ") and x.endswith(f"--db {db} --staff 8001 display") for x in lines)  # whole, to paste
    assert any(x.startswith("  ") and x.endswith(f"--db {db} --staff 1003 rating-pad --window 3") for x in lines)
    assert f"{tmp_path}/demo-papers/tickets.bin" in after


def test_demo_without_tui_says_it_once(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from clerk_tui.cli import app as cli

    db = tmp_path / "hall.db"
    monkeypatch.setenv("CLERK_TUI_DB", str(db))
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-27T10:00:00")
    result = CliRunner().invoke(cli, ["demo", "--no-tui"])
    assert result.exit_code == 0, result.output
    assert result.output.count(f"--db {db} --staff 8001 display") == 1
    assert result.output.count(f"--db {db} serve") == 1
    # The demo's display: its URL (with its token, said once) lets a browser in as that display.
    [url] = [x.strip() for x in result.output.splitlines() if "/display?t=" in x]
    from clerk_tui.services.devices import authenticate
    from clerk_tui.store.engine import make_engine

    engine = make_engine(str(db))
    assert url.startswith("http://127.0.0.1:8765/display?t=")
    assert authenticate(engine, url.partition("t=")[2], "display").device.name == "大厅叫号屏"
    # …and its window 3's rating pad and the hall's kiosk, each by its own URL.
    [pad] = [x.strip() for x in result.output.splitlines() if "/pad?t=" in x]
    [kiosk] = [x.strip() for x in result.output.splitlines() if "/kiosk?t=" in x]
    assert authenticate(engine, pad.partition("t=")[2], "pad").window == 3
    assert authenticate(engine, kiosk.partition("t=")[2], "kiosk").device.name == "大厅自助取号机"
    engine.dispose()
    assert "演示数据库：" not in result.output
    assert "演示的号票写入" not in result.output  # no TUI here, so no demo printer: promise none


def _print_ticket(engine, number: str, printer: str, width: int) -> None:
    from clerk_tui.services import printing
    from clerk_tui.services.setup import demo_actor as _demo_actor
    from clerk_tui.settings import PrintSettings

    cfg = PrintSettings(ticket=printer, papers=str(Path(printer.removeprefix("file://")).parent))
    printing.print_paper(engine, _demo_actor(engine, "8001"), "ticket", number, cfg=cfg, width=width)


def test_render_escpos_reads_the_width_of_the_demo_tickets(demo_at_ten, tmp_path):
    """The demo's tickets are 80 mm (48 columns): the renderer finds that in the papers and draws
    the hall's name and phone whole; a 58-mm ticket is still drawn at 32 columns."""
    sys.path.insert(0, str(SCRIPTS))
    try:
        import render_escpos
    finally:
        sys.path.remove(str(SCRIPTS))
    from clerk_tui.services.queue import list_tickets
    from clerk_tui.services.setup import demo_actor

    engine, _ = demo_at_ten
    number = next(t.number for t in list_tickets(engine, demo_actor(engine, "8001"), status="waiting"))
    wide, narrow = tmp_path / "t80.bin", tmp_path / "t58.bin"
    _print_ticket(engine, number, f"file://{wide}", 80)
    _print_ticket(engine, number, f"file://{narrow}", 58)
    assert render_escpos.widest_line(wide.read_bytes()) == 48
    assert render_escpos.detect_columns(wide.read_bytes()) == 48
    assert render_escpos.detect_columns(narrow.read_bytes()) == 32
    assert render_escpos.detect_columns(wide.read_bytes() + wide.read_bytes()) == 48  # a tickets.bin of many

    out = tmp_path / "t80.png"
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "render_escpos.py"), str(wide), str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "48 columns" in done.stdout and "warning" not in done.stderr
    from PIL import Image

    assert Image.open(out).width == 48 * 12 + 2 * 16
    # Told 32 columns for an 80-mm paper, it draws what was asked and says a line does not fit.
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "render_escpos.py"), str(wide), str(tmp_path / "c.png"), "--columns", "32"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0 and "48 columns wide" in done.stderr
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "render_escpos.py"), str(narrow), str(tmp_path / "n.png"), "--width", "58"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0 and "32 columns" in done.stdout
    assert Image.open(tmp_path / "n.png").width == 32 * 12 + 2 * 16


def test_render_escpos_on_a_missing_file_says_so(tmp_path):
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "render_escpos.py"), str(tmp_path / "none.bin"), str(tmp_path / "x.png")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 2 and "does not exist" in done.stderr and "Traceback" not in done.stderr


def test_bench_startup_prints_its_first_frame_figures():
    """Textual captures print() while an app runs (headless, it writes the text to the original
    stdout without flushing it) and the children end with os._exit: without PYTHONUNBUFFERED, as on
    most machines, the figure never left the child and the script died with IndexError. The
    children now report through a copy of the real stdout's descriptor."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLERK_TUI") and k != "PYTHONUNBUFFERED"}
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "bench_startup.py"), "--runs", "1", "--tui-only"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    assert "textual hello-world, first frame" in done.stdout
    line = next(x for x in done.stdout.splitlines() if x.startswith("clerk-tui run, first frame"))
    assert float(line.split("ratio")[1].split("x")[0]) > 0


@pytest.mark.parametrize("at", ["2026-11-27T10:00:00", "2026-11-27T00:20:00"])
def test_demo_shows_the_service_modes_and_a_case_in_the_back_office_for_days(demo_at, at):
    """The README's modes walkthrough: a 全程代办 case carried by 周文斌 (8002), a 上门服务 case with
    its address, one taken in after hours, and at the 住建局 window a case in the back office for
    days (and one that came back), all counted by ``report modes``; the audit holds."""
    from clerk_tui.services import audit
    from clerk_tui.services import cases as cs
    from clerk_tui.services.mode_report import mode_report
    from clerk_tui.services.setup import demo_actor

    engine = demo_at(at)
    sup = demo_actor(engine, "9001")
    views = [cs.get_case(engine, sup, c.number, audit=False) for c in cs.list_cases(engine, sup, limit=1000)]
    agency = [v for v in views if v.service_mode == "agency"]
    visit = [v for v in views if v.service_mode == "visit"]
    assert [v.agency_staff for v in agency] == ["周文斌（8002）"]
    assert len(visit) == 1 and visit[0].visit_address and visit[0].ticket == ""
    assert any(v.after_hours for v in views)
    (waiting,) = [v for v in views if v.back_office_since is not None]
    assert waiting.department == "县住房和城乡建设局" and waiting.owner_number != "1003"  # not window 3's walkthrough
    assert waiting.back_office_minutes >= 3 * 24 * 60 and "在后场审批" in waiting.back_office_text
    report = mode_report(engine, sup, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert (report.total.agency, report.total.visit, report.total.sent_back, report.total.in_back_office) == (
        1,
        1,
        2,
        1,
    )
    assert audit.verify(engine, sup).ok


def test_demo_serves_its_devices_while_the_tui_runs(tmp_path, monkeypatch):
    """`make demo` starts `clerk-tui serve` on 127.0.0.1 beside the TUI: the display, the pad for
    window 3 and the kiosk are registered and their URLs printed, a waiting ticket's status page
    opens while the TUI runs, and the server stops when the TUI quits."""
    import re
    import socket
    import urllib.request

    import typer
    from textual.app import App
    from typer.testing import CliRunner

    from clerk_tui.cli import app as cli

    db = tmp_path / "hall.db"
    monkeypatch.setenv("CLERK_TUI_DB", str(db))
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-27T10:00:00")
    printed: list[str] = []  # what the demo said before its TUI opened
    answers: dict[str, int] = {}
    echo, run = typer.echo, App.run

    def echo_and_keep(message=None, *args, **kw):
        printed.append(str(message))
        return echo(message, *args, **kw)

    async def open_the_pages(pilot):
        await pilot.pause()
        for url in re.findall(r"http://127\.0\.0\.1:\d+/(?:display|status)\?t=\S+", "\n".join(printed)):
            request = urllib.request.Request(url, headers={"accept": "text/html"})
            with urllib.request.urlopen(request, timeout=10) as response:
                answers[url.split("?")[0].rsplit("/", 1)[1]] = response.status
        pilot.app.exit()

    monkeypatch.setattr(typer, "echo", echo_and_keep)
    monkeypatch.setattr(App, "run", lambda self, **kw: run(self, headless=True, auto_pilot=open_the_pages))
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert answers == {"display": 200, "status": 200}
    out = result.output
    port = int(re.search(r"公共设备网页服务：http://127\.0\.0\.1:(\d+)（随界面启动", out).group(1))
    for kind in ("display", "pad", "kiosk"):
        assert f"http://127.0.0.1:{port}/{kind}?t=" in out
    assert f"http://127.0.0.1:{port}/status?t=" in out and "号票上的二维码" in out
    assert (tmp_path / "demo-serve.log").exists()  # its log, not over the TUI
    with socket.socket() as s:  # stopped with the TUI
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_demo_no_serve_opens_the_tui_without_the_server(tmp_path, monkeypatch):
    from textual.app import App
    from typer.testing import CliRunner

    from clerk_tui.cli import app as cli

    monkeypatch.setenv("CLERK_TUI_DB", str(tmp_path / "hall.db"))
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-27T10:00:00")
    run = App.run

    async def quit_at_once(pilot):
        await pilot.pause()
        pilot.app.exit()

    monkeypatch.setattr(App, "run", lambda self, **kw: run(self, headless=True, auto_pilot=quit_at_once))
    result = CliRunner().invoke(cli, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "随界面启动" not in result.output and "公共设备网页服务（在另一个终端运行）" in result.output
    assert not (tmp_path / "demo-serve.log").exists()
