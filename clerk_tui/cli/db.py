"""``clerk-tui db …``: the schema's version, upgraded and checked.

Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

import shlex

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
    """检查数据库版本；与程序一致时退出码为 0。数据库文件（及 -wal、-shm、.lock）其他用户可读写时给出警告。"""
    from clerk_tui.store.engine import exposed_files
    from clerk_tui.store.schema import status

    c = context(ctx)
    st = status(c.engine(require_schema=False))
    warnings = [
        f"数据库文件 {path} 的权限为 {mode:04o}，其他用户可以读取或改写（含个人信息和 PIN 散列）：请运行 chmod 600 {shlex.quote(path)}"
        for path, mode in exposed_files(c.settings.database)
    ]
    if fmt == Format.json:
        emit_json({"current": st.current, "head": st.head, "state": st.state, "warnings": warnings})
    else:
        typer.echo(st.describe())
        for warning in warnings:
            typer.echo(f"警告：{warning}", err=True)
    if st.state != "current":
        raise typer.Exit(1)
