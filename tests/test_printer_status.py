"""Papers that are really on paper (issue 15, part 3): a network or USB printer is asked for its
status (DLE EOT) and must answer in time; a printer that cannot answer leaves the paper 未确认
until the clerk confirms it; papers go only to the printers the settings name (others are the
administrator's) and file:// / pdf:// only inside the papers folder."""

from __future__ import annotations

import json
import os
import select as io
import socket
import threading
import tty

import pytest
from sqlmodel import select

from clerk_tui.printing import escpos, transport
from clerk_tui.services import printing as pr
from clerk_tui.services import queue as q
from clerk_tui.services.context import Actor
from clerk_tui.services.errors import ServiceError
from clerk_tui.services.staff import add_staff, login
from clerk_tui.settings import PrinterEntry, PrintSettings, SettingsError, load_settings
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Event, PrintJob
from tests.test_printing import FOOD, FakePrinter, _wait, at

QUICK = 0.5  # seconds a test printer has to answer its status (every wait below is bounded by it)
PAPER_OUT = {1: 0x1E, 2: 0x32, 4: 0x72}  # offline; stopped by paper end; roll sensor: no paper
COVER_OPEN = {1: 0x1E, 2: 0x16, 4: 0x12}  # offline; cover open; paper present


@pytest.fixture
def staff(hall, admin, now):
    add_staff(hall, admin, "8001", "导办员", "guide", "8888")
    return {"guide": login(hall, "8001", "8888"), "admin": admin}


READER = Actor(0, "reader", "测试", "supervisor")  # reads the print jobs a test made


def _tcp(printer: FakePrinter) -> str:
    return f"tcp://127.0.0.1:{printer.port}"


def _events(hall) -> list[str]:
    with read_session(hall) as s:
        return [e.kind for e in s.exec(select(Event).where(Event.kind.like("print.%")).order_by(Event.id))]


def _print(hall, staff, answers, reads=True):
    t = q.issue_ticket(hall, staff["guide"], item_code=FOOD)
    printer = FakePrinter(answers=answers, reads=reads)
    try:
        job = pr.print_paper(hall, staff["guide"], "ticket", t.number, cfg=at(_tcp(printer), status_timeout=QUICK))
        return t, job, printer
    finally:
        printer.close()


def test_printer_that_accepts_and_never_reads_leaves_the_job_pending(hall, staff):
    _, job, _ = _print(hall, staff, FakePrinter.READY, reads=False)
    assert job.status == "pending" and job.status_name == "待打印" and job.error.startswith("无响应：")
    assert "重试" in job.error and job.printed_at is None
    assert [j.id for j in pr.list_jobs(hall, READER, status="pending")] == [job.id]
    assert _events(hall) == ["print.queued", "print.failed"]


def test_printer_that_reads_but_never_answers_is_no_answer(hall, staff):
    _, job, printer = _print(hall, staff, None)
    assert job.status == "pending" and job.error.startswith("无响应：")
    assert printer.queries == 3 and _wait(lambda: printer.received) and printer.received == [b""]  # never sent


def test_paper_out(hall, staff):
    _, job, printer = _print(hall, staff, PAPER_OUT)
    assert job.status == "pending" and job.error.startswith("缺纸：") and "装好纸" in job.error
    assert _wait(lambda: printer.received) and printer.received == [b""]  # nothing sent to an empty printer
    with read_session(hall) as s:
        failed = s.exec(select(Event).where(Event.kind == "print.failed")).one()
    assert json.loads(failed.payload)["reason"] == "缺纸"


def test_cover_open(hall, staff):
    _, job, _ = _print(hall, staff, COVER_OPEN)
    assert job.status == "pending" and job.error.startswith("开盖：") and "合上盖子" in job.error


def test_paper_out_after_the_paper_was_sent(hall, staff):
    """Ready when asked first, out of paper when asked after the paper: pending, so the clerk looks."""
    t = q.issue_ticket(hall, staff["guide"], item_code=FOOD)
    printer = FakePrinter()

    class Flip(dict):
        def __getitem__(self, n):  # the first three queries come before the paper
            return (FakePrinter.READY if printer.queries <= 3 else PAPER_OUT)[n]

    printer.answers = Flip()
    try:
        job = pr.print_paper(hall, staff["guide"], "ticket", t.number, cfg=at(_tcp(printer), status_timeout=QUICK))
    finally:
        printer.close()
    assert job.status == "pending" and job.error.startswith("缺纸：")
    assert _wait(lambda: printer.received) and t.number in escpos.decode(printer.received[0])


