"""Write docs/permissions.md from the code: every command of the CLI (walked from the typer app)
× every role, from clerk_tui/cli/rights.py and domain/roles.PERMISSIONS.

    .venv/bin/python scripts/permissions_doc.py          # rewrite docs/permissions.md
    .venv/bin/python scripts/permissions_doc.py --check  # exit 1 when the file differs from the code

tests/test_permissions.py regenerates it and compares (the documentation must match the code), and
runs every row as every role and as nobody.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "permissions.md"

ALLOWED, REFUSED, APPROVAL, PUBLIC_CELL = "允许", "拒绝", "需带班领导授权", "公开"
DEVICE_CELL = "凭设备令牌"

INTRO = """\
# 谁能做什么（权限表）

本文件由 `scripts/permissions_doc.py` 根据代码生成（命令取自 CLI，权限取自
`clerk_tui/cli/rights.py` 与 `clerk_tui/domain/roles.py`），请勿手改；
`tests/test_permissions.py` 检查它与代码一致，并按每一行以每个角色和未登录身份实际运行命令。

- **身份**：除公开命令外，每条命令都以一名工作人员的身份执行（`--staff` 或 `CLERK_TUI_STAFF`，
  PIN 用 `CLERK_TUI_PIN` 或在终端输入）；未登录的一律拒绝（“需要登录”/“需要操作人员”）。
- **权限在服务中检查**：界面（TUI）与命令行调用同样的服务，同样的权限表对两者都成立。
- **三员分立**：系统管理员管理人员账号、事项目录、日历与数据库版本，不查看办件、不叫号、
  不受理、不批准（带班领导授权只能由带班领导给出）。
- **按需查看**：导办员看导办台需要的（号票、预约、首问、事项目录）；窗口人员看办件和全厅、
  部门、窗口的统计，人员统计只看本人的；带班领导看全部。
- **查询留痕**：按证件号、电话、姓名查找办件与打开办件都记入审计日志（`access.lookup`、
  `access.case`）：谁、何时、哪台终端（主机名、终端设备、进程号）、查了什么（证件号打码，
  电话号码隐去中间几位）。界面中按 Enter 提交查找才记录，逐字输入不记录。
- **公开命令**：`catalog list/show/export`（事项目录与办事指南本就公开）、`check id/uscc`
  （只校验输入的号码本身，不读任何数据）、`db check`（只显示数据库版本号）和 `--help`。
- **公共设备**：`serve` 启动网页服务，无需 PIN；但每个页面只对 `device add` 登记过的设备开放
  （网址中的令牌，数据库只存其 SHA-256 摘要），无令牌 401、令牌无效或已吊销 403，都不显示大厅的
  任何信息。设备只以其类型行事（`device.display` 叫号大屏只读叫号与等候人数：`board.read`），
  不是任何工作人员。
"""


def commands() -> list[str]:
    """Every command path of the CLI, in the order of ``clerk-tui --help``."""
    from typer.main import get_command

    from clerk_tui.cli import app

    def walk(command, prefix):
        subs = getattr(command, "commands", None)
        if subs is None:
            yield " ".join(prefix)
            return
        for name, sub in subs.items():
            yield from walk(sub, [*prefix, name])

    return list(walk(get_command(app), []))


def cell(path: str, role: str | None) -> str:
    """What ``role`` (None: nobody logged in) gets from the command ``path``."""
    from clerk_tui.cli.rights import COMMANDS, DEVICE_TOKEN, LOGIN_SCREEN, PUBLIC, SETUP
    from clerk_tui.domain.roles import allowed

    right = COMMANDS[path]
    if right.permission == PUBLIC:
        return PUBLIC_CELL
    if right.permission == LOGIN_SCREEN:
        return "登录后按角色" if role else "登录界面"
    if right.permission == SETUP:
        return "见说明"
    if right.permission == DEVICE_TOKEN:
        return DEVICE_CELL
    if role is None:
        return REFUSED
    if role in right.approval:
        return APPROVAL
    ok = allowed(role, right.permission) and (not right.also or allowed(role, right.also))
    return ALLOWED if ok else REFUSED


def render() -> str:
    from clerk_tui.cli.rights import COMMANDS
    from clerk_tui.domain.roles import PERMISSIONS, ROLE_NAMES, ROLES

    paths = commands()
    missing = [p for p in paths if p not in COMMANDS]
    extra = [p for p in COMMANDS if p not in paths]
    if missing or extra:
        raise SystemExit(
            f"clerk_tui/cli/rights.py 与 CLI 不一致：缺少 {', '.join(missing) or '无'}；多余 {', '.join(extra) or '无'}"
        )
    lines = [INTRO, "## 命令 × 角色", ""]
    header = ["命令", *(ROLE_NAMES[r] for r in ROLES), "未登录", "所需权限", "说明"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for path in paths:
        right = COMMANDS[path]
        needs = [p for p in (right.permission, right.also) if p in PERMISSIONS]
        row = [
            f"`{path}`",
            *(cell(path, r) for r in ROLES),
            cell(path, None),
            " + ".join(f"`{p}`" for p in needs) or "—",
            right.note,
        ]
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "## 权限 × 角色", "", "| 权限 | " + " | ".join(ROLE_NAMES[r] for r in ROLES) + " |"]
    lines.append("|" + "---|" * (len(ROLES) + 1))
    for permission, roles in PERMISSIONS.items():
        lines.append(f"| `{permission}` | " + " | ".join("✓" if r in roles else "" for r in ROLES) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    text = render()
    if "--check" in argv:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC} 与代码不一致：请运行 python scripts/permissions_doc.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"已写入 {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
