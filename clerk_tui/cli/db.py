"""``clerk-tui db …``: the schema's version, upgraded and checked; backup and restore.

Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

import os
import shlex
from typing import Annotated

import typer

from clerk_tui.cli.common import Format, FormatOption, context, emit_json, fail, prompt_pin

app = typer.Typer(help="数据库：升级、检查、备份与恢复。", no_args_is_help=True)


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
    """检查数据库版本；与程序一致时退出码为 0。数据库文件（及 -wal、-shm、.lock）其他用户可读写时给出警告。
    （公开：只读版本号和文件权限，不显示任何办事人或人员信息。）"""
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


# ---------------------------------------------------------------- backup and restore


@app.command("backup")
def db_backup(
    ctx: typer.Context,
    file: Annotated[str | None, typer.Argument(help="备份文件；默认为数据库旁 backups 文件夹中带日期的文件")] = None,
) -> None:
    """备份数据库（带班领导、系统管理员）：SQLite 在线备份，各终端可照常办理；PostgreSQL 显示 pg_dump 命令。"""
    from clerk_tui.services.backup import backup, pg_dump_command

    c = context(ctx)
    engine = c.engine()
    actor = c.actor()
    if engine.dialect.name != "sqlite":
        typer.echo("PostgreSQL 的大厅请用 pg_dump 备份（密码请用 ~/.pgpass 或 PGPASSWORD 提供，不要写在命令里）：")
        typer.echo(pg_dump_command(engine, actor, file))
        return
    made = backup(engine, actor, file, folder=c.settings.backup_dir)
    typer.echo(f"已备份到 {made.path}（{made.size // 1024} KB，{made.contents.named()}；完整性检查通过，仅本人可读）。")
    typer.echo("另请一并保存配置文件和密钥文件（见 README“备份与恢复”）。")


@app.command("restore")
def db_restore(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="clerk-tui db backup 做出的备份文件")],
    to: Annotated[str | None, typer.Option("--to", help="恢复到这个新文件（或空数据库）；默认为当前数据库")] = None,
    replace: Annotated[
        str | None, typer.Option("--replace", help="恢复到正在使用的大厅时，写出该大厅的名称以确认替换")
    ] = None,
) -> None:
    """从备份恢复（系统管理员）：恢复到新文件或空数据库；替换正在使用的大厅须写出大厅名称确认，并先自动备份。"""
    import sys

    from sqlalchemy.engine import make_url

    from clerk_tui.services.backup import ReplaceRefused, pg_restore_command, restore
    from clerk_tui.services.staff import login
    from clerk_tui.store.engine import normalise_url

    c = context(ctx)
    url = make_url(normalise_url(to or c.settings.database))
    if url.get_backend_name() != "sqlite":
        typer.echo(
            "PostgreSQL 请把 pg_dump 做出的备份用 pg_restore 恢复到一个空数据库（密码用 ~/.pgpass 或 PGPASSWORD）："
        )
        typer.echo(pg_restore_command(url.render_as_string(hide_password=False), file))
        return
    if not url.database or url.database == ":memory:":
        fail("请用 --to 指定要恢复到的数据库文件")
    number = c.staff or os.environ.get("CLERK_TUI_STAFF")
    if not number:
        fail("恢复需要操作人员（系统管理员）：请用 --staff 工号 或设置 CLERK_TUI_STAFF 和 CLERK_TUI_PIN")
    pin = prompt_pin("CLERK_TUI_PIN", f"工号 {number} 的 PIN")
    settings = c.settings

    def run(confirm: str | None):
        return restore(
            file, url.database, lambda engine: login(engine, number, pin), confirm=confirm, folder=settings.backup_dir
        )

    try:
        done = run(replace)
    except ReplaceRefused as refused:
        if replace is not None or not sys.stdin.isatty():
            raise
        typer.echo(refused.message)
        typed = typer.prompt(f"确认替换请输入大厅名称“{refused.contents.name}”，其他任何输入将取消")
        if typed.strip() != refused.contents.name:
            fail("已取消，数据库没有改变")
        done = run(typed.strip())
    typer.echo(f"已从 {file} 恢复到 {done.target}：{done.restored.named()}。")
    if done.replaced is not None:
        typer.echo(f"被替换的{done.replaced.named()}已先备份到 {done.safety_copy}。")
    from clerk_tui.store.schema import head_revision

    if done.restored.revision != head_revision():
        typer.echo("备份的数据库版本较旧：请运行 clerk-tui db upgrade 后再使用。")
