"""``clerk-tui ticket …``: the queue — issue, call, recall, no-show, transfer, list.

Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

from typing import Annotated

import typer

from clerk_tui.cli.common import Format, FormatOption, context, emit_json, emit_rows

app = typer.Typer(help="号票：取号、叫号、重呼、过号、转办。", no_args_is_help=True)

WindowOpt = Annotated[int, typer.Option("--window", help="窗口号")]


def show_ticket(view, fmt: Format, extra: dict | None = None) -> None:
    if fmt == Format.json:
        emit_json(view.as_json() | (extra or {}))
        return
    line = f"{view.number}  {view.queue} {view.queue_name}  {view.status_name}"
    if view.priority != "none":
        line += f"  {view.priority_name}优先"
    if view.status == "waiting":
        line += f"  前面还有{view.waiting_ahead}人"
    if view.window:
        line += f"  {view.window}号窗口"
    typer.echo(line)
    for value in (extra or {}).values():
        if value:
            typer.echo(str(value))


@app.command("issue")
def ticket_issue(
    ctx: typer.Context,
    item: Annotated[str | None, typer.Option("--item", help="事项编码")] = None,
    queue: Annotated[str | None, typer.Option("--queue", help="队列字母")] = None,
    priority: Annotated[
        str, typer.Option("--priority", help="none、elderly、disabled、pregnant、military、appointment、referral")
    ] = "none",
    id_number: Annotated[str | None, typer.Option("--id-number", help="身份证号（可选，用于限号）")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """取号（按事项或队列）。"""
    from clerk_tui.domain.queueing import PRIORITY_NAMES
    from clerk_tui.services.queue import issue_ticket

    c = context(ctx)
    priority = {v: k for k, v in PRIORITY_NAMES.items()}.get(priority.strip(), priority.strip())  # 老年人 → elderly
    view = issue_ticket(
        c.engine(),
        c.actor(),
        item_code=item,
        queue=queue,
        priority=priority,
        id_number=id_number,
        policy=c.settings.queue,
    )
    from clerk_tui.services.ticket_status import status_url

    url = status_url(view)  # the ticket's QR code: its status page on a phone
    show_ticket(view, fmt, {"status_url": url if fmt == Format.json or not url else f"排队进度（扫码或打开）：{url}"})


@app.command("call")
def ticket_call(ctx: typer.Context, window: WindowOpt, fmt: FormatOption = Format.table) -> None:
    """叫下一个号；没有等候的号时 number 为 null（退出码 0）。"""
    from clerk_tui.services.queue import call_next

    c = context(ctx)
    result = call_next(c.engine(), c.actor(), window, c.settings.queue)
    if fmt == Format.json:
        body = result.ticket.as_json() if result.ticket else {"number": None}
        emit_json(body | {"window": window, "why": result.why, "auto_no_show": result.auto_no_show})
    elif result.ticket is None:
        typer.echo(f"{window}号窗口：没有等候的号。")
    else:
        typer.echo(f"请{result.ticket.number}号到{window}号窗口办理")
        typer.echo(result.why)


@app.command("next")
def ticket_next(ctx: typer.Context, window: WindowOpt, fmt: FormatOption = Format.table) -> None:
    """下一位：办结本窗口当前的号（如有）并叫下一个号，一步完成。"""
    from clerk_tui.services.queue import finish_and_call_next

    c = context(ctx)
    result = finish_and_call_next(c.engine(), c.actor(), window, c.settings.queue)
    if fmt == Format.json:
        body = result.call.ticket.as_json() if result.call.ticket else {"number": None}
        emit_json(
            body
            | {
                "window": window,
                "why": result.call.why,
                "finished": result.finished.number if result.finished else None,
            }
        )
        return
    if result.finished:
        typer.echo(f"{result.finished.number} 已办结。")
    typer.echo(
        f"请{result.call.ticket.number}号到{window}号窗口办理\n{result.call.why}"
        if result.call.ticket
        else f"{window}号窗口：没有等候的号。"
    )


def _simple_ticket_command(name: str, doc: str, func_name: str, *, policy: bool = False):
    def command(ctx: typer.Context, number: str, window: WindowOpt, fmt: FormatOption = Format.table) -> None:
        from clerk_tui.services import queue as q

        c = context(ctx)
        args = (c.settings.queue,) if policy else ()
        show_ticket(getattr(q, func_name)(c.engine(), c.actor(), number, window, *args), fmt)

    command.__doc__ = doc
    app.command(name)(command)


_simple_ticket_command("recall", "重呼（计次）。", "recall")
_simple_ticket_command("no-show", "标记过号（重呼达到规定次数后）。", "mark_no_show", policy=True)
_simple_ticket_command("start", "开始办理。", "start_service")
_simple_ticket_command("finish", "办结本次服务。", "finish_service")


@app.command("call-specific")
def ticket_call_specific(ctx: typer.Context, number: str, window: WindowOpt, fmt: FormatOption = Format.table) -> None:
    """指定叫某个等候中的号（记录在案）。"""
    from clerk_tui.services.queue import call_specific

    c = context(ctx)
    result = call_specific(c.engine(), c.actor(), number, window, c.settings.queue)
    show_ticket(result.ticket, fmt, {"why": result.why})


@app.command("transfer")
def ticket_transfer(
    ctx: typer.Context,
    number: str,
    reason: Annotated[str, typer.Option("--reason", help="转办原因（接收窗口可见）")],
    to_queue: Annotated[str | None, typer.Option("--to-queue", help="转往的队列字母")] = None,
    to_window: Annotated[int | None, typer.Option("--to-window", help="转往的窗口号")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """转办到其他队列或窗口：保留号码和原取号时间。"""
    from clerk_tui.services.queue import transfer

    c = context(ctx)
    show_ticket(
        transfer(
            c.engine(),
            c.actor(),
            number,
            reason=reason,
            to_queue=to_queue,
            to_window=to_window,
            policy=c.settings.queue,
        ),
        fmt,
    )


@app.command("rejoin")
def ticket_rejoin(ctx: typer.Context, number: str, fmt: FormatOption = Format.table) -> None:
    """过号后在规定时间内返回：恢复等候，保留号码。"""
    from clerk_tui.services.queue import rejoin

    c = context(ctx)
    show_ticket(rejoin(c.engine(), c.actor(), number, c.settings.queue), fmt)


@app.command("list")
def ticket_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option("--status", help="waiting、called、serving、done、no_show")] = None,
    queue: Annotated[str | None, typer.Option("--queue")] = None,
    date: Annotated[str | None, typer.Option("--date", help="营业日，默认今天")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """列出某天的号票。"""
    from clerk_tui.services.calendar import parse_date
    from clerk_tui.services.queue import list_tickets

    c = context(ctx)
    views = list_tickets(c.engine(), c.actor(), status=status, queue=queue, day=parse_date(date) if date else None)
    emit_rows(
        fmt,
        views,
        ["号码", "队列", "事项", "优先", "状态", "窗口", "取号时间", "转办"],
        lambda v: [
            v.number,
            v.queue,
            v.item_name or "",
            v.priority_name,
            v.status_name,
            v.window or "",
            f"{v.issued_at:%H:%M}",
            f"{v.transfer_source}：{v.transfer_reason}" if v.transfers else "",
        ],
    )
