"""Print jobs (打印任务): the ticket or case is already committed; a job row is committed before
the printer is touched, so a jammed or offline printer leaves a pending job to retry and never
loses what the clerk saved. A second print of the same paper is a reprint (补打), marked on paper
with its count, and an event.

A network or USB printer is asked for its status (DLE EOT) before and after the paper: a silent
printer, paper out or the cover open leaves the job pending with the reason (无响应, 缺纸, 开盖). A
printer marked as one that cannot answer makes the job 未确认 (unconfirmed) until the clerk
confirms it came out or prints it again. Papers go to the printers the settings name; another URL
is the administrator's alone, and file:// and pdf:// write only inside the papers folder."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock, paths
from clerk_tui.domain.roles import ADMIN
from clerk_tui.printing import documents as docs
from clerk_tui.printing.escpos import decode, encode
from clerk_tui.printing.fonts import FontError, find_font
from clerk_tui.printing.layout import PAPER_COLUMNS, QR, Document, Field, Rule, Text, lay_out
from clerk_tui.printing.layout import preview as text_preview
from clerk_tui.printing.pdf import render_pdf
from clerk_tui.printing.transport import (
    STATUS_KINDS,
    Printer,
    PrinterTrouble,
    PrinterUrlError,
    PrintFailed,
    papers_path,
    parse_printer,
    send,
)
from clerk_tui.services import events
from clerk_tui.services.cases import notice_materials, read_case
from clerk_tui.services.catalog import get_hall, get_item
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import PermissionDenied, ServiceError, oserror_words, unknown_print_job
from clerk_tui.services.files import write_atomic
from clerk_tui.services.queue import get_ticket, normalise_number
from clerk_tui.services.tx import transaction
from clerk_tui.settings import PrintSettings
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import PrintJob, id_of

CASE_DOCUMENTS = ("receipt", "supplement-notice", "rejection-notice", "completion-notice")
DOCUMENTS = ("ticket", *CASE_DOCUMENTS, "item-notice")
STATUS_NAMES = {"pending": "待打印", "printed": "已打印", "unconfirmed": "未确认"}
UNCONFIRMED_NOTE = "已发送，但这台打印机不能报告状态：请看纸是否打出，打出了按“确认”，没有就按“重试”重打"


@dataclass(frozen=True)
class JobView:
    id: int
    document: str
    subject: str
    printer: str
    status: str
    attempts: int
    error: str
    reprint: int
    created_at: dt.datetime
    printed_at: dt.datetime | None
    warnings: tuple[str, ...] = field(default=())
    output: str = ""  # the file written (pdf:// and file:// printers)

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "document": self.document,
            "subject": self.subject,
            "printer": self.printer,
            "status": self.status,
            "attempts": self.attempts,
            "error": self.error or None,
            "reprint": self.reprint,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "printed_at": self.printed_at.isoformat(timespec="seconds") if self.printed_at else None,
            "warnings": list(self.warnings),
            "output": self.output or None,
        }


def _width(width: int | None, cfg: PrintSettings) -> int:
    w = width or cfg.width
    if w not in PAPER_COLUMNS:
        raise ServiceError(f"纸宽 {w} 无效：58（32列）、80（48列）或 42（爱普生类80毫米，42列）")
    return w


def _templates(cfg: PrintSettings) -> docs.Templates:
    try:
        return docs.Templates(cfg.templates or None)
    except docs.TemplateError as exc:
        raise ServiceError(str(exc)) from exc


def _hall(engine: Engine) -> docs.HallInfo:
    with read_session(engine) as session:
        h = get_hall(session)
        return docs.HallInfo(h.name, h.code, h.address, h.phone, h.supervision_phone)


def build(
    engine: Engine,
    document: str,
    subject: str,
    cfg: PrintSettings = PrintSettings(),
    *,
    reprint: int = 0,
    day: dt.date | None = None,
    missing: list[str] | None = None,
) -> Document:
    """The document for ``subject`` (a ticket number, a case number, or an item code)."""
    if document not in DOCUMENTS:
        raise ServiceError(f"文书 {document!r} 无效，可用：" + "、".join(f"{k}（{docs.KINDS[k]}）" for k in DOCUMENTS))
    templates, hall = _templates(cfg), _hall(engine)
    if document == "ticket":
        from clerk_tui.services.ticket_status import status_url

        ticket = get_ticket(engine, subject, day)
        return docs.ticket_document(ticket, hall, templates, reprint, status_url(ticket))

    if document == "item-notice":
        item = get_item(engine, subject)
        unknown = [m for m in (missing or []) if m not in {x.name for x in item.materials}]
        if unknown:
            raise ServiceError(f"“{item.name}”没有这些材料：{'、'.join(unknown)}")
        return docs.item_notice_document(item, list(missing or []), hall, templates)

    case = read_case(engine, subject)
    item = get_item(engine, case.item_code)
    ok = {
        "receipt": case.accepted_on is not None,
        "supplement-notice": case.supplement_notices > 0,
        "rejection-notice": case.status == "rejected",
        "completion-notice": case.status in ("completed", "delivered"),
    }[document]
    if not ok:
        raise ServiceError(f"办件 {case.number} 当前为“{case.status_name}”，没有{docs.KINDS[document]}可打印")
    if document == "supplement-notice":
        # While the papers are still missing, the notice lists them; once supplied (or the case moved
        # on), a reprint lists what the latest notice listed when it was issued.
        listed = None if any(not m.received for m in case.materials) else notice_materials(engine, case.number)
        return docs.supplement_document(case, item, hall, templates, reprint, listed=listed)
    builder = {
        "receipt": docs.receipt_document,
        "rejection-notice": docs.rejection_document,
        "completion-notice": docs.completion_document,
    }[document]
    return builder(case, item, hall, templates, reprint)


def _require_paper(actor: Actor | None, document: str, right: str) -> Actor:
    """The right to a paper: a case's papers (receipts, notices) need the right to read cases too."""
    actor = require(actor, right)
    if document in CASE_DOCUMENTS:
        require(actor, "case.read")
    return actor


