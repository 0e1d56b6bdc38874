"""``clerk-tui alerts …``: reminders of first responsibility, hand-overs, shirking and case deadlines.

Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

from typing import Annotated

import typer

from clerk_tui.cli.common import Format, FormatOption, context, emit_rows

app = typer.Typer(help="提醒：首问、转交、推诿、办件预警。", no_args_is_help=True)


@app.command("list")
def alerts_list(
    ctx: typer.Context,
    staff: Annotated[str | None, typer.Option("--staff", help="责任人工号")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """列出当前的提醒（谁负责、何时到期、为什么）。"""
    from clerk_tui.services.responsibility import list_alerts

    c = context(ctx)
    alerts = list_alerts(
        c.engine(), c.actor(), staff=staff, rules_=c.settings.responsibility, case_rules=c.case_rules()
    )
    emit_rows(
        fmt,
        alerts,
        ["编号", "类型", "责任人", "对象", "到期", "说明"],
        lambda a: [a.key, a.kind_name, a.responsible, a.subject, f"{a.due:%m-%d %H:%M}", a.why],
    )


@app.command("dismiss")
def alerts_dismiss(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="ID")],
    reason: Annotated[str, typer.Option("--reason")],
) -> None:
    """消除一条提醒（需原因，记录在案；责任人或带班领导）。"""
    from clerk_tui.services.responsibility import dismiss_alert

    c = context(ctx)
    dismiss_alert(c.engine(), c.actor(), key, reason=reason, rules_=c.settings.responsibility)
    typer.echo(f"提醒 {key} 已消除（原因已记录）。")
