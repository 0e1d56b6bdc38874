"""``clerk-tui duty …``: the supervisor on duty (领导带班): the roster the administrator keeps, the
duty log (值班日志) and the handover note to the next day's supervisor.

Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from clerk_tui.cli.common import Format, FormatOption, context, emit_json, emit_rows, parse_day

app = typer.Typer(help="领导带班：排班、值班日志、交班留言。", no_args_is_help=True)
roster = typer.Typer(help="带班排班（系统管理员维护）。", no_args_is_help=True)
log = typer.Typer(help="值班日志（带班领导）。", no_args_is_help=True)
app.add_typer(roster, name="roster")
app.add_typer(log, name="log")


@roster.command("set")
def roster_set(
    ctx: typer.Context,
    day: Annotated[str, typer.Option("--day", help="日期 YYYY-MM-DD")],
    supervisor: Annotated[str, typer.Option("--supervisor", help="带班领导的工号")],
) -> None:
    """安排某一天的带班领导（已有安排的替换之）。"""
    from clerk_tui.services.duty import set_roster

    c = context(ctx)
    when = parse_day(day, "--day") or dt.date.min  # given: the option is required
    who = set_roster(c.engine(), c.actor(), when, supervisor)
    typer.echo(f"{when} 带班领导：{who.name}（{who.number}）")


@roster.command("load")
def roster_load(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="排班文件：每行 日期 工号，如 2026-12-01 9001；# 后为注释")],
    encoding: Annotated[str, typer.Option("--encoding", help="utf-8 或 gb18030")] = "utf-8",
) -> None:
    """从文件导入排班（全部导入或全部不导入）。"""
    from clerk_tui.services.duty import load_roster

    c = context(ctx)
    n = load_roster(c.engine(), c.actor(), file, encoding=encoding)
    typer.echo(f"已导入 {n} 天的带班排班。")


@roster.command("list")
def roster_list(
    ctx: typer.Context,
    month: Annotated[str | None, typer.Option("--month", help="月份 YYYY-MM（默认本月）")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """列出一个月的带班排班，以及今天的带班领导。"""
    from clerk_tui.services.duty import list_roster, on_duty

    c = context(ctx)
    lines = list_roster(c.engine(), c.actor(), month)
    emit_rows(
        fmt,
        lines,
        ["日期", "工号", "带班领导"],
        lambda x: [str(x.day), x.number, x.name],
        lambda x: {"day": x.day.isoformat(), "number": x.number, "name": x.name},
    )
    if fmt == Format.table:
        today = on_duty(c.engine())
        typer.echo(
            f"今日带班：{today.name}（{today.how_name}）" if today else "今日尚无带班领导（未排班，也没有带班领导登录）"
        )


@log.command("add")
def log_add(ctx: typer.Context, text: Annotated[str, typer.Option("--text", help="日志内容")]) -> None:
    """在今天的值班日志中记一条。"""
    from clerk_tui.services.duty import add_log

    c = context(ctx)
    note = add_log(c.engine(), c.actor(), text)
    typer.echo(f"已记入 {note.day} 值班日志。")


@log.command("show")
def log_show(
    ctx: typer.Context,
    day: Annotated[str | None, typer.Option("--day", help="日期 YYYY-MM-DD（默认今天）")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """显示一天的值班日志：带班领导、日志、当天的巡查发现、差评、需带班领导过问的提醒、提醒消除、暂停服务，以及交接班留言。"""
    from clerk_tui.services.duty import duty_log

    c = context(ctx)
    d = duty_log(
        c.engine(),
        c.actor(),
        parse_day(day, "--day"),
        rules_=c.settings.responsibility,
        case_rules=c.case_rules(),
    )

    def note(n):
        return (
            None
            if n is None
            else {"day": n.day.isoformat(), "at": n.at.isoformat(timespec="minutes"), "by": n.by, "text": n.text}
        )

    if fmt == Format.json:
        emit_json(
            {
                "day": d.day.isoformat(),
                "on_duty": None
                if d.on_duty is None
                else {"number": d.on_duty.number, "name": d.on_duty.name, "how": d.on_duty.how},
                "notes": [note(n) for n in d.notes],
                "events": [
                    {"at": h.at.isoformat(timespec="minutes"), "what": h.what, "text": h.text} for h in d.happenings
                ],
                "handover_in": note(d.handover_in),
                "handover_out": note(d.handover_out),
            }
        )
        return
    who = f"{d.on_duty.name}（{d.on_duty.number}，{d.on_duty.how_name}）" if d.on_duty else "无"
    typer.echo(f"{d.day} 值班日志 · 带班领导：{who}")
    if d.handover_in:
        typer.echo(f"上一班留言（{d.handover_in.day} {d.handover_in.by}）：{d.handover_in.text}")
    typer.echo("日志：" if d.notes else "日志：（无）")
    for n in d.notes:
        typer.echo(f"  {n.at:%H:%M} {n.by}：{n.text}")
    typer.echo("当天事项：" if d.happenings else "当天事项：（无）")
    for h in d.happenings:
        typer.echo(f"  {h.at:%H:%M} [{h.what}] {h.text}")
    if d.handover_out:
        typer.echo(f"交班留言（{d.handover_out.by}）：{d.handover_out.text}")


@app.command("handover")
def duty_handover(
    ctx: typer.Context, text: Annotated[str, typer.Option("--text", help="留给下一班带班领导的话")]
) -> None:
    """写交班留言：下一班带班领导登录后在大厅实况上看到。"""
    from clerk_tui.services.duty import handover

    c = context(ctx)
    note = handover(c.engine(), c.actor(), text)
    typer.echo(f"{note.day} 交班留言已保存。")