def preview(
    engine: Engine,
    actor: Actor | None,
    document: str,
    subject: str,
    width: int | None = None,
    cfg: PrintSettings = PrintSettings(),
    **kw,
) -> str:
    """The text layout, exactly the characters that print."""
    _require_paper(actor, document, "print.read")
    return text_preview(build(engine, document, subject, cfg, **kw), PAPER_COLUMNS[_width(width, cfg)])


def _view(job: PrintJob, warnings=(), output: str = "") -> JobView:
    return JobView(
        job.id,
        job.document,
        job.subject,
        job.printer,
        job.status,
        job.attempts,
        job.error,
        job.reprint,
        job.created_at,
        job.printed_at,
        tuple(warnings),
        output,
    )


def _subject_key(document: str, subject: str) -> str:
    if document == "ticket":
        return normalise_number(subject)
    return subject.strip().upper() if document in CASE_DOCUMENTS else subject.strip()


def print_paper(
    engine: Engine,
    actor: Actor | None,
    document: str,
    subject: str,
    *,
    printer: str | None = None,
    width: int | None = None,
    cfg: PrintSettings = PrintSettings(),
    missing: list[str] | None = None,
    day: dt.date | None = None,
) -> JobView:
    """Queue the paper as a job (committed), then try the printer once. A failure leaves the job
    pending with the reason; it never undoes the ticket or case. A self-service kiosk prints
    tickets only, each once (no 补打), on its own printer (``device_printer``)."""
    kiosk = actor is not None and actor.device is not None
    if kiosk:
        require(actor, "kiosk.issue")
        if document != "ticket" or (printer and printer != device_printer(actor, cfg)):
            raise PermissionDenied("自助取号机只能在本机的打印机上打印号票")
        printer = device_printer(actor, cfg)
    else:
        _require_paper(actor, document, "print")
    url = printer or (cfg.ticket if document == "ticket" else cfg.receipt)
    if not url:
        raise ServiceError(
            "没有指定打印机：请用 --printer，或在设置 [printing] 中配置 "
            + ("ticket" if document == "ticket" else "receipt")
            + " 打印机地址"
        )
    check_destination(actor, url, cfg)
    w = _width(width, cfg)
    key = _subject_key(document, subject)
    day = day or (clock.today() if document == "ticket" else None)
    build(engine, document, key, cfg, day=day, missing=missing)  # refuse a bad paper before any row

    def queue(session: Session) -> int:
        earlier = _papers_before(session, document, key, day)  # the first paper made is the original
        if kiosk and earlier:
            raise PermissionDenied(f"{key} 号已打印过，自助取号机不补打：请到导办台补打")
        job = PrintJob(
            document=document,
            subject=key,
            business_date=day,
            printer=url,
            width=w,
            reprint=int(earlier),
            options=json.dumps({"missing": missing or []}, ensure_ascii=False),
            staff_id=actor.staff_ref,
            created_at=clock.now(),
        )
        session.add(job)
        session.flush()
        events.record(
            session,
            "print.reprint" if earlier else "print.queued",
            actor=actor,
            subject=key,
            document=document,
            job=job.id,
            reprint=int(earlier),
            printer=url,
        )
        return id_of(job)

    return _attempt(engine, actor, transaction(engine, queue), cfg)


