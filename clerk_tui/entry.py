"""The console script. ``clerk-tui run`` (the command every terminal starts with, every day)
goes straight to the TUI without loading typer; every other command goes through the CLI.

Only the exact form ``[--db X] [--config X] run`` takes the short way; anything else, including
``run --help`` or an unknown option, is handled by typer as usual.
"""

from __future__ import annotations

import sys

_GLOBALS_WITH_VALUE = ("--db", "--config")


def _fast_run_options(argv: list[str]) -> dict[str, str] | None:
    options: dict[str, str] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition("=")
        if name in _GLOBALS_WITH_VALUE:
            if not eq:
                if i + 1 >= len(argv):
                    return None
                value = argv[i + 1]
                i += 1
            options[name[2:]] = value
        elif arg == "run" and i == len(argv) - 1:
            return options
        else:
            return None
        i += 1
    return None


def main() -> None:
    options = _fast_run_options(sys.argv[1:])
    if options is None:
        from clerk_tui.cli import main as cli_main  # typer is loaded only here: `run` never pays for it

        cli_main()
        return
    from clerk_tui.settings import SettingsError, load_settings

    try:
        settings = load_settings(options.get("config"), options.get("db"))
    except SettingsError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        sys.exit(1)
    from pathlib import Path

    database = settings.database
    if "://" not in database and database != ":memory:" and not Path(database).expanduser().exists():
        print(
            f"错误：数据库文件 {database} 不存在：请先运行 clerk-tui init（或 clerk-tui demo），或用 --db 指定",
            file=sys.stderr,
        )
        sys.exit(1)
    from clerk_tui.ui.app import make_app

    make_app(settings).run()