def test_healthy_printer_prints_and_the_paper_is_exactly_the_preview(hall, staff):
    t, job, printer = _print(hall, staff, FakePrinter.READY)
    assert job.status == "printed" and job.status_name == "已打印" and job.error == ""
    assert _wait(lambda: printer.received)
    assert escpos.decode(printer.received[0]) == pr.preview(hall, staff["guide"], "ticket", t.number)
    assert printer.queries == 6  # before and after the paper
    assert _events(hall) == ["print.queued", "print.printed"]


def test_paper_out_then_retry_once_paper_is_loaded(hall, staff):
    t = q.issue_ticket(hall, staff["guide"], item_code=FOOD)
    printer = FakePrinter(answers=PAPER_OUT)
    cfg = at(_tcp(printer), status_timeout=QUICK)
    try:
        job = pr.print_paper(hall, staff["guide"], "ticket", t.number, cfg=cfg)
        assert job.status == "pending" and job.error.startswith("缺纸：")
        printer.answers = FakePrinter.READY  # paper loaded
        again = pr.retry(hall, staff["guide"], job.id, cfg)
        assert again.status == "printed" and again.attempts == 2 and again.error == ""
    finally:
        printer.close()


def test_a_write_to_a_printer_that_stopped_reading_times_out(monkeypatch):
    """The kernel takes a little; a printer that never reads cannot hold the terminal: the
    write gives up after the (here shortened) timeout, with or without the status check."""
    monkeypatch.setattr(transport, "TIMEOUT", QUICK)
    printer = FakePrinter(reads=False)
    try:
        url = transport.parse_printer(_tcp(printer))
        with pytest.raises(transport.PrintFailed, match="没有响应"):
            transport.send(url, b"x" * 32_000_000)  # far more than any socket buffer
        stall = socket.create_connection(("127.0.0.1", printer.port))
        stall.setblocking(False)
        channel = transport._Channel(stall.fileno(), stall.send, stall.recv)  # the status-checked path's writer
        try:
            with pytest.raises(TimeoutError):
                channel.write(b"x" * 32_000_000, QUICK)
            assert channel.read(3, QUICK) == b""  # and a read of an answer that never comes
        finally:
            stall.close()
    finally:
        printer.close()


def test_usb_printer_answers_on_its_device_file(hall, staff):
    """A USB printer's device file is read as well as written: a pseudo-terminal in raw mode
    stands in for /dev/usb/lp0 and answers DLE EOT with paper out."""
    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    got = bytearray()
    stop = threading.Event()

    def printer() -> None:
        while not stop.is_set():
            if not io.select([master], [], [], 0.05)[0]:
                continue
            chunk = os.read(master, 65536)
            got.extend(chunk)
            for n in chunk.split(b"\x10\x04")[1:]:
                if n:
                    os.write(master, bytes([PAPER_OUT[n[0]]]))

    thread = threading.Thread(target=printer, daemon=True)
    thread.start()
    try:
        t = q.issue_ticket(hall, staff["guide"], item_code=FOOD)
        job = pr.print_paper(hall, staff["guide"], "ticket", t.number, cfg=at(f"usb://{path}", status_timeout=QUICK))
        assert job.status == "pending" and job.error.startswith("缺纸："), job.error
        assert bytes(got).startswith(b"".join(transport.DLE_EOT))
    finally:
        stop.set()
        thread.join()
        os.close(slave)
        os.close(master)


def test_printer_without_status_is_unconfirmed_until_the_clerk_confirms(hall, staff):
    t = q.issue_ticket(hall, staff["guide"], item_code=FOOD)
    printer = FakePrinter(answers=None)  # takes the paper, never answers a status query
    url = _tcp(printer)
    cfg = PrintSettings(ticket=url, status_timeout=QUICK, printers=(PrinterEntry(url, "导办台", status=False),))
    try:
        job = pr.print_paper(hall, staff["guide"], "ticket", t.number, cfg=cfg)
        assert job.status == "unconfirmed" and job.status_name == "未确认" and job.printed_at is None
        assert "确认" in job.error and printer.queries == 0
        assert _wait(lambda: printer.received) and t.number in escpos.decode(printer.received[0])
        assert [j.id for j in pr.list_jobs(hall, READER, status="unconfirmed")] == [job.id]
        again = pr.retry(hall, staff["guide"], job.id, cfg)  # it did not come out: print it again
        assert again.status == "unconfirmed" and again.attempts == 2
    finally:
        printer.close()
    done = pr.confirm(hall, staff["guide"], job.id)
    assert done.status == "printed" and done.printed_at is not None and done.error == ""
    with pytest.raises(ServiceError, match="只有“未确认”的任务需要确认"):
        pr.confirm(hall, staff["guide"], job.id)
    assert _events(hall) == ["print.queued", "print.sent", "print.sent", "print.confirmed"]