def device_printer(actor: Actor, cfg: PrintSettings) -> str:
    """A kiosk's printer: the device's (a ``[[printing.printers]]`` name, or a URL), else the
    settings' ticket printer; "" when neither is set (printing then says so)."""
    chosen = actor.device.printer.strip() if actor.device is not None else ""
    for entry in cfg.printers:
        if chosen and entry.name == chosen:
            return entry.url
    return chosen or cfg.ticket


def check_destination(actor: Actor | None, url: str, cfg: PrintSettings) -> Printer:
    """The printer at ``url`` if ``actor`` may send papers there: one the settings name (or
    ``dummy:``, which keeps them in memory) for anyone, any other only for the administrator; a
    file:// or pdf:// printer only inside the papers folder, whoever asks."""
    try:
        printer = parse_printer(url)
    except PrinterUrlError as exc:
        raise ServiceError(str(exc)) from exc
    if printer.kind != "dummy" and url not in cfg.configured() and (actor is None or actor.role != ADMIN):
        named = "、".join(cfg.configured()) or "设置中尚未配置打印机"
        raise ServiceError(
            f"打印机 {url} 不在设置中，只有系统管理员可以临时指定打印机：请用设置中的打印机（{named}），"
            "或请管理员在设置 [printing] 中添加"
        )
    if printer.kind in ("file", "pdf"):
        try:
            papers_path(printer, cfg.papers_folder())
        except PrinterUrlError as exc:
            raise ServiceError(str(exc)) from exc
    return printer


def _papers_before(
    session: Session, document: str, subject: str, day: dt.date | None, *, before: int | None = None
) -> int:
    """How many papers of this document were made before job ``before`` (all of them when None)."""
    stmt = (
        select(func.count())
        .select_from(PrintJob)
        .where(
            PrintJob.document == document,
            PrintJob.subject == subject,
            PrintJob.business_date == day if day else PrintJob.business_date.is_(None),
        )
    )
    if before is not None:
        stmt = stmt.where(PrintJob.id < before)
    return int(session.exec(stmt).one())


