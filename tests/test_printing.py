"""Printing: layout rules, ESC/POS bytes decoded back against the preview, a fake network printer,
pending jobs and retries, reprints, PDFs read back, bad input."""

import json
import socket
import threading

import pytest
from sqlmodel import select

from clerk_tui.printing import escpos
from clerk_tui.printing.layout import PAPER_COLUMNS, QR, Document, Field, Rule, Text, lay_out, preview, text_width, wrap
from clerk_tui.printing.transport import DUMMY_OUTPUT, PrinterUrlError, parse_printer
from clerk_tui.services import cases as cs
from clerk_tui.services import printing as pr
from clerk_tui.services import queue as q
from clerk_tui.services.errors import NotFound, PermissionDenied, ServiceError
from clerk_tui.services.staff import add_staff, login
from clerk_tui.settings import PrintSettings
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Event, PrintJob

ID1 = "11010519491231002X"
FOOD = "000112002000"
FOOD_ALL = ["食品经营许可申请书", "营业执照复印件"]


# ---------------------------------------------------------------- layout


@pytest.mark.parametrize("columns", [32, 42, 48])
@pytest.mark.parametrize(
    "text",
    [
        "请携带本人有效的居民身份证和户口簿原件到窗口办理，谢谢。",
        "办件编号YX202611260001已受理，承诺办结日期2026年12月03日。",
        "申请人：欧阳娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜，身份证号110105********002X，电话13800138000。",
        "ASCII only: the quick brown fox jumps over the lazy dog 0123456789",
        "，。、；：？！（）《》“”",
        "生僻字𠮷在这里，后面还有很多很多很多很多很多很多的字。",
        "1、原居民身份证【必需·原件1份】（换领时交回）和《居民身份证申领登记表》（现场填写），还有“照片”一张（白底）。",
        "一二三四五六七八九十一二三四（五）六七八九十一二三四五六七八九十一二三四五（六）七八九十一二三四五六《七》",
    ],
)
def test_wrap_fits_never_splits_numbers_never_starts_with_closing(columns, text):
    lines = wrap(text, columns)
    assert all(text_width(line) <= columns for line in lines)
    assert "".join(line.replace(" ", "") for line in lines) == text.replace(" ", "")
    for token in ("YX202611260001", "110105********002X", "13800138000", "0123456789"):
        if token in text:
            assert any(token in line for line in lines), (token, lines)
    if not set(text) <= set("，。、；：？！（）《》“”"):
        for line in lines[1:]:
            assert line[0] not in "，。、；：？！）》”", lines
        for line in lines[:-1]:
            assert line.rstrip()[-1] not in "（《“【「", lines  # 避尾


def test_char_widths_are_paper_widths():
    assert text_width("A001号") == 6 and text_width("“—①") == 6 and text_width("￥12.50") == 7


def test_long_number_is_cut_only_when_wider_than_the_line():
    assert wrap("A" * 40, 32) == ["A" * 32, "A" * 8]


def _sample_doc():
    return Document("ticket", "号票", "A001").add(
        Text("云溪县政务服务中心", align="center"),
        Text("A001", align="center", size=2, bold=True),
        Field("事项", "内地居民结婚登记（000105002000）"),
        Rule(),
        QR("YX:20261126:A001"),
        Text("，。、；：？！"),
        Text("张三[bold]，请到3号窗口"),
    )


@pytest.mark.parametrize("width", [58, 80, 42])
def test_escpos_bytes_decode_back_to_the_preview(width):
    columns = PAPER_COLUMNS[width]
    doc = _sample_doc()
    encoded = escpos.encode(lay_out(doc, columns), columns)
    assert encoded.data.startswith(b"\x1b@\x1c&")  # init, then Chinese mode
    assert "云溪县".encode("gb18030") in encoded.data
    assert "，。、；：？！".encode("gb18030") in encoded.data  # punctuation-only lines are not ???
    assert b"\x1d!\x11" in encoded.data and b"\x1dV" in encoded.data  # GS ! double size, cut
    assert escpos.decode(encoded.data) == preview(doc, columns)
    assert "[二维码：YX:20261126:A001]" in preview(doc, columns)
    assert "张三[bold]" in preview(doc, columns)


def test_qr_as_image_for_printers_without_native_qr():
    columns = 48
    data = escpos.encode(lay_out(_sample_doc(), columns), columns, qr_native=False).data
    assert b"\x1dv0" in data and b"(k" not in data
    assert "[图像]" in escpos.decode(data)


