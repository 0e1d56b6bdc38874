"""``clerk-tui db …``: the schema's version, upgraded and checked.

Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

import typer

from clerk_tui.cli.common import Format, FormatOption, context, emit_json, prompt_pin

app = typer.Typer(help="数据库：升级与检查。", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """把数据库升级到本程序的版本（不会删除数据）。需要系统管理员。"""
    from clerk_tui.services.upgrade_login import login_before_upgrade, record_upgrade
    from clerk_tui.store.schema import status, upgrade

    c = context(ctx)
    engine = c.engine(require_schema=False)
    number = c.staff_number()
    actor = login_before_upgrade(engine, number, prompt_pin("CLERK_TUI_PIN", f"工号 {number} 的 PIN"))
    before = status(engine).current
    st = upgrade(engine)
    if before == st.current:
        typer.echo(f"数据库已是最新版本 {st.current}，无需升级。")
    else:
        record_upgrade(engine, actor, before, st.current)
        typer.echo(f"数据库已从 {before or '空库'} 升级到 {st.current}。")


@app.command("check")
def db_check(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """检查数据库版本；与程序一致时退出码为 0。（公开：只读版本号，不显示任何办事人或人员信息。）"""
    from clerk_tui.store.schema import status

    st = status(context(ctx).engine(require_schema=False))
    if fmt == Format.json:
        emit_json({"current": st.current, "head": st.head, "state": st.state})
    else:
        typer.echo(st.describe())
    if st.state != "current":
        raise typer.Exit(1)