def _attempt(engine: Engine, actor: Actor | None, job_id: int, cfg: PrintSettings) -> JobView:
    with read_session(engine) as session:
        job = session.get(PrintJob, job_id)
        if job is None:
            raise unknown_print_job(job_id)
        snapshot = PrintJob(**job.model_dump())
        # The paper's number is its place among the papers of this document in the order they were
        # made: the first is the original, later ones 补打N, whatever order their jobs came out in.
        snapshot.reprint = _papers_before(session, job.document, job.subject, job.business_date, before=job.id)
    warnings: list[str] = []
    output = ""
    error = ""
    reason = ""  # what the printer's status said (无响应, 缺纸, 开盖 …)
    confirmed = True
    try:
        doc = build(
            engine,
            snapshot.document,
            snapshot.subject,
            cfg,
            reprint=snapshot.reprint,
            day=snapshot.business_date,
            missing=json.loads(snapshot.options).get("missing") or None,
        )
        output, warnings, _ = _deliver(doc, snapshot, cfg)
        confirmed = _confirms(snapshot.printer, cfg)
    except PrinterTrouble as exc:
        error, reason = str(exc), exc.reason
    except (PrintFailed, ServiceError) as exc:
        error = getattr(exc, "message", None) or str(exc)
    except OSError as exc:
        error = f"写入失败（{oserror_words(exc)}）：请检查磁盘空间和目录权限后按“重试”"

    def record(session: Session) -> JobView:
        job = session.get(PrintJob, job_id)
        job.attempts += 1
        if error:
            job.status, job.error = "pending", error[:400]
        elif not confirmed:
            job.status, job.error, job.reprint = "unconfirmed", UNCONFIRMED_NOTE, snapshot.reprint
        else:
            job.status, job.error, job.printed_at, job.reprint = "printed", "", clock.now(), snapshot.reprint
        session.add(job)
        session.flush()
        events.record(
            session,
            "print.failed" if error else "print.printed" if confirmed else "print.sent",
            actor=actor,
            subject=job.subject,
            document=job.document,
            job=job.id,
            error=error or None,
            reason=reason or None,
            reprint=job.reprint,
        )
        return _view(job, warnings, output)

    return transaction(engine, record)


def _deliver(doc: Document, job: PrintJob, cfg: PrintSettings) -> tuple[str, list[str], bytes]:
    """Render and send. Returns (the file written, if any; warnings; the ESC/POS bytes sent)."""
    printer = parse_printer(job.printer)
    if printer.kind in ("file", "pdf"):  # the papers folder may have changed since the job was made
        try:
            target = papers_path(printer, cfg.papers_folder())
        except PrinterUrlError as exc:
            raise PrintFailed(str(exc)) from exc
        printer = Printer(printer.kind, str(target), printer.url)
    if printer.kind == "pdf":
        try:
            font = find_font(cfg.font or None)
        except FontError as exc:
            raise PrintFailed(str(exc)) from exc
        folder = Path(printer.target)
        paths.private_dir(folder)  # papers hold personal data: a folder it makes is owner-only
        suffix = f"-补打{job.reprint}" if job.reprint else ""
        path = folder / f"{job.document}-{job.subject}{suffix}-{job.id}.pdf"
        paper = render_pdf(doc, font)  # a character no font has is □ and a warning, never dropped

        write_atomic(path, paper.data)
        return str(path), paper.warnings, b""

    glyphs: str | None  # the font the thermal path draws rare characters from, if any
    try:
        glyphs = find_font(cfg.font or None)
    except FontError:
        glyphs = None  # rare characters fall back to a marker, and the clerk is told
    encoded = encode(
        lay_out(doc, PAPER_COLUMNS[job.width]), PAPER_COLUMNS[job.width], qr_native=cfg.qr == "native", font_path=glyphs
    )
    send(printer, encoded.data, status=cfg.reports_status(job.printer), status_timeout=cfg.status_timeout)
    return (printer.target if printer.kind == "file" else ""), encoded.warnings, encoded.data


def _confirms(url: str, cfg: PrintSettings) -> bool:
    """Whether a paper that reached ``url`` is known to be printed: a network or USB printer that
    cannot answer its status leaves it for the clerk to confirm."""
    return parse_printer(url).kind not in STATUS_KINDS or cfg.reports_status(url)