def test_rare_character_becomes_marker_and_warning_without_a_font_that_has_it():
    lines = lay_out(Document("ticket", "t", "x").add(Text("申请人：𠮷祥")), 32)
    encoded = escpos.encode(lines, 32, font_path=None)
    assert "□祥".encode("gb18030") in encoded.data
    assert encoded.warnings and "𠮷" in encoded.warnings[0]


def test_rare_character_line_printed_as_image_when_the_font_has_it(monkeypatch):
    from clerk_tui.printing import fonts

    font = fonts.find_font()  # a system font, else the packaged Noto Sans CJK
    monkeypatch.setattr(escpos, "needs_image", lambda text: "祥" in text)  # as if 祥 were outside the printer font
    encoded = escpos.encode(lay_out(Document("ticket", "t", "x").add(Text("申请人：吉祥")), 32), 32, font_path=font)
    assert b"\x1dv0" in encoded.data and not encoded.warnings


@pytest.mark.parametrize(
    "url,kind,target",
    [
        ("tcp://192.168.1.50:9100", "tcp", "192.168.1.50:9100"),
        ("tcp://printer", "tcp", "printer:9100"),
        ("usb:///dev/usb/lp0", "usb", "/dev/usb/lp0"),
        ("cups://receipts", "cups", "receipts"),
        ("file:///tmp/x.bin", "file", "/tmp/x.bin"),
        ("pdf:///srv/papers", "pdf", "/srv/papers"),
        ("dummy:", "dummy", ""),
    ],
)
def test_printer_urls(url, kind, target):
    p = parse_printer(url)
    assert (p.kind, p.target) == (kind, target)


@pytest.mark.parametrize(
    "url", ["ftp://x", "tcp://", "tcp://host:99999", "usb://dev/usb/lp0", "cups://", "", "pdf://rel"]
)
def test_malformed_printer_urls_are_named(url):
    with pytest.raises(PrinterUrlError, match="打印机地址"):
        parse_printer(url)


# ---------------------------------------------------------------- jobs through the services


@pytest.fixture
def people(hall, admin, now):
    add_staff(hall, admin, "1001", "李强", "clerk", "1111", department="县市场监督管理局")
    add_staff(hall, admin, "8001", "导办员", "guide", "8888")
    return {"c1": login(hall, "1001", "1111", window=3), "guide": login(hall, "8001", "8888")}


class FakePrinter:
    """A network ESC/POS printer on 127.0.0.1 that keeps what it receives and answers DLE EOT
    (0x10 0x04 n) with ``answers[n]`` (a ready printer by default); ``answers=None`` never
    answers, ``reads=False`` accepts the connection and never reads."""

    READY = {1: 0x16, 2: 0x12, 4: 0x12}

    def __init__(self, port: int = 0, answers: dict[int, int] | None = READY, reads: bool = True) -> None:
        self.answers, self.reads = answers, reads
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []  # the papers, without the status queries
        self.queries = 0
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if not self.reads:
                self.held.append(conn)  # kept open, never read
                continue
            data = bytearray()
            with conn:
                pending = b""
                while chunk := conn.recv(65536):
                    pending += chunk
                    while (at := pending.find(b"\x10\x04")) >= 0 and len(pending) > at + 2:
                        data += pending[:at]
                        n, pending = pending[at + 2], pending[at + 3 :]
                        self.queries += 1
                        if self.answers is not None:
                            conn.sendall(bytes([self.answers[n]]))
                    if b"\x10" not in pending[-2:]:
                        data, pending = data + pending, b""
                data += pending
            self.received.append(bytes(data))

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def at(url: str, **kw) -> PrintSettings:
    """Settings that name ``url`` as this terminal's printers (any role may print there)."""
    return PrintSettings(ticket=url, receipt=url, **kw)


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _wait(predicate, seconds=3.0):
    import time

    end = time.time() + seconds
    while time.time() < end and not predicate():
        time.sleep(0.02)
    return predicate()


def test_ticket_over_tcp_matches_preview(hall, people):
    t = q.issue_ticket(hall, people["guide"], item_code=FOOD)
    printer = FakePrinter()
    try:
        job = pr.print_paper(
            hall, people["guide"], "ticket", t.number.lower(), cfg=at(f"tcp://127.0.0.1:{printer.port}"), width=58
        )
        assert job.status == "printed" and job.reprint == 0
        assert _wait(lambda: printer.received)
        assert escpos.decode(printer.received[0]) == pr.preview(hall, people["c1"], "ticket", t.number, 58)
        assert t.number in escpos.decode(printer.received[0])
    finally:
        printer.close()


