"""Print jobs (打印任务): the ticket or case is already committed; a job row is committed before
the printer is touched, so a jammed or offline printer leaves a pending job to retry and never
loses what the clerk saved. A second print of the same paper is a reprint (补打), marked on paper
with its count, and an event."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.printing import documents as docs
from clerk_tui.printing.escpos import decode, encode
from clerk_tui.printing.fonts import FontError, find_font
from clerk_tui.printing.layout import PAPER_COLUMNS, QR, Document, Field, Rule, Text, lay_out
from clerk_tui.printing.layout import preview as text_preview
from clerk_tui.printing.pdf import render_pdf
from clerk_tui.printing.transport import PrinterUrlError, PrintFailed, parse_printer, send
from clerk_tui.services import events
from clerk_tui.services.cases import notice_materials, read_case
from clerk_tui.services.catalog import get_hall, get_item
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import ServiceError, oserror_words, unknown_print_job
from clerk_tui.services.files import write_atomic
from clerk_tui.services.queue import get_ticket, normalise_number
from clerk_tui.services.tx import transaction
from clerk_tui.settings import PrintSettings
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import PrintJob

CASE_DOCUMENTS = ("receipt", "supplement-notice", "rejection-notice", "completion-notice")
DOCUMENTS = ("ticket", *CASE_DOCUMENTS, "item-notice")


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
        return {"pending": "待打印", "printed": "已打印"}.get(self.status, self.status)

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
        return docs.ticket_document(get_ticket(engine, subject, day), hall, templates, reprint)

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
    pending with the reason; it never undoes the ticket or case."""
    _require_paper(actor, document, "print")
    url = printer or (cfg.ticket if document == "ticket" else cfg.receipt)
    if not url:
        raise ServiceError(
            "没有指定打印机：请用 --printer，或在设置 [printing] 中配置 "
            + ("ticket" if document == "ticket" else "receipt")
            + " 打印机地址"
        )
    try:
        parse_printer(url)
    except PrinterUrlError as exc:
        raise ServiceError(str(exc)) from exc
    w = _width(width, cfg)
    key = _subject_key(document, subject)
    day = day or (clock.today() if document == "ticket" else None)
    build(engine, document, key, cfg, day=day, missing=missing)  # refuse a bad paper before any row

    def queue(session: Session) -> int:
        earlier = _papers_before(session, document, key, day)  # the first paper made is the original
        job = PrintJob(
            document=document,
            subject=key,
            business_date=day,
            printer=url,
            width=w,
            reprint=int(earlier),
            options=json.dumps({"missing": missing or []}, ensure_ascii=False),
            staff_id=actor.staff_id,
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
        return job.id

    return _attempt(engine, actor, transaction(engine, queue), cfg)


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
    except (PrintFailed, ServiceError) as exc:
        error = getattr(exc, "message", None) or str(exc)
    except OSError as exc:
        error = f"写入失败（{oserror_words(exc)}）：请检查磁盘空间和目录权限后按“重试”"

    def record(session: Session) -> JobView:
        job = session.get(PrintJob, job_id)
        job.attempts += 1
        if error:
            job.error = error[:400]
        else:
            job.status, job.error, job.printed_at, job.reprint = "printed", "", clock.now(), snapshot.reprint
        session.add(job)
        session.flush()
        events.record(
            session,
            "print.failed" if error else "print.printed",
            actor=actor,
            subject=job.subject,
            document=job.document,
            job=job.id,
            error=error or None,
            reprint=job.reprint,
        )
        return _view(job, warnings, output)

    return transaction(engine, record)


def _deliver(doc: Document, job: PrintJob, cfg: PrintSettings) -> tuple[str, list[str], bytes]:
    """Render and send. Returns (the file written, if any; warnings; the ESC/POS bytes sent)."""
    printer = parse_printer(job.printer)
    if printer.kind == "pdf":
        try:
            font = find_font(cfg.font or None)
        except FontError as exc:
            raise PrintFailed(str(exc)) from exc
        folder = Path(printer.target)
        folder.mkdir(parents=True, exist_ok=True)
        suffix = f"-补打{job.reprint}" if job.reprint else ""
        path = folder / f"{job.document}-{job.subject}{suffix}-{job.id}.pdf"
        paper = render_pdf(doc, font)  # a character no font has is □ and a warning, never dropped

        write_atomic(path, paper.data)
        return str(path), paper.warnings, b""

    try:
        font = find_font(cfg.font or None)
    except FontError:
        font = None  # rare characters fall back to a marker, and the clerk is told
    encoded = encode(
        lay_out(doc, PAPER_COLUMNS[job.width]), PAPER_COLUMNS[job.width], qr_native=cfg.qr == "native", font_path=font
    )
    send(printer, encoded.data)
    return (printer.target if printer.kind == "file" else ""), encoded.warnings, encoded.data


def retry(
    engine: Engine,
    actor: Actor | None,
    job_id: int,
    cfg: PrintSettings = PrintSettings(),
    *,
    printer: str | None = None,
) -> JobView:
    """Try a pending job again, on its printer or on ``printer`` (the one that works now)."""
    require(actor, "print")
    if printer:
        try:
            parse_printer(printer)
        except PrinterUrlError as exc:
            raise ServiceError(str(exc)) from exc

    def check(session: Session) -> None:
        job = session.get(PrintJob, job_id)
        if job is None:
            raise unknown_print_job(job_id)
        if job.status == "printed":
            raise ServiceError(f"打印任务 {job_id} 已打印；要再打一份请用补打（print {job.document} {job.subject}）")
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


def list_jobs(engine: Engine, actor: Actor | None, *, status: str | None = None, limit: int = 100) -> list[JobView]:
    require(actor, "print.read")
    if status and status not in ("pending", "printed"):
        raise ServiceError("状态应为 pending（待打印）或 printed（已打印）")
    with read_session(engine) as session:
        stmt = select(PrintJob)
        if status:
            stmt = stmt.where(PrintJob.status == status)
        return [_view(j) for j in session.exec(stmt.order_by(PrintJob.id.desc()).limit(limit))]


def test_page(
    actor: Actor | None, printer: str, width: int | None = None, cfg: PrintSettings = PrintSettings()
) -> tuple[str, list[str]]:
    """``print test``: Chinese, ASCII, punctuation-only and rare-character lines and a QR code."""
    require(actor, "print")
    try:
        parsed = parse_printer(printer)
    except PrinterUrlError as exc:
        raise ServiceError(str(exc)) from exc
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