def retry(
    engine: Engine,
    actor: Actor | None,
    job_id: int,
    cfg: PrintSettings = PrintSettings(),
    *,
    printer: str | None = None,
) -> JobView:
    """Try a pending or unconfirmed job again, on its printer if the settings still name it, or on
    ``printer`` (one they name; any for the administrator)."""
    require(actor, "print")
    if printer:
        check_destination(actor, printer, cfg)

    def check(session: Session) -> None:
        job = session.get(PrintJob, job_id)
        if job is None:
            raise unknown_print_job(job_id)
        if job.status == "printed":
            raise ServiceError(f"打印任务 {job_id} 已打印；要再打一份请用补打（print {job.document} {job.subject}）")
        if not printer:
            try:
                check_destination(actor, job.printer, cfg)
            except ServiceError as exc:
                raise ServiceError(
                    f"任务 {job_id} 的打印机已不可用（{exc.message}）：请选一台设置中的打印机重试（--printer）"
                ) from exc
        if printer and printer != job.printer:
            events.record(
                session,
                "print.redirected",
                actor=actor,
                subject=job.subject,
                job=job.id,
                before=job.printer,
                printer=printer,
            )
            job.printer = printer
            session.add(job)

    transaction(engine, check)
    return _attempt(engine, actor, job_id, cfg)


def confirm(engine: Engine, actor: Actor | None, job_id: int) -> JobView:
    """The clerk saw the paper of an unconfirmed job come out: it is printed."""
    require(actor, "print")

    def mark(session: Session) -> JobView:
        job = session.get(PrintJob, job_id)
        if job is None:
            raise unknown_print_job(job_id)
        if job.status != "unconfirmed":
            raise ServiceError(
                f"打印任务 {job_id} 是“{STATUS_NAMES.get(job.status, job.status)}”，只有“未确认”的任务需要确认"
                + ("；未打印的请重试" if job.status == "pending" else "")
            )
        job.status, job.error, job.printed_at = "printed", "", clock.now()
        session.add(job)
        session.flush()
        events.record(session, "print.confirmed", actor=actor, subject=job.subject, document=job.document, job=job.id)
        return _view(job)

    return transaction(engine, mark)


def list_jobs(engine: Engine, actor: Actor | None, *, status: str | None = None, limit: int = 100) -> list[JobView]:
    require(actor, "print.read")
    if status and status not in STATUS_NAMES:
        raise ServiceError("状态应为 pending（待打印）、unconfirmed（未确认）或 printed（已打印）")
    with read_session(engine) as session:
        stmt = select(PrintJob)
        if status:
            stmt = stmt.where(PrintJob.status == status)
        return [_view(j) for j in session.exec(stmt.order_by(PrintJob.id.desc()).limit(limit))]


def test_page(
    actor: Actor | None, printer: str, width: int | None = None, cfg: PrintSettings = PrintSettings()
) -> tuple[str, list[str]]:
    """``print test``: Chinese, ASCII, punctuation-only and rare-character lines and a QR code, on
    a printer the settings name. It holds no one's data: the hall's staff print it, and the
    administrator, who sets printers up, may also name any printer (check_destination)."""
    require(actor, "print.test")
    parsed = check_destination(actor, printer, cfg)
    w = _width(width, cfg)
    doc = Document("ticket", "打印测试", "TEST").add(
        Text("打印测试页", align="center", size=2, bold=True),
        Rule(),
        Field("纸宽", f"{w}毫米，{PAPER_COLUMNS[w]}列"),
        Text("中文：政务服务中心窗口终端"),
        Text("ASCII: ABC abc 0123456789 YX202611260001"),
        Text("，。、；：？！（）《》“”"),
        Text("生僻字：𠮷（需图像打印）"),
        Text("金额：￥12.50"),
        QR("clerk-tui"),
        Rule(),
    )
    fake = PrintJob(id=0, document="ticket", subject="TEST", printer=printer, width=w, created_at=clock.now())
    try:
        output, warnings, data = _deliver(doc, fake, cfg)
    except PrintFailed as exc:
        raise ServiceError(str(exc)) from exc

    return (output if parsed.kind == "pdf" else decode(data)), warnings  # what went to the printer
