"""``clerk-tui patrol …``: the hall patrol (大厅巡查) from a script: one window's check a command,
and the day's findings.

Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

from typing import Annotated

import typer

from clerk_tui.cli.common import Format, FormatOption, context, emit_rows, parse_day

app = typer.Typer(help="大厅巡查：记录巡查发现、查看当天的发现。", no_args_is_help=True)


@app.command("record")
def patrol_record(
    ctx: typer.Context,
    window: Annotated[int, typer.Option("--window", help="窗口号")],
    absent: Annotated[bool, typer.Option("--absent", help="不在岗（须写 --reason）")] = False,
    reason: Annotated[str, typer.Option("--reason", help="不在岗原因，如 临时离岗、原因不明")] = "",
    badge_missing: Annotated[bool, typer.Option("--badge-missing", help="未佩戴工作牌")] = False,
    discipline: Annotated[bool, typer.Option("--discipline", help="违反工作纪律")] = False,
    tidiness: Annotated[bool, typer.Option("--tidiness", help="台面不整洁")] = False,
    manner: Annotated[bool, typer.Option("--manner", help="服务态度欠佳")] = False,
    note: Annotated[str, typer.Option("--note", help="备注")] = "",
) -> None:
    """记录一个窗口的巡查结果（不加任何标记即“正常”）。"""
    from clerk_tui.services.patrol import WindowCheck, record_round

    c = context(ctx)
    check = WindowCheck(window, absent, reason, badge_missing, discipline, tidiness, manner, note)
    result = record_round(c.engine(), c.actor(), [check])
    found = "、".join(f.item_name for f in result.findings) or "正常"
    typer.echo(f"巡查 #{result.round_id}：{window}号窗口 {found}")
    for line in result.alerts:
        typer.echo(f"提醒：{line}")


@app.command("list")
def patrol_list(
    ctx: typer.Context,
    day: Annotated[str | None, typer.Option("--day", help="日期 YYYY-MM-DD（默认今天）")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """列出一天的巡查发现。"""
    from clerk_tui.services.patrol import list_findings

    c = context(ctx)
    lines = list_findings(c.engine(), c.actor(), parse_day(day, "--day"))
    emit_rows(
        fmt,
        lines,
        ["时间", "窗口", "人员", "问题", "说明", "排队", "巡查人"],
        lambda f: [f"{f.at:%H:%M}", f.window_number, f.clerk, f.item_name, f.note, f.waiting or "", f.by],
        lambda f: {
            "round": f.round_id,
            "at": f.at.isoformat(timespec="minutes"),
            "window": f.window_number,
            "clerk": f.clerk or None,
            "item": f.item,
            "note": f.note,
            "waiting": f.waiting,
            "by": f.by,
        },
    )