def test_status_less_printer_in_the_settings_file(tmp_path):
    config = tmp_path / "settings.toml"
    config.write_text(
        '[printing]\nticket = "tcp://10.0.0.5:9100"\nstatus_timeout = 2.5\n'
        '[[printing.printers]]\nurl = "tcp://10.0.0.6:9100"\nname = "二楼"\nstatus = false\n',
        encoding="utf-8",
    )
    cfg = load_settings(config).printing
    assert cfg.status_timeout == 2.5 and cfg.configured() == ["tcp://10.0.0.5:9100", "tcp://10.0.0.6:9100"]
    assert cfg.reports_status("tcp://10.0.0.5:9100") and not cfg.reports_status("tcp://10.0.0.6:9100")
    config.write_text('[[printing.printers]]\nurl = "tcp://x"\nstatus = "no"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="status 应为 true 或 false"):
        load_settings(config)
    config.write_text("[printing]\nstatus_timeout = 0\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="status_timeout"):
        load_settings(config)


def _jobs(hall) -> int:
    with read_session(hall) as s:
        return len(s.exec(select(PrintJob)).all())


def test_file_printers_write_only_inside_the_papers_folder(hall, staff, tmp_path):
    t = q.issue_ticket(hall, staff["guide"], item_code=FOOD)
    papers, outside = tmp_path / "papers", tmp_path / "home"
    papers.mkdir()
    outside.mkdir()
    (papers / "link").symlink_to(outside)
    bashrc = outside / ".bashrc"
    bashrc.write_text("# mine\n", encoding="utf-8")
    for url, said in (
        (f"file://{bashrc}", "不在纸张目录内"),
        (f"file://{papers}/../home/.bashrc", "含“..”"),
        (f"file://{papers}/link/.bashrc", "符号链接"),
        (f"pdf://{outside}", "不在纸张目录内"),
    ):
        # the folder rule holds for everyone, configured or not: the hall's staff printing a paper,
        # the administrator testing a printer
        with pytest.raises(ServiceError, match=said):
            pr.print_paper(hall, staff["guide"], "ticket", t.number, cfg=at(url, papers=str(papers)))
        with pytest.raises(ServiceError, match=said):
            pr.test_page(staff["admin"], url, cfg=at(url, papers=str(papers)))
    assert bashrc.read_text(encoding="utf-8") == "# mine\n" and _jobs(hall) == 0
    inside = papers / "tickets.bin"
    job = pr.print_paper(hall, staff["guide"], "ticket", t.number, cfg=at(f"file://{inside}", papers=str(papers)))
    assert job.status == "printed" and t.number in escpos.decode(inside.read_bytes())
    # Checked again at a retry: a folder turned into a symlink out after the job was made.
    (papers / "sub").write_text("not a folder", encoding="utf-8")
    cfg = at(f"file://{papers}/sub/tickets.bin", papers=str(papers))
    stuck = pr.print_paper(hall, staff["guide"], "ticket", t.number, cfg=cfg)
    assert stuck.status == "pending" and "无法写入" in stuck.error
    (papers / "sub").unlink()
    (papers / "sub").symlink_to(outside)
    with pytest.raises(ServiceError, match="符号链接"):
        pr.retry(hall, staff["guide"], stuck.id, cfg)
    assert not (outside / "tickets.bin").exists() and pr.list_jobs(hall, READER, status="pending")[0].id == stuck.id


def test_ad_hoc_printer_is_the_administrators_alone(hall, staff, tmp_path):
    """Papers go to the printers the settings name. Only the administrator, who sets printers up,
    may name another, and only for a test page: the administrator prints no one's papers (三员分立)."""
    t = q.issue_ticket(hall, staff["guide"], item_code=FOOD)
    papers = tmp_path / "papers"
    configured = PrintSettings(ticket=f"file://{papers}/tickets.bin", papers=str(papers))
    ad_hoc = f"file://{papers}/elsewhere.bin"
    with pytest.raises(ServiceError, match="只有系统管理员可以临时指定打印机"):
        pr.print_paper(hall, staff["guide"], "ticket", t.number, printer=ad_hoc, cfg=configured)
    with pytest.raises(ServiceError, match="无权"):
        pr.print_paper(hall, staff["admin"], "ticket", t.number, printer=ad_hoc, cfg=configured)
    assert _jobs(hall) == 0
    with pytest.raises(ServiceError, match="只有系统管理员"):
        pr.test_page(staff["guide"], ad_hoc, cfg=configured)
    shown, _ = pr.test_page(staff["admin"], ad_hoc, cfg=configured)
    assert "打印测试页" in shown and (papers / "elsewhere.bin").exists()
    # A retry goes to the job's printer only while the settings still name it.
    unplugged = PrintSettings(ticket="usb:///dev/usb/lp9", papers=str(papers))
    pending = pr.print_paper(hall, staff["guide"], "ticket", t.number, cfg=unplugged)
    assert pending.status == "pending"
    with pytest.raises(ServiceError, match="已不可用"):
        pr.retry(hall, staff["guide"], pending.id, configured)
    with pytest.raises(ServiceError, match="只有系统管理员"):
        pr.retry(hall, staff["guide"], pending.id, configured, printer=ad_hoc)
    moved = pr.retry(hall, staff["guide"], pending.id, configured, printer=configured.ticket)
    assert moved.status == "printed" and moved.printer == configured.ticket


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the CLI opens the hall's SQLite file
def test_cli_confirm_and_printer_rule(hall, staff, tmp_path, monkeypatch, capsys):
    from tests.conftest import run_cli

    t = q.issue_ticket(hall, staff["guide"], item_code=FOOD)
    printer = FakePrinter(answers=None)
    config = tmp_path / "settings.toml"
    config.write_text(
        f'[printing]\nticket = "{_tcp(printer)}"\nstatus = false\npapers = "{tmp_path}"\n', encoding="utf-8"
    )
    hall.dispose()
    env = {"CLERK_TUI_DB": str(hall.url.database), "CLERK_TUI_CONFIG": str(config), "CLERK_TUI_STAFF": "8001"}
    for key, value in (env | {"CLERK_TUI_PIN": "8888"}).items():
        monkeypatch.setenv(key, value)

    def run(*args: str) -> tuple[int, str, str]:
        return run_cli(monkeypatch, capsys, args, keep_env=True)

    try:
        code, out, err = run("print", "ticket", t.number)
        assert code == 1 and "未确认" in out and "print confirm" in err
        job = pr.list_jobs(hall, READER)[0]
        code, out, err = run("print", "confirm", str(job.id))
        assert code == 0 and "已打印" in out, err
        code, out, err = run("print", "ticket", t.number, "--printer", f"file://{tmp_path}/x.bin")
        assert code == 1 and "只有系统管理员" in err and not (tmp_path / "x.bin").exists()
    finally:
        printer.close()


async def test_clerk_sees_the_unconfirmed_paper_and_confirms_it_with_one_key(sqlite_hall, tmp_path, monkeypatch):
    from clerk_tui.settings import Settings
    from clerk_tui.ui.app import make_app
    from clerk_tui.ui.screens.print_jobs import PrintJobsScreen
    from tests.conftest import ADMIN_PIN
    from tests.test_ui import SIZE, log_in, settle, wait_for

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    monkeypatch.setattr(Settings, "state_dir", property(lambda self: tmp_path / "state"))
    add_staff(sqlite_hall, login(sqlite_hall, "admin", ADMIN_PIN), "8001", "林晓燕", "guide", "1111")
    guide = login(sqlite_hall, "8001", "1111")
    printer = FakePrinter(answers=None)
    cfg = PrintSettings(ticket=_tcp(printer), status=False)
    try:
        t = q.issue_ticket(sqlite_hall, guide, item_code=FOOD)
        job = pr.print_paper(sqlite_hall, guide, "ticket", t.number, cfg=cfg)
    finally:
        printer.close()
    assert job.status == "unconfirmed"
    app = make_app(Settings(database=str(sqlite_hall.url.database), printing=cfg), sqlite_hall)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "8001", "1111")
        await pilot.press("ctrl+r")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PrintJobsScreen) and app.screen.jobs)
        hint = str(app.screen.query_one("#print-jobs-hint").render())
        assert "未确认 1 个" in hint and "按 C 确认" in hint
        await pilot.press("c")
        await settle(pilot)
        assert await wait_for(pilot, lambda: app.screen.jobs and app.screen.jobs[0].status == "printed")
    assert pr.list_jobs(sqlite_hall, READER)[0].status == "printed"
    assert _events(sqlite_hall)[-1] == "print.confirmed"