def test_offline_printer_leaves_pending_job_then_retry_prints(hall, people):
    t = q.issue_ticket(hall, people["guide"], item_code=FOOD)
    port = _free_port()
    cfg = at(f"tcp://127.0.0.1:{port}")
    job = pr.print_paper(hall, people["guide"], "ticket", t.number, cfg=cfg)
    assert job.status == "pending" and "没有响应" in job.error and job.attempts == 1
    assert q.get_ticket(hall, t.number).status == "waiting"  # the ticket is intact
    assert [j.id for j in pr.list_jobs(hall, people["c1"], status="pending")] == [job.id]
    printer = FakePrinter(port)
    try:
        again = pr.retry(hall, people["guide"], job.id, cfg)
        assert again.status == "printed" and again.attempts == 2 and again.reprint == 0
        assert _wait(lambda: printer.received)
        with pytest.raises(ServiceError, match="已打印"):
            pr.retry(hall, people["guide"], job.id, cfg)
    finally:
        printer.close()
    with read_session(hall) as s:
        kinds = [e.kind for e in s.exec(select(Event).where(Event.kind.like("print.%")).order_by(Event.id))]
    assert kinds == ["print.queued", "print.failed", "print.printed"]


def test_reprint_is_marked_and_counted(hall, people):
    t = q.issue_ticket(hall, people["guide"], item_code=FOOD)
    first = pr.print_paper(hall, people["guide"], "ticket", t.number, printer="dummy:")
    assert "补打" not in escpos.decode(DUMMY_OUTPUT[-1])
    second = pr.print_paper(hall, people["guide"], "ticket", t.number, printer="dummy:")
    assert (first.reprint, second.reprint) == (0, 1)
    assert "补打（第1次）" in escpos.decode(DUMMY_OUTPUT[-1])
    with read_session(hall) as s:
        assert s.exec(select(Event).where(Event.kind == "print.reprint")).first() is not None


def _case(hall, actor, decision="accept", received=FOOD_ALL, **kw):
    return cs.intake(
        hall,
        actor,
        cs.IntakeRequest(
            FOOD, cs.Applicant("person", "张三", ID1, "13800138000"), decision, materials_received=received, **kw
        ),
    )


def test_case_papers_match_their_state(hall, people):
    accepted = _case(hall, people["c1"])
    supp = _case(hall, people["c1"], "supplement", ["食品经营许可申请书"])
    rejected = _case(
        hall,
        people["c1"],
        "reject",
        reason="不属于本机关职权范围",
        competent_department="市市场监管局",
        competent_phone="0571-12345678",
    )
    receipt = pr.preview(hall, people["c1"], "receipt", accepted.number, 80)
    assert accepted.number in receipt and "2026年12月03日" in receipt and "110105********002X" in receipt
    assert ID1 not in receipt
    notice = pr.preview(hall, people["c1"], "supplement-notice", supp.number, 58)
    assert "营业执照复印件" in notice and "一次性" in notice
    rejection = pr.preview(hall, people["c1"], "rejection-notice", rejected.number, 80)
    assert "市市场监管局" in rejection and "行政复议" in rejection and "行政诉讼" in rejection
    assert "0571-12345678" in rejection  # the phone printed as it was typed
    with pytest.raises(ServiceError, match="没有办结通知书"):
        pr.preview(hall, people["c1"], "completion-notice", accepted.number)
    cs.complete(hall, people["c1"], accepted.number, result="approved")
    assert "准予许可" in pr.preview(hall, people["c1"], "completion-notice", accepted.number)
    with pytest.raises(ServiceError, match="没有不予受理通知书"):
        pr.preview(hall, people["c1"], "rejection-notice", accepted.number)


def test_one_time_notice_reprinted_after_the_supplement_lists_what_it_listed(hall, people):
    supp = _case(hall, people["c1"], "supplement", ["食品经营许可申请书"])
    before = pr.preview(hall, people["c1"], "supplement-notice", supp.number, 80)
    cs.supplement(hall, people["c1"], supp.number, ["营业执照复印件"])  # complete: accepted today
    after = pr.preview(hall, people["c1"], "supplement-notice", supp.number, 80)

    def listed(paper: str) -> list[str]:
        return [line for line in paper.splitlines() if line[:1].isdigit() and ". " in line[:4]]

    assert listed(after) == listed(before) == ["1. 营业执照复印件（复印件1份）"]
    never = _case(hall, people["c1"])
    with pytest.raises(ServiceError, match="没有一次性告知书"):
        pr.preview(hall, people["c1"], "supplement-notice", never.number)


