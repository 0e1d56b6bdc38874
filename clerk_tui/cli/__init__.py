"""The command line (typer): the root app, its global options, and one module per command group.

Every error a person can cause is one clear line on stderr and a non-zero exit, never a traceback.
Acting staff: ``--staff`` or ``CLERK_TUI_STAFF`` with ``CLERK_TUI_PIN`` (or a PIN prompt).
Commands that do not open the TUI never import textual.

Imports point one way: this module imports the group modules, they import ``common``, and
``common`` imports none of them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from clerk_tui import __version__
from clerk_tui.cli import (
    alerts,
    appointment,
    assessment,
    audit,
    calendar,
    case,
    catalog,
    check,
    db,
    device,
    duty,
    followup,
    inquiry,
    patrol,
    printing,
    report,
    serve,
    setup,
    staff,
    ticket,
    window,
)
from clerk_tui.cli.common import CliContext, help_in_chinese, run

__all__ = ["app", "main"]

help_in_chinese()

app = typer.Typer(
    name="clerk-tui",
    help="政务服务中心窗口终端（clerk-tui）：导办、叫号、受理、统计。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
# The order here is the order of `clerk-tui --help`: the top-level commands, then the groups.
app.add_typer(setup.app)  # init, demo, run, display, rating-pad
app.add_typer(serve.app)  # serve: the public devices' web server
for module, name in (
    (db, "db"),
    (catalog, "catalog"),
    (window, "window"),
    (calendar, "calendar"),
    (staff, "staff"),
    (check, "check"),
    (ticket, "ticket"),
    (appointment, "appointment"),
    (case, "case"),
    (printing, "print"),
    (inquiry, "inquiry"),
    (alerts, "alerts"),
    (followup, "followup"),
    (report, "report"),
    (assessment, "assessment"),
    (audit, "audit"),
    (duty, "duty"),
    (patrol, "patrol"),
    (device, "device"),
):
    app.add_typer(module.app, name=name)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"clerk-tui {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None, typer.Option("--db", help="数据库：文件路径或 postgresql+psycopg://… 地址（环境变量 CLERK_TUI_DB）")
    ] = None,
    staff: Annotated[
        str | None, typer.Option("--staff", help="操作人员工号（环境变量 CLERK_TUI_STAFF，PIN 用 CLERK_TUI_PIN）")
    ] = None,
    config: Annotated[str | None, typer.Option("--config", help="配置文件（环境变量 CLERK_TUI_CONFIG）")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本")] = False,
) -> None:
    ctx.obj = CliContext(config=config, db=db, staff=staff)


def main() -> None:
    """Entry point: turn every error a person can cause into one line and exit 1."""
    run(app)
