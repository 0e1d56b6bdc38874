"""``clerk-tui appointment …``: appointments booked, imported and checked in.

Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clerk_tui.cli.common import Encoding, EncodingOption, Format, FormatOption, context, emit_json, emit_rows
from clerk_tui.cli.ticket import show_ticket

app = typer.Typer(help="预约：登记、导入、签到。", no_args_is_help=True)


@app.command("add")
def appointment_add(
    ctx: typer.Context,
    id_number: Annotated[str, typer.Option("--id-number")],
    item: Annotated[str, typer.Option("--item", help="事项编码")],
    date: Annotated[str, typer.Option("--date", help="YYYY-MM-DD")],
    start: Annotated[str, typer.Option("--start", help="HH:MM")],
    end: Annotated[str, typer.Option("--end", help="HH:MM")],
    name: Annotated[str, typer.Option("--name")] = "",
    phone: Annotated[str, typer.Option("--phone")] = "",
    fmt: FormatOption = Format.table,
) -> None:
    """登记预约。"""
    from clerk_tui.services.appointments import add_appointment

    c = context(ctx)
    view = add_appointment(
        c.engine(),
        c.actor(),
        id_number=id_number,
        item_code=item,
        day=date,
        start=start,
        end=end,
        name=name,
        phone=phone,
        source="cli",
    )
    if fmt == Format.json:
        emit_json(view.as_json())
    else:
        typer.echo(
            f"已预约：{view.item_name} {view.day} {view.slot_start:%H:%M}-{view.slot_end:%H:%M}（编号 {view.id}）"
        )


@app.command("import")
def appointment_import(ctx: typer.Context, file: Path, encoding: EncodingOption = Encoding.utf8) -> None:
    """导入网上预约平台导出的 CSV（id_number,name,phone,item,date,start,end,ref），全部成功或全部不导入。"""
    from clerk_tui.services.appointments import import_appointments

    c = context(ctx)
    n = import_appointments(c.engine(), c.actor(), file, encoding=encoding.value)
    typer.echo(f"已处理 {n} 条预约（重复的平台编号自动跳过）。")


@app.command("check-in")
def appointment_check_in(ctx: typer.Context, id_number: str, fmt: FormatOption = Format.table) -> None:
    """预约签到：时段内签到得预约优先号，迟到得普通号并说明原因。"""
    from clerk_tui.services.appointments import check_in

    c = context(ctx)
    result = check_in(c.engine(), c.actor(), id_number, c.settings.queue)
    show_ticket(
        result.ticket,
        fmt,
        {"message": result.message, "on_time": result.on_time} if fmt == Format.json else {"message": result.message},
    )


@app.command("list")
def appointment_list(
    ctx: typer.Context, date: Annotated[str | None, typer.Option("--date")] = None, fmt: FormatOption = Format.table
) -> None:
    """列出某天的预约。"""
    from clerk_tui.services.appointments import list_appointments
    from clerk_tui.services.calendar import parse_date

    c = context(ctx)
    views = list_appointments(c.engine(), c.actor(), parse_date(date) if date else None)
    emit_rows(
        fmt,
        views,
        ["编号", "时段", "事项", "姓名", "身份证号", "状态"],
        lambda v: [
            v.id,
            f"{v.slot_start:%H:%M}-{v.slot_end:%H:%M}",
            v.item_name,
            v.name,
            v.id_number_masked,
            {"booked": "待签到", "checked_in": "已签到", "cancelled": "已取消"}.get(v.status, v.status),
        ],
    )
