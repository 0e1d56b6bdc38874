"""``clerk-tui calendar …``: the working-day calendar (works without a database too).

Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

from pathlib import Path

import typer

from clerk_tui.cli.common import CliContext, Format, FormatOption, context, emit_json, fail

app = typer.Typer(help="工作日日历。", no_args_is_help=True)


def _calendar(c: CliContext):
    """The hall's calendar (a staff member's login: it is the hall's), or with no hall database
    the statutory calendar built in (public law, no hall data: no login)."""
    from clerk_tui.services.calendar import read_calendar

    try:
        engine = c.engine()
    except Exception:
        engine = None
    if engine is None:
        from clerk_tui.domain.calendar import WorkdayCalendar

        return WorkdayCalendar(count_from_same_day=c.settings.count_from_same_day)
    return read_calendar(engine, c.actor(), count_from_same_day=c.settings.count_from_same_day)


@app.command("add-workdays")
def calendar_add(ctx: typer.Context, date: str, n: int, fmt: FormatOption = Format.table) -> None:
    """从 DATE 起算 N 个工作日后的日期（默认次日为第1天）。"""
    from clerk_tui.services.calendar import parse_date

    if n < 0:
        fail("工作日天数 N 不能为负数")
    result = _calendar(context(ctx)).add_workdays(parse_date(date), n)
    if fmt == Format.json:
        emit_json({"date": result.date.isoformat(), "provisional": result.provisional})
    else:
        typer.echo(result.date.isoformat() + ("（暂定：该年度放假安排尚未确认）" if result.provisional else ""))


@app.command("is-workday")
def calendar_is_workday(ctx: typer.Context, date: str, fmt: FormatOption = Format.table) -> None:
    """DATE 是否为工作日；是则退出码 0，否则 1。"""
    from clerk_tui.services.calendar import parse_date

    day = parse_date(date)
    work, provisional = _calendar(context(ctx)).workday(day)
    if fmt == Format.json:
        emit_json({"date": day.isoformat(), "workday": work, "provisional": provisional})
    else:
        typer.echo(
            f"{day} {'是工作日' if work else '不是工作日'}"
            + ("（暂定：该年度放假安排尚未确认）" if provisional else "")
        )
    if not work:
        raise typer.Exit(1)


@app.command("load")
def calendar_load(ctx: typer.Context, file: Path) -> None:
    """载入一个年度的放假与调休安排（data/calendar/ 中的格式）。需要管理员或带班领导。"""
    from clerk_tui.services.calendar import load_calendar

    c = context(ctx)
    schedule = load_calendar(c.engine(), c.actor(), file, count_from_same_day=c.settings.count_from_same_day)
    typer.echo(
        f"已载入 {schedule.year} 年日历：放假 {len(schedule.holidays)} 天，调休上班 {len(schedule.workdays)} 天。"
    )
