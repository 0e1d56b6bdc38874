"""``clerk-tui check id|uscc``: check an ID number or a unified social credit code (no database).

Commands import the domain lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

import typer

app = typer.Typer(help="证件号码校验。", no_args_is_help=True)


@app.command("id")
def check_id(number: str) -> None:
    """校验居民身份证号（GB 11643）：有效退出码 0，无效 1 并说明原因。"""
    from clerk_tui import clock
    from clerk_tui.domain.ids import check_resident_id

    result = check_resident_id(number, clock.today())
    if not result.ok:
        typer.echo(f"无效：{result.reason}", err=True)
        raise typer.Exit(1)
    typer.echo(f"有效：{result.value}")


@app.command("uscc")
def check_uscc_cmd(code: str) -> None:
    """校验统一社会信用代码（GB 32100）：有效退出码 0，无效 1 并说明原因。"""
    from clerk_tui.domain.ids import check_uscc

    result = check_uscc(code)
    if not result.ok:
        typer.echo(f"无效：{result.reason}", err=True)
        raise typer.Exit(1)
    typer.echo(f"有效：{result.value}")
