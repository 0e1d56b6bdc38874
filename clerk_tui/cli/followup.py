"""``clerk-tui followup …``: the follow-up of a poor rating (差评整改), listed and closed.

Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

from typing import Annotated

import typer

from clerk_tui.cli.common import Format, FormatOption, context, emit_rows

app = typer.Typer(help="差评整改：列出、办结（整改、解释说明、申诉）。", no_args_is_help=True)


@app.command("list")
def followup_list(
    ctx: typer.Context, open_only: Annotated[bool, typer.Option("--open")] = False, fmt: FormatOption = Format.table
) -> None:
    """列出差评整改。"""
    from clerk_tui.services.ratings import list_followups

    c = context(ctx)
    items = list_followups(c.engine(), c.actor(), open_only=open_only)
    emit_rows(
        fmt,
        items,
        ["编号", "号票", "窗口", "评价", "原因", "负责人", "期限", "状态"],
        lambda f: [
            f.id,
            f.ticket,
            f.window,
            f.level,
            f"{f.reasons} {f.text}".strip(),
            f.owner_name,
            str(f.due_date),
            f.status_name + ("（逾期）" if f.overdue else ""),
        ],
    )


@app.command("close")
def followup_close(
    ctx: typer.Context,
    followup: int,
    outcome: Annotated[
        str, typer.Option("--outcome", help="整改、解释 或 申诉（也可写 rectified、explained、appealed）")
    ],
    note: Annotated[str, typer.Option("--note", help="整改内容、解释或申诉理由")],
) -> None:
    """办结一条差评整改。"""
    from clerk_tui.services.ratings import close_followup

    c = context(ctx)
    f = close_followup(c.engine(), c.actor(), followup, outcome=outcome, note=note)
    typer.echo(f"差评整改 {f.id}：{f.status_name}")