def test_pdf_notice_has_case_number_and_masked_id(hall, people, tmp_path):
    from pypdf import PdfReader

    accepted = _case(hall, people["c1"])
    job = pr.print_paper(
        hall, people["c1"], "receipt", accepted.number, cfg=at(f"pdf://{tmp_path}/papers", papers=str(tmp_path))
    )
    assert job.status == "printed" and job.output.endswith(".pdf")
    # pypdf reads fpdf2's CMap for a CFF font (the packaged Noto Sans CJK) with a NUL per character
    text = "".join(page.extract_text() for page in PdfReader(job.output).pages).replace("\x00", "")
    assert accepted.number in text and "110105********002X" in text and ID1 not in text


def test_bad_input_changes_nothing(hall, people, tmp_path):
    t = q.issue_ticket(hall, people["guide"], item_code=FOOD)
    cases = [
        (dict(document="ticket", subject=t.number, printer="ftp://x"), "打印机地址"),
        (dict(document="memo", subject=t.number, printer="dummy:"), "文书"),
        (dict(document="ticket", subject="Z999", printer="dummy:"), "没有 Z999"),
        (dict(document="receipt", subject="TS209901010001", printer="dummy:"), "TS209901010001"),
        (dict(document="ticket", subject=t.number, printer="dummy:", width=76), "纸宽"),
    ]
    for kwargs, words in cases:
        with pytest.raises(ServiceError, match=words):
            pr.print_paper(hall, people["c1"], **kwargs)
    with pytest.raises(PermissionDenied, match="无权"):  # a case's papers are for those who read cases
        pr.print_paper(hall, people["guide"], "receipt", "TS209901010001", printer="dummy:")
    bad_template = tmp_path / "papers.toml"
    bad_template.write_text('[ticket]\ntitle = "{hall_nmae} 号票"\n', encoding="utf-8")
    with pytest.raises(ServiceError, match=r"\{hall_nmae\}"):
        pr.print_paper(
            hall, people["guide"], "ticket", t.number, printer="dummy:", cfg=PrintSettings(templates=str(bad_template))
        )
    not_a_font = tmp_path / "font.ttf"
    not_a_font.write_text("hello", encoding="utf-8")
    job = pr.print_paper(
        hall,
        people["guide"],
        "ticket",
        t.number,
        cfg=at(f"pdf://{tmp_path}/out", font=str(not_a_font), papers=str(tmp_path)),
    )
    assert job.status == "pending" and "不是可用的字体文件" in job.error
    with read_session(hall) as s:
        assert len(s.exec(select(PrintJob)).all()) == 1  # only the one that got as far as the printer
    with pytest.raises(NotFound):
        pr.retry(hall, people["guide"], 999)


def test_templates_change_the_paper(hall, people, tmp_path):
    t = q.issue_ticket(hall, people["guide"], item_code=FOOD)
    custom = tmp_path / "papers.toml"
    custom.write_text(
        '[common]\nheader = ["{hall_name}（{hall_code}）"]\n'
        '[ticket]\ntitle = "取号凭条"\nfooter = ["办事不求人 {hall_phone}"]\nqr = true\n',
        encoding="utf-8",
    )
    text = pr.preview(hall, people["c1"], "ticket", t.number, 80, PrintSettings(templates=str(custom)))
    assert "取号凭条" in text and "测试县政务服务中心（TS）" in text and "[二维码：" in text
    assert "扫码查看排队进度" in text  # the QR code is the ticket's status link (tests/test_ticket_status.py)


def test_item_notice_lists_what_is_missing(hall, people):
    text = pr.preview(hall, people["c1"], "item-notice", FOOD, 58, missing=["营业执照复印件"])
    assert "您还需要准备" in text and "营业执照复印件" in text
    with pytest.raises(ServiceError, match="没有这些材料"):
        pr.preview(hall, people["c1"], "item-notice", FOOD, 58, missing=["户口簿"])


def test_job_json(hall, people):
    t = q.issue_ticket(hall, people["guide"], item_code=FOOD)
    job = pr.print_paper(hall, people["guide"], "ticket", t.number, printer="dummy:")
    data = json.loads(json.dumps(job.as_json()))
    assert data["status"] == "printed" and data["subject"] == t.number and data["reprint"] == 0


def test_retry_on_another_printer(hall, people):
    t = q.issue_ticket(hall, people["guide"], item_code=FOOD)
    job = pr.print_paper(hall, people["guide"], "ticket", t.number, cfg=at("usb:///dev/usb/lp9"))
    assert job.status == "pending" and "USB" in job.error
    with pytest.raises(ServiceError, match="打印机地址"):
        pr.retry(hall, people["guide"], job.id, printer="lpt1:")
    again = pr.retry(hall, people["guide"], job.id, printer="dummy:")
    assert again.status == "printed" and again.printer == "dummy:"
    with read_session(hall) as s:
        assert s.exec(select(Event).where(Event.kind == "print.redirected")).first() is not None


