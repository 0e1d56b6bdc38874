"""``clerk-tui print …``: papers to a printer, the text preview, a test page, the job list, retry
and confirming a paper from a printer that cannot report its status.

Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

from typing import Annotated

import typer

from clerk_tui.cli.common import Format, FormatOption, context, emit_json, print_table

app = typer.Typer(
    help="打印：号票、受理通知书、一次性告知书、不予受理通知书、办结通知书；预览、测试、任务、重试与确认。",
    no_args_is_help=True,
)

PrinterOpt = Annotated[
    str | None,
    typer.Option(
        "--printer",
        help="打印机地址（设置中配置的打印机；其他地址仅限系统管理员）：tcp://主机:9100、usb:///dev/usb/lp0、"
        "cups://队列、file:///路径、pdf:///目录（均须在纸张目录内）、dummy:",
    ),
]
WidthOpt = Annotated[int | None, typer.Option("--width", help="纸宽：58、80 或 42（默认取设置 [printing] width）")]
DOC_HELP = {
    "ticket": "打印号票（ID 为今天的号码，如 A001）。",
    "receipt": "打印受理通知书（ID 为办件编号）。",
    "supplement-notice": "打印一次性告知书（补正材料通知书，ID 为办件编号）。",
    "rejection-notice": "打印不予受理通知书（ID 为办件编号）。",
    "completion-notice": "打印办结（领取）通知书（ID 为办件编号）。",
}


def _job_out(job, fmt: Format) -> None:
    if fmt == Format.json:
        emit_json(job.as_json())
    else:
        from clerk_tui.printing.documents import KINDS

        what = f"补打（第{job.reprint:d}次）" if job.reprint else "打印"
        line = f"打印任务 {job.id}：{KINDS.get(job.document, job.document)} {job.subject} {what} → {job.printer}  {job.status_name}"
        typer.echo(line + (f"  文件：{job.output}" if job.output else ""))
        if job.status == "unconfirmed":
            typer.echo(
                f"未确认：{job.error}（打出了：clerk-tui print confirm {job.id}；没有：clerk-tui print retry {job.id}）",
                err=True,
            )
        elif job.error:
            typer.echo(f"未打印：{job.error}（任务已保存，可用 clerk-tui print retry {job.id} 重试）", err=True)
    for warning in job.warnings:
        typer.echo(f"注意：{warning}", err=True)
    if job.status != "printed":
        raise typer.Exit(1)


def _doc_command(document: str) -> None:
    def command(
        ctx: typer.Context,
        subject: Annotated[str, typer.Argument(metavar="ID")],
        printer: PrinterOpt = None,
        width: WidthOpt = None,
        fmt: FormatOption = Format.table,
    ) -> None:
        from clerk_tui.services.printing import print_paper

        c = context(ctx)
        _job_out(
            print_paper(
                c.engine(), c.actor(), document, subject, printer=printer, width=width, cfg=c.settings.printing
            ),
            fmt,
        )

    command.__doc__ = DOC_HELP[document]
    app.command(document)(command)


for _doc in DOC_HELP:
    _doc_command(_doc)


@app.command("preview")
def print_preview(
    ctx: typer.Context,
    document: Annotated[str, typer.Argument(metavar="DOC")],
    subject: Annotated[str, typer.Argument(metavar="ID")],
    width: WidthOpt = None,
) -> None:
    """排版预览（与纸上一字不差）。

    DOC：ticket、receipt、supplement-notice、rejection-notice、completion-notice；ID 同打印命令。"""
    from clerk_tui.services.printing import preview

    c = context(ctx)
    typer.echo(preview(c.engine(), c.actor(), document, subject, width, c.settings.printing), nl=False)


@app.command("test")
def print_test(ctx: typer.Context, printer: PrinterOpt = None, width: WidthOpt = None) -> None:
    """打印测试页（中文、英文数字、纯标点行、生僻字、二维码）。"""
    from clerk_tui.services.errors import ServiceError
    from clerk_tui.services.printing import test_page

    c = context(ctx)
    actor = c.actor()
    url = printer or c.settings.printing.receipt or c.settings.printing.ticket
    if not url:
        raise ServiceError("没有指定打印机：请用 --printer，或在设置 [printing] 中配置打印机地址")
    shown, warnings = test_page(actor, url, width, c.settings.printing)
    typer.echo(shown if shown.endswith("\n") else shown + "\n", nl=False)
    for warning in warnings:
        typer.echo(f"注意：{warning}", err=True)


@app.command("jobs")
def print_jobs(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option("--status", help="pending（待打印）、unconfirmed（未确认）或 printed（已打印）")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """列出打印任务（新的在前）。"""
    from clerk_tui.services.printing import list_jobs

    c = context(ctx)
    jobs = list_jobs(c.engine(), c.actor(), status=status)
    if fmt == Format.json:
        emit_json([j.as_json() for j in jobs])
        return
    from clerk_tui.printing.documents import KINDS

    print_table(
        ["任务", "文书", "对象", "打印机", "状态", "次数", "补打", "原因"],
        [
            [
                j.id,
                KINDS.get(j.document, j.document),
                j.subject,
                j.printer,
                j.status_name,
                j.attempts,
                j.reprint or "",
                j.error,
            ]
            for j in jobs
        ],
    )


@app.command("retry")
def print_retry(ctx: typer.Context, job: int, printer: PrinterOpt = None, fmt: FormatOption = Format.table) -> None:
    """重试一个未打印或未确认的任务（可用 --printer 改到设置中的另一台打印机）。"""
    from clerk_tui.services.printing import retry

    c = context(ctx)
    _job_out(retry(c.engine(), c.actor(), job, c.settings.printing, printer=printer), fmt)


@app.command("confirm")
def print_confirm(ctx: typer.Context, job: int, fmt: FormatOption = Format.table) -> None:
    """确认一个“未确认”任务的纸已打出（不能报告状态的打印机）；没打出请用 print retry 重打。"""
    from clerk_tui.services.printing import confirm

    c = context(ctx)
    _job_out(confirm(c.engine(), c.actor(), job), fmt)
