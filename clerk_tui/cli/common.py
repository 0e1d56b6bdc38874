"""What every command group shares: the context (settings, engine, acting staff), the ``--format``
option, output as a table or JSON, and errors as one Chinese line and an exit code.

The group modules import this one; this one imports none of them. Commands import services
lazily: start-up of every command pays only for what it uses (``clerk-tui catalog list`` never
loads textual, ``clerk-tui check id`` never loads SQLAlchemy).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, NoReturn

import typer
import typer.core
from typer._click import core as click_core
from typer._click import formatting

from clerk_tui.domain.text import UNSAFE_BEYOND_C0, visible


def help_in_chinese() -> None:
    """typer's help pages carry four English words of their own (Usage, Options, Commands, and the
    --help line). Say them in Chinese; typer is pinned in constraints.txt."""
    words = {
        "Arguments": "参数",
        "Options": "选项",
        "Commands": "命令",
        "required": "必填",
        "default: {default}": "默认：{default}",
        "env var: {var}": "环境变量：{var}",
    }
    typer.core._ = lambda text: words.get(text, text)
    write_usage = formatting.HelpFormatter.write_usage

    def usage_in_chinese(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, "用法：" if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = usage_in_chinese
    get_help_option = click_core.Command.get_help_option

    def help_option_in_chinese(self, ctx):
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = "显示本帮助并退出。"
        return option

    click_core.Command.get_help_option = help_option_in_chinese


# ---------------------------------------------------------------- the --format option


class Format(str, Enum):
    table = "table"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format")]
"""``--format table|json``, for every command that shows data (``fmt: FormatOption = Format.table``)."""


class Encoding(str, Enum):
    utf8 = "utf-8"
    gb18030 = "gb18030"


EncodingOption = Annotated[
    Encoding, typer.Option("--encoding", help="文件编码：utf-8（默认）或 gb18030（GBK，Excel 常用）")
]
"""``--encoding utf-8|gb18030``, for every command that reads a file a person gives."""


# ---------------------------------------------------------------- the context and acting staff


@dataclass
class CliContext:
    """The global options (``--config``, ``--db``, ``--staff``) and what is opened from them, once
    per command: the settings, the engine, the acting staff member."""

    config: str | None = None
    db: str | None = None
    staff: str | None = None
    _settings: Any = None
    _engine: Any = None

    @property
    def settings(self):
        if self._settings is None:
            from clerk_tui.services.pin_key import configure
            from clerk_tui.services.ticket_status import configure as configure_links
            from clerk_tui.settings import load_settings

            self._settings = load_settings(self.config, self.db)
            configure(self._settings)  # the PIN key file and length this command's hall uses
            configure_links(self._settings)  # the base of the tickets' status links (QR codes)
        return self._settings

    def use_database(self, db: str) -> None:
        """Point at another database (the demo's), forgetting the settings read for the old one."""
        self.db = db
        self._settings = None

    @property
    def open_engine(self):
        """The engine if this command has opened one already, else None."""
        return self._engine

    def engine(self, *, require_schema: bool = True):
        if self._engine is None:
            from clerk_tui.store.engine import make_engine, missing_sqlite_file
            from clerk_tui.store.schema import SchemaError

            if require_schema and (missing := missing_sqlite_file(self.settings.database)):
                raise SchemaError(
                    f"数据库文件 {missing} 不存在：请先运行 clerk-tui init，或用 --db / CLERK_TUI_DB 指定已有的数据库"
                )
            self._engine = make_engine(self.settings.database, pg_timeouts=self.settings.pg_timeouts)
        if require_schema:
            from clerk_tui.services.marks import require_real_clock
            from clerk_tui.store.schema import require_current

            require_current(self._engine)
            require_real_clock(self._engine)
        return self._engine

    def staff_number(self) -> str:
        """The acting staff member's number (--staff / CLERK_TUI_STAFF); refused when none is given."""
        number = self.staff or os.environ.get("CLERK_TUI_STAFF")
        if not number:
            fail("此命令需要操作人员：请用 --staff 工号 或设置 CLERK_TUI_STAFF 和 CLERK_TUI_PIN")
        return number

    def actor(self):
        """Log the acting staff member in from --staff / CLERK_TUI_STAFF and CLERK_TUI_PIN."""
        from clerk_tui.services.staff import login

        number = self.staff_number()
        return login(self.engine(), number, prompt_pin("CLERK_TUI_PIN", f"工号 {number} 的 PIN"))

    def case_rules(self):
        """The settings that decide a case's deadlines and warnings (cases and alerts use them)."""
        from clerk_tui.services.cases import CaseRules

        return CaseRules(
            count_from_same_day=self.settings.count_from_same_day,
            yellow_days=self.settings.yellow_days,
            opens=self.settings.opens,
            closes=self.settings.closes,
        )


def context(ctx: typer.Context) -> CliContext:
    """The command's CliContext (made by the root callback from the global options)."""
    return ctx.ensure_object(CliContext)


def prompt_pin(variable: str, prompt: str, whose: str = "") -> str:
    """A PIN from the environment ``variable``, else typed at the terminal (hidden); refused when
    there is no terminal to type it at. ``whose`` names whose PIN it is when not the acting staff's."""
    pin = os.environ.get(variable)
    if pin is None:
        if not sys.stdin.isatty():
            fail(f"缺少{whose} PIN：请设置 {variable}，或在终端中交互输入")
        pin = typer.prompt(prompt, hide_input=True)
    return pin


# ---------------------------------------------------------------- output


def parse_day(text: str | None, option: str) -> dt.date | None:
    """The date an option gave (YYYY-MM-DD), None when it was not given; a bad one fails clearly."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        fail(f"{option} 的日期 {text!r} 无效，请写成 YYYY-MM-DD（如 2026-06-01）")


def fail(message: str, code: int = 1) -> NoReturn:
    """Stop the command with one line on stderr (a person's mistake the command itself found)."""
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(code)


def emit_json(value: Any) -> None:
    """JSON for a program: a control, bidi or zero-width character a stored string holds is written
    as its ``\\uXXXX`` escape (the same string to a JSON reader), never raw to the terminal."""
    text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    typer.echo(UNSAFE_BEYOND_C0.sub(_json_escape, text))


def _json_escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    if code > 0xFFFF:  # a tag character: JSON writes it as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _terminal_safe_echo() -> None:
    """The CLI's plain output edge: every line a command writes with ``typer.echo`` shows a stored
    control or bidi character as a visible stand-in (domain/text.visible) instead of sending it to
    the terminal. Tables already do (print_table); JSON escapes them (emit_json)."""
    echo = typer.echo
    if getattr(echo, "terminal_safe", False):
        return

    def safe_echo(message: Any = None, file: Any = None, nl: bool = True, err: bool = False, color: Any = None) -> None:
        if isinstance(message, str):
            message = visible(message, multiline=True)
        echo(message, file=file, nl=nl, err=err, color=color)

    safe_echo.terminal_safe = True  # type: ignore[attr-defined]
    typer.echo = safe_echo  # type: ignore[assignment]


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    """A plain table. Cells are literal text, never markup."""
    # rich's table is loaded only by the commands that print one.
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False, header_style="bold", safe_box=True)
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        # Literal, and a control or bidi character a row holds (written before the text policy, or
        # by hand) is shown as a visible stand-in instead of reaching the terminal.
        table.add_row(*(Text(visible("" if v is None else str(v))) for v in row))
    # Piped into a file or another program, a table keeps its rows whole instead of folding at 80.
    Console(soft_wrap=False, width=None if sys.stdout.isatty() else 240).print(table)


def emit_rows(
    fmt: Format,
    items: Iterable[Any],
    headers: list[str],
    row: Callable[[Any], list[Any]],
    as_json: Callable[[Any], Any] | None = None,
) -> None:
    """A list of things as JSON (each one's ``as_json()``, or ``as_json(item)``) or as a table
    (``row(item)`` under ``headers``)."""
    if fmt == Format.json:
        emit_json([item.as_json() if as_json is None else as_json(item) for item in items])
    else:
        print_table(headers, [row(item) for item in items])


# ---------------------------------------------------------------- errors and exit codes


def usage_text(exc: BaseException) -> str:
    """A usage error (typer's own: an unknown option, a missing argument) in one Chinese line, with
    where to find the right usage. Errors from the hall's rules go through person_error instead."""
    ctx = getattr(exc, "ctx", None)
    where = f"（用 {ctx.command_path} --help 查看用法）" if ctx is not None else "（用 clerk-tui --help 查看用法）"
    name = type(exc).__name__
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    quoted = re.findall(r"'([^']+)'", message)
    if name == "NoSuchOption":
        m = re.search(r"option:?\s*(\S+)", message)
        option = m.group(1) if m else (quoted[0] if quoted else "")
        hint = (
            "；全局选项 --db、--staff、--config 要写在命令名之前" if option in ("--db", "--staff", "--config") else ""
        )
        return f"没有选项 {option}{hint}{where}"
    if name == "MissingParameter":
        return f"缺少{('参数 ' + quoted[0]) if quoted else '必要的参数'}{where}"
    if name == "BadParameter" or "Invalid value" in message:
        option = quoted.pop(0) + " " if quoted and quoted[0].startswith("-") else ""
        if "is not one of" in message and len(quoted) >= 2:
            return f"{option}的取值 {quoted[0]} 无效，可选：{'、'.join(quoted[1:])}{where}"
        if "integer" in message:
            return f"{option}应为整数{where}"
        return f"{option}取值无效：{message.split(':', 1)[-1].strip()}{where}"
    if "No such command" in message:
        return f"没有命令 {quoted[0] if quoted else ''}{where}"
    if "Got unexpected extra argument" in message:
        return f"多余的参数 {message.split('(')[-1].rstrip(')')}{where}"
    return f"{message}{where}"


def run(app: typer.Typer) -> None:
    """Run the CLI: every error a person can cause becomes one line on stderr and exit 1 (a usage
    error exit 2), in the words the TUI shows (services.errors.person_error); a bug stays a traceback."""
    _terminal_safe_echo()
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("已取消。", err=True)
        sys.exit(1)
    except Exception as exc:
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # a usage error (typer's click)
            typer.echo(f"错误：{usage_text(exc)}", err=True)
            sys.exit(exc.exit_code or 2)
        # Loaded only on an error: the words for the store's errors need no import on the happy path.
        from clerk_tui.services.errors import person_error

        message = person_error(exc)
        if message is None:
            raise
        typer.echo(f"错误：{message}", err=True)
        sys.exit(1)
