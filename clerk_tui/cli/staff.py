"""``clerk-tui staff …``: staff members and their PINs.

Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from clerk_tui.cli.common import Format, FormatOption, context, emit_rows, fail

app = typer.Typer(help="人员与登录。", no_args_is_help=True)


def _new_pin(prompt: str) -> str:
    pin = os.environ.get("CLERK_TUI_NEW_PIN")
    if pin:
        return pin
    if not sys.stdin.isatty():
        fail("缺少新 PIN：请设置 CLERK_TUI_NEW_PIN，或在终端中交互输入")
    return typer.prompt(prompt, hide_input=True, confirmation_prompt=True)


@app.command("add")
def staff_add(
    ctx: typer.Context,
    number: str,
    name: str,
    role: Annotated[
        str, typer.Option("--role", help="guide（导办员）、clerk（窗口人员）、supervisor（带班领导）或 admin")
    ],
    department: Annotated[str | None, typer.Option("--department", help="所属部门名称")] = None,
) -> None:
    """新增人员（新 PIN 取自 CLERK_TUI_NEW_PIN 或交互输入）。需要管理员。"""
    from clerk_tui.services.staff import add_staff

    c = context(ctx)
    actor = c.actor()
    add_staff(c.engine(), actor, number, name, role, _new_pin(f"工号 {number} 的新 PIN"), department)
    typer.echo(f"已新增人员 {number} {name}。")


@app.command("list")
def staff_list(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """列出人员。需要管理员或带班领导。"""
    from clerk_tui.services.staff import list_staff

    c = context(ctx)
    staff = list_staff(c.engine(), c.actor())
    emit_rows(
        fmt,
        staff,
        ["工号", "姓名", "角色", "部门", "状态"],
        lambda s: [
            s.number,
            s.name,
            s.role_name,
            s.department or "",
            "已锁定" if s.locked else "须改 PIN" if s.must_change_pin else "正常",
        ],
        as_json=lambda s: {
            "number": s.number,
            "name": s.name,
            "role": s.role,
            "department": s.department,
            "locked": s.locked,
        },
    )


@app.command("set-pin")
def staff_set_pin(ctx: typer.Context, number: str) -> None:
    """设置 PIN（新 PIN 取自 CLERK_TUI_NEW_PIN 或交互输入）。管理员可设任何人，其他人只能设自己的。"""
    from clerk_tui.services.staff import set_pin

    c = context(ctx)
    actor = c.actor()
    set_pin(c.engine(), actor, number, _new_pin(f"工号 {number} 的新 PIN"))
    typer.echo(f"已设置工号 {number} 的 PIN。")


@app.command("change-pin")
def staff_change_pin(ctx: typer.Context) -> None:
    """修改自己的 PIN（原 PIN 取自 CLERK_TUI_PIN，新 PIN 取自 CLERK_TUI_NEW_PIN，或交互输入）。他人设置的 PIN 须先用本命令修改。"""
    from clerk_tui.services.staff import change_own_pin

    c = context(ctx)
    actor = c.actor()
    change_own_pin(c.engine(), actor, _new_pin(f"工号 {actor.number} 的新 PIN"))
    typer.echo(f"已修改工号 {actor.number} 的 PIN。")


@app.command("key-file")
def staff_key_file(ctx: typer.Context) -> None:
    """为 PIN 密钥之前建立的大厅创建 PIN 密钥文件（init 已为新大厅创建；已有的不会被替换）。需要管理员。"""
    from clerk_tui.services.staff import create_key_file

    c = context(ctx)
    path = create_key_file(c.engine(), c.actor())
    typer.echo(
        f"PIN 密钥文件：{path}（本厅每台终端都需要同一个文件，请复制到各终端并备份，见 README「安全」→「密钥文件」）"
    )


@app.command("unlock")
def staff_unlock(ctx: typer.Context, number: str) -> None:
    """解锁因 PIN 连续错误被锁定的工号。需要管理员或带班领导。"""
    from clerk_tui.services.staff import unlock

    c = context(ctx)
    unlock(c.engine(), c.actor(), number)
    typer.echo(f"已解锁工号 {number}。")
