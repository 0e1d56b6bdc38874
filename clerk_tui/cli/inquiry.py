"""``clerk-tui inquiry …``: first responsibility (首问登记): record, answer, refer, hand on, tell
the competent department, book.

Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

from typing import Annotated

import typer

from clerk_tui.cli.common import Format, FormatOption, context, emit_json, emit_rows

app = typer.Typer(help="首问登记：登记、答复、引导、转交、告知有权部门、预约。", no_args_is_help=True)


def _out(view, fmt: Format) -> None:
    if fmt == Format.json:
        emit_json(view.as_json())
        return
    line = f"首问 #{view.id}  {view.status_name}  {view.matter}  首问人 {view.responder_name}（{view.responder}）"
    if view.outcome:
        line += f"  {view.outcome_name}：{view.detail}"
    typer.echo(line)


@app.command("open")
def inquiry_open(
    ctx: typer.Context,
    matter: Annotated[str, typer.Option("--matter", help="当事人要办什么")],
    item: Annotated[str | None, typer.Option("--item", help="事项编码")] = None,
    name: Annotated[str, typer.Option("--name")] = "",
    phone: Annotated[str, typer.Option("--phone")] = "",
    window: Annotated[int | None, typer.Option("--window")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """首问登记（登记人即首问责任人）。"""
    from clerk_tui.services.responsibility import open_inquiry

    c = context(ctx)
    _out(open_inquiry(c.engine(), c.actor(), matter=matter, item=item, name=name, phone=phone, window=window), fmt)


@app.command("answer")
def inquiry_answer(
    ctx: typer.Context,
    inquiry: int,
    note: Annotated[str, typer.Option("--note", help="答复内容")],
    fmt: FormatOption = Format.table,
) -> None:
    """当场答复。"""
    from clerk_tui.services.responsibility import answer

    c = context(ctx)
    _out(answer(c.engine(), c.actor(), inquiry, note=note), fmt)


@app.command("refer")
def inquiry_refer(
    ctx: typer.Context,
    inquiry: int,
    to_window: Annotated[int | None, typer.Option("--to-window")] = None,
    to_queue: Annotated[str | None, typer.Option("--to-queue")] = None,
    ticket: Annotated[str | None, typer.Option("--ticket", help="当事人已有的号（转过去，不重新排队）")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """引导到本厅的窗口或队列：转介优先号，接收窗口叫号即视为接收。"""
    from clerk_tui.services.responsibility import refer

    c = context(ctx)
    _out(
        refer(
            c.engine(),
            c.actor(),
            inquiry,
            to_window=to_window,
            to_queue=to_queue,
            ticket=ticket,
            policy=c.settings.queue,
        ),
        fmt,
    )


@app.command("absent")
def inquiry_absent(
    ctx: typer.Context,
    inquiry: int,
    department: Annotated[str, typer.Option("--department")],
    contact: Annotated[str, typer.Option("--contact")],
    phone: Annotated[str, typer.Option("--phone")],
    fmt: FormatOption = Format.table,
) -> None:
    """经办人不在：登记单位、联系人、电话，转交该部门。"""
    from clerk_tui.services.responsibility import absent

    c = context(ctx)
    _out(absent(c.engine(), c.actor(), inquiry, department=department, contact=contact, phone=phone), fmt)


@app.command("external")
def inquiry_external(
    ctx: typer.Context,
    inquiry: int,
    department: Annotated[str, typer.Option("--department")],
    phone: Annotated[str, typer.Option("--phone")],
    fmt: FormatOption = Format.table,
) -> None:
    """不属本厅：告知有权部门名称和电话。"""
    from clerk_tui.services.responsibility import external

    c = context(ctx)
    _out(external(c.engine(), c.actor(), inquiry, department=department, phone=phone), fmt)


@app.command("appointment")
def inquiry_appointment(
    ctx: typer.Context,
    inquiry: int,
    at: Annotated[str, typer.Option("--at", help="预约时间，如 2026-12-01T09:30")],
    fmt: FormatOption = Format.table,
) -> None:
    """预约办理。"""
    from clerk_tui.services.responsibility import appointment

    c = context(ctx)
    _out(appointment(c.engine(), c.actor(), inquiry, at=at), fmt)


@app.command("acknowledge")
def inquiry_acknowledge(ctx: typer.Context, inquiry: int, fmt: FormatOption = Format.table) -> None:
    """接收转交给本部门的首问事项。"""
    from clerk_tui.services.responsibility import acknowledge

    c = context(ctx)
    _out(acknowledge(c.engine(), c.actor(), inquiry), fmt)


@app.command("close")
def inquiry_close(ctx: typer.Context, inquiry: int, fmt: FormatOption = Format.table) -> None:
    """关闭：没有处理结果的首问不能关闭。"""
    from clerk_tui.services.responsibility import close

    c = context(ctx)
    _out(close(c.engine(), c.actor(), inquiry), fmt)


@app.command("list")
def inquiry_list(
    ctx: typer.Context,
    open_only: Annotated[bool, typer.Option("--open", help="只列未办结的")] = False,
    staff: Annotated[str | None, typer.Option("--staff", help="首问人工号")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """列出首问登记。"""
    from clerk_tui.services.responsibility import list_inquiries

    c = context(ctx)
    views = list_inquiries(c.engine(), c.actor(), open_only=open_only, staff=staff)
    emit_rows(
        fmt,
        views,
        ["编号", "时间", "首问人", "事项", "状态", "处理"],
        lambda v: [
            v.id,
            f"{v.opened_at:%m-%d %H:%M}",
            v.responder_name,
            v.matter,
            v.status_name,
            f"{v.outcome_name} {v.detail}".strip() if v.outcome else "",
        ],
    )
