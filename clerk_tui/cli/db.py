"""``clerk-tui db …``: the schema's version, upgraded and checked.

Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

import typer

from clerk_tui.cli.common import Format, FormatOption, context, emit_json

app = typer.Typer(help="数据库：升级与检查。", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """把数据库升级到本程序的版本（不会删除数据）。"""
    from clerk_tui.store.schema import status, upgrade

    engine = context(ctx).engine(require_schema=False)
    before = status(engine).current
    st = upgrade(engine)
    if before == st.current:
        typer.echo(f"数据库已是最新版本 {st.current}，无需升级。")
    else:
        typer.echo(f"数据库已从 {before or '空库'} 升级到 {st.current}。")


@app.command("check")
def db_check(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """检查数据库版本；与程序一致时退出码为 0。"""
    from clerk_tui.store.schema import status

    st = status(context(ctx).engine(require_schema=False))
    if fmt == Format.json:
        emit_json({"current": st.current, "head": st.head, "state": st.state})
    else:
        typer.echo(st.describe())
    if st.state != "current":
        raise typer.Exit(1)
