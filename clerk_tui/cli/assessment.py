"""``clerk-tui assessment close``: a supervisor ends a month's 窗口考核; its table and awards are
stored and shown all the next month (the table itself: ``clerk-tui report assessment``)."""

from __future__ import annotations

from typing import Annotated

import typer

from clerk_tui.cli.common import context

app = typer.Typer(
    help="窗口考核：结束一个月的考核，评出流动红旗等奖项（考核表见 report assessment）。", no_args_is_help=True
)


@app.command("close")
def assessment_close(
    ctx: typer.Context,
    month: Annotated[str, typer.Option("--month", help="YYYY-MM，已经过去的月份")],
) -> None:
    """结束该月考核：保存各窗口、各人员的得分与原因和评出的奖项，此后不再改变；奖项在下个月展示。需要带班领导。"""
    from clerk_tui.services import assessment as asm

    c = context(ctx)
    a = asm.close_month(c.engine(), c.actor(), month, **asm.hall_rule(c.settings))
    typer.echo(asm.title(a))
    for award in a.awards:
        typer.echo(f"{award.name}：{award.window}号窗口（{award.why}）")
    if not a.awards:
        typer.echo("本月没有窗口达到评奖条件（见考核办法的 [[awards]]）。")