def test_cups_queue_gets_raw_bytes_through_lp(hall, people, tmp_path, monkeypatch):
    out = tmp_path / "lp-received.bin"
    lp = tmp_path / "bin" / "lp"
    lp.parent.mkdir()
    lp.write_text(f'#!/bin/sh\n[ "$1 $2 $3 $4" = "-d receipts -o raw" ] || exit 3\ncat > {out}\n', encoding="utf-8")
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", f"{lp.parent}:/usr/bin:/bin")
    case = _case(hall, people["c1"])
    job = pr.print_paper(hall, people["c1"], "receipt", case.number, cfg=at("cups://receipts"), width=80)
    assert job.status == "printed"
    assert escpos.decode(out.read_bytes()) == pr.preview(hall, people["c1"], "receipt", case.number, 80)


def test_failed_case_paper_leaves_the_case_intact(hall, people):
    case = _case(hall, people["c1"])
    job = pr.print_paper(hall, people["c1"], "receipt", case.number, cfg=at("usb:///dev/usb/lp9"))
    assert job.status == "pending"
    assert cs.get_case(hall, people["c1"], case.number).status == "accepted"


def test_no_cjk_font_names_the_package(monkeypatch, tmp_path):
    from clerk_tui.printing import fonts

    monkeypatch.setattr(fonts, "SOURCES", [])  # no fontconfig, no known path, no packaged font
    monkeypatch.delenv("CLERK_TUI_FONT", raising=False)
    with pytest.raises(fonts.FontError, match="fonts-wqy-microhei"):
        fonts.find_font()
    with pytest.raises(fonts.FontError, match="不存在"):
        fonts.find_font(str(tmp_path / "nope.ttf"))


def test_reprint_number_follows_the_order_the_papers_were_made(hall, people):
    """The first paper of a ticket is the original, a later one 补打N, whatever order their jobs
    came out in: a first job that failed and is retried after a reprint stays the original."""
    t = q.issue_ticket(hall, people["guide"], item_code=FOOD)
    first = pr.print_paper(hall, people["guide"], "ticket", t.number, cfg=at("usb:///dev/usb/lp9"))  # fails
    second = pr.print_paper(hall, people["guide"], "ticket", t.number, printer="dummy:")
    assert (first.status, second.status, second.reprint) == ("pending", "printed", 1)
    assert "补打（第1次）" in escpos.decode(DUMMY_OUTPUT[-1])
    again = pr.retry(hall, people["guide"], first.id, printer="dummy:")
    assert again.status == "printed" and again.reprint == 0 and "补打" not in escpos.decode(DUMMY_OUTPUT[-1])
    third = pr.print_paper(hall, people["guide"], "ticket", t.number, printer="dummy:")
    assert third.reprint == 2 and "补打（第2次）" in escpos.decode(DUMMY_OUTPUT[-1])
    with read_session(hall) as s:
        kinds = [
            e.kind
            for e in s.exec(
                select(Event)
                .where(Event.subject == t.number, Event.kind.in_(("print.queued", "print.reprint")))
                .order_by(Event.id)
            )
        ]
    assert kinds == ["print.queued", "print.reprint", "print.reprint"]


def test_control_characters_held_in_the_database_never_reach_the_printer_raw():
    """Defence in depth: a row written before the text policy (or by hand) with ESC sequences, a
    BEL, NUL or a bidi override prints them as visible stand-ins; the bytes sent carry exactly the
    commands a clean paper carries."""
    from clerk_tui.printing.escpos import decode, encode
    from clerk_tui.printing.layout import Document, Field, Text, lay_out

    def paper(name: str, agent: str) -> bytes:
        doc = Document("receipt", "受理通知书", "SC1").add(Text(name, bold=True), Field("代办人", agent))
        return encode(lay_out(doc, 48), 48).data

    hostile = paper("张三\x1b[2J\x1b]0;PWNED\x07", "李\u202e四\x00")
    clean = paper("张三[2J]0;PWNED", "李四")
    for byte in (0x00, 0x07, 0x1B, 0x1C, 0x1D):
        assert hostile.count(byte) == clean.count(byte), hex(byte)
    text = decode(hostile)
    assert "[2J" in text and "PWNED" in text and "U+202E" in text  # shown, not obeyed
