"""The command line (typer). Commands that do not open the TUI never import textual.

Every error a person can cause is one clear line on stderr and a non-zero exit, never a traceback.
Acting staff: ``--staff`` or ``CLERK_TUI_STAFF`` with ``CLERK_TUI_PIN`` (or a PIN prompt).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from clerk_tui import __version__


def _help_in_chinese() -> None:
    """typer's help pages carry four English words of their own (Usage, Options, Commands, and the
    --help line). Say them in Chinese; typer is pinned in constraints.txt."""
    import typer.core
    from typer._click import core as click_core
    from typer._click import formatting

    words = {"Arguments": "参数", "Options": "选项", "Commands": "命令", "required": "必填",
             "default: {default}": "默认：{default}", "env var: {var}": "环境变量：{var}"}
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


_help_in_chinese()

app = typer.Typer(
    name="clerk-tui",
    help="政务服务中心窗口终端（clerk-tui）：导办、叫号、受理、统计。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(help="数据库：升级与检查。", no_args_is_help=True)
catalog_app = typer.Typer(help="事项目录：查询、导入、导出。", no_args_is_help=True)
window_app = typer.Typer(help="窗口。", no_args_is_help=True)
calendar_app = typer.Typer(help="工作日日历。", no_args_is_help=True)
staff_app = typer.Typer(help="人员与登录。", no_args_is_help=True)
check_app = typer.Typer(help="证件号码校验。", no_args_is_help=True)
ticket_app = typer.Typer(help="号票：取号、叫号、重呼、过号、转办。", no_args_is_help=True)
appointment_app = typer.Typer(help="预约：登记、导入、签到。", no_args_is_help=True)
for sub, name in ((db_app, "db"), (catalog_app, "catalog"), (window_app, "window"), (calendar_app, "calendar"),
                  (staff_app, "staff"), (check_app, "check"), (ticket_app, "ticket"), (appointment_app, "appointment")):
    app.add_typer(sub, name=name)


class Format(str, Enum):
    table = "table"
    json = "json"


@dataclass
class Ctx:
    config: str | None = None
    db: str | None = None
    staff: str | None = None
    _settings: Any = None
    _engine: Any = None
    extra: dict = field(default_factory=dict)

    @property
    def settings(self):
        if self._settings is None:
            from clerk_tui.settings import load_settings

            self._settings = load_settings(self.config, self.db)
        return self._settings

    def engine(self, *, require_schema: bool = True):
        if self._engine is None:
            from clerk_tui.store.engine import make_engine, missing_sqlite_file
            from clerk_tui.store.schema import SchemaError

            if require_schema and (missing := missing_sqlite_file(self.settings.database)):
                raise SchemaError(f"数据库文件 {missing} 不存在：请先运行 clerk-tui init，或用 --db / CLERK_TUI_DB 指定已有的数据库")
            self._engine = make_engine(self.settings.database)
        if require_schema:
            from clerk_tui.store.schema import require_current

            require_current(self._engine)
        return self._engine

    def actor(self, *, required: bool = True):
        """Log the acting staff member in from --staff / CLERK_TUI_STAFF and CLERK_TUI_PIN."""
        from clerk_tui.services.staff import login

        number = self.staff or os.environ.get("CLERK_TUI_STAFF")
        if not number:
            if not required:
                return None
            fail("此命令需要操作人员：请用 --staff 工号 或设置 CLERK_TUI_STAFF 和 CLERK_TUI_PIN")
        pin = os.environ.get("CLERK_TUI_PIN")
        if pin is None:
            if not sys.stdin.isatty():
                fail("缺少 PIN：请设置 CLERK_TUI_PIN，或在终端中交互输入")
            pin = typer.prompt(f"工号 {number} 的 PIN", hide_input=True)
        return login(self.engine(), number, pin)


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(code)


def emit_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    """A plain table. Cells are literal text, never markup."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False, header_style="bold", safe_box=True)
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*(Text("" if v is None else str(v)) for v in row))
    # Piped into a file or another program, a table keeps its rows whole instead of folding at 80.
    Console(soft_wrap=False, width=None if sys.stdout.isatty() else 240).print(table)


def _ctx(ctx: typer.Context) -> Ctx:
    return ctx.ensure_object(Ctx)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"clerk-tui {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option("--db", help="数据库：文件路径或 postgresql+psycopg://… 地址（环境变量 CLERK_TUI_DB）")] = None,
    staff: Annotated[Optional[str], typer.Option("--staff", help="操作人员工号（环境变量 CLERK_TUI_STAFF，PIN 用 CLERK_TUI_PIN）")] = None,
    config: Annotated[Optional[str], typer.Option("--config", help="配置文件（环境变量 CLERK_TUI_CONFIG）")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本")] = False,
) -> None:
    ctx.obj = Ctx(config=config, db=db, staff=staff)


# ---------------------------------------------------------------- set-up and the TUI


@app.command()
def init(
    ctx: typer.Context,
    catalog: Annotated[Optional[Path], typer.Option("--catalog", help="事项目录文件（默认：自带的演示县目录）")] = None,
    force: Annotated[bool, typer.Option("--force", help="清空已有数据库后重建（删除全部数据！）")] = False,
) -> None:
    """建立大厅数据库：建表、导入目录、创建管理员 admin（PIN 取自 CLERK_TUI_NEW_PIN，否则随机生成并只显示一次）。"""
    from clerk_tui.domain.pins import pin_problem
    from clerk_tui.services.setup import init_database

    c = _ctx(ctx)
    pin = os.environ.get("CLERK_TUI_NEW_PIN")
    if pin and (problem := pin_problem(pin)):
        fail(f"CLERK_TUI_NEW_PIN 无效：{problem}")
    result = init_database(c.engine(require_schema=False), catalog=catalog, force=force, admin_pin=pin)
    typer.echo(f"已初始化：{c.settings.database}，导入事项 {result.items} 项。")
    if catalog is None:
        typer.echo("未指定 --catalog，已导入自带的演示目录（云溪县政务服务中心）；"
                   "正式使用请用 clerk-tui catalog import 导入本厅目录，或用 init --catalog FILE --force 重建。")
    if result.admin_pin:
        typer.echo(f"管理员工号 admin 的初始 PIN：{result.admin_pin}（只显示这一次，请立即记下并修改）")
    else:
        typer.echo("管理员工号 admin 的 PIN 已按 CLERK_TUI_NEW_PIN 设置。")


@app.command()
def demo(
    ctx: typer.Context,
    no_tui: Annotated[bool, typer.Option("--no-tui", help="只建演示数据库，不打开界面")] = False,
) -> None:
    """建立演示大厅（云溪县政务服务中心）并打开界面。所有演示人员的 PIN 为 123456。"""
    from clerk_tui.services.setup import build_demo
    from clerk_tui.settings import demo_database

    c = _ctx(ctx)
    if not (c.db or os.environ.get("CLERK_TUI_DB")):
        c.db = demo_database()
        c._settings = None
    result = build_demo(c.engine(require_schema=False))
    typer.echo(f"演示大厅已建立：{c.settings.database}（事项 {result.items} 项；工号 8001 导办员、1030 在30号窗口（车驾管，有人排队）、1003 在3号窗口（办件）、9001 带班领导、admin；PIN 均为 123456）")
    typer.echo(_demo_terminals(c.settings.database))
    printing = c.settings.printing
    if not (printing.ticket or printing.receipt) and "://" not in c.settings.database:
        # No printers configured: the demo's papers go to files beside its database.
        papers = Path(c.settings.database).expanduser().resolve().parent / "demo-papers"
        printing.ticket = f"file://{papers}/tickets.bin"
        printing.receipt = f"pdf://{papers}"
        papers_line = f"演示的号票写入 {papers}/tickets.bin，通知书写入 {papers}/ 下的 PDF"
        typer.echo(papers_line)
    else:
        papers_line = ""
    if not no_tui:
        _run_tui(c)
        # The lines above were hidden behind the TUI while it ran: say again where the demo is.
        database = c.settings.database
        typer.echo(f"演示数据库：{database if '://' in database else os.path.abspath(os.path.expanduser(database))}")
        typer.echo(_demo_terminals(c.settings.database))
        if papers_line:
            typer.echo(papers_line)


def _demo_terminals(database: str) -> str:
    """How to open the demo's other terminals on the same database, as commands one can paste in
    any folder: the program as it was started (``make demo`` runs .venv/bin/clerk-tui, which is not
    on PATH) and the database, both as absolute paths."""
    import shlex

    program = os.path.abspath(sys.argv[0]) if Path(sys.argv[0]).name == "clerk-tui" else "clerk-tui"
    if "://" not in database:  # another terminal may start elsewhere
        database = os.path.abspath(os.path.expanduser(database))
    base = f"{shlex.quote(program)} --db {shlex.quote(database)}"
    # Each command on a line of its own, so that it stays whole to copy on a narrow terminal.
    return (f"叫号屏（在另一个终端运行）：\n  {base} display\n"
            f"3号窗口的评价器（在另一个终端运行）：\n  {base} rating-pad --window 3")


def _run_tui(c: Ctx) -> None:
    """Open the TUI (``clerk-tui run`` itself usually takes the short way in entry.py)."""
    from clerk_tui.ui.app import make_app

    database = c.settings.database
    if "://" not in database and database != ":memory:" and not Path(database).expanduser().exists():
        fail(f"数据库文件 {database} 不存在：请先运行 clerk-tui init（或 clerk-tui demo），或用 --db 指定")
    # The store opens in a worker after the first frame: SQLAlchemy is not imported here.
    make_app(c.settings, c._engine).run()


@app.command()
def run(ctx: typer.Context) -> None:
    """打开窗口终端界面（登录后按角色进入导办台、窗口或带班领导界面）。"""
    _run_tui(_ctx(ctx))


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """把数据库升级到本程序的版本（不会删除数据）。"""
    from clerk_tui.store.schema import status, upgrade

    engine = _ctx(ctx).engine(require_schema=False)
    before = status(engine).current
    st = upgrade(engine)
    if before == st.current:
        typer.echo(f"数据库已是最新版本 {st.current}，无需升级。")
    else:
        typer.echo(f"数据库已从 {before or '空库'} 升级到 {st.current}。")


@db_app.command("check")
def db_check(ctx: typer.Context, fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """检查数据库版本；与程序一致时退出码为 0。"""
    from clerk_tui.store.schema import status

    st = status(_ctx(ctx).engine(require_schema=False))
    if fmt == Format.json:
        emit_json({"current": st.current, "head": st.head, "state": st.state})
    else:
        typer.echo(st.describe())
    if st.state != "current":
        raise typer.Exit(1)


# ---------------------------------------------------------------- catalog and windows


@catalog_app.command("list")
def catalog_list(
    ctx: typer.Context,
    search: Annotated[Optional[str], typer.Option("--search", help="名称、拼音、拼音首字母或编码")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """列出事项（可按名称、拼音首字母、编码检索）。"""
    from clerk_tui.services.catalog import list_items

    items = list_items(_ctx(ctx).engine(), search)
    if fmt == Format.json:
        emit_json([{k: v for k, v in g.as_json().items() if k != "material_details"} for g in items])
        return
    if not items:
        typer.echo("没有找到匹配的事项。" if search else "目录为空：请用 clerk-tui catalog import 导入事项目录。")
        return
    print_table(["编码", "事项名称", "部门", "队列", "类型", "法定", "承诺"],
                [[g.code, g.name, g.department, g.queue, g.kind_name,
                  g.legal_limit_days if g.kind == "promised" else "—", g.promised_limit_days if g.kind == "promised" else "—"]
                 for g in items])


@catalog_app.command("show")
def catalog_show(ctx: typer.Context, code: str, fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """显示一个事项的完整办事指南。"""
    from clerk_tui.services.catalog import get_item
    from clerk_tui.services.guide import guide_lines

    g = get_item(_ctx(ctx).engine(), code)
    if fmt == Format.json:
        emit_json(g.as_json())
    else:
        typer.echo("\n".join(guide_lines(g)))


@catalog_app.command("import")
def catalog_import(ctx: typer.Context, file: Path) -> None:
    """导入事项目录（TOML 或 CSV）。文件有任何错误则不导入任何内容。需要管理员。"""
    from clerk_tui.services.catalog import import_catalog

    c = _ctx(ctx)
    counts = import_catalog(c.engine(), c.actor(), file)
    typer.echo(f"已导入 {file}：新增事项 {counts['items_added']} 项，更新 {counts['items_updated']} 项。")


@catalog_app.command("export")
def catalog_export(ctx: typer.Context, file: Path) -> None:
    """导出事项目录到 .toml 或 .csv 文件（可再导入）。"""
    from clerk_tui.services.catalog import export_catalog

    n = export_catalog(_ctx(ctx).engine(), file)
    typer.echo(f"已导出 {n} 个事项到 {file}。")


@window_app.command("list")
def window_list(ctx: typer.Context, fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """列出窗口及其服务的队列（按顺序）。"""
    from clerk_tui.services.catalog import list_windows
    from clerk_tui.services.queue import window_states

    engine = _ctx(ctx).engine()
    windows = list_windows(engine)
    states = {w.number: w for w in window_states(engine)}
    if fmt == Format.json:
        emit_json([{"number": w.number, "name": w.name, "department": w.department, "queues": list(w.queues),
                    "status": states[w.number].status, "pause_reason": states[w.number].pause_reason,
                    "clerk": states[w.number].clerk} for w in windows])
    else:
        print_table(["窗口", "名称", "部门", "队列", "状态", "人员"],
                    [[w.number, w.name, w.department or "综合", " ".join(w.queues),
                      states[w.number].status_name + (f"（{states[w.number].pause_reason}）" if states[w.number].pause_reason else ""),
                      states[w.number].clerk or ""] for w in windows])


# ---------------------------------------------------------------- calendar


def _calendar(c: Ctx):
    from clerk_tui.services.calendar import hall_calendar

    try:
        engine = c.engine()
    except Exception:
        engine = None
    if engine is None:
        from clerk_tui.domain.calendar import WorkdayCalendar

        return WorkdayCalendar(count_from_same_day=c.settings.count_from_same_day)
    return hall_calendar(engine, count_from_same_day=c.settings.count_from_same_day)


@calendar_app.command("add-workdays")
def calendar_add(
    ctx: typer.Context, date: str, n: int, fmt: Annotated[Format, typer.Option("--format")] = Format.table
) -> None:
    """从 DATE 起算 N 个工作日后的日期（默认次日为第1天）。"""
    from clerk_tui.services.calendar import parse_date

    if n < 0:
        fail("工作日天数 N 不能为负数")
    result = _calendar(_ctx(ctx)).add_workdays(parse_date(date), n)
    if fmt == Format.json:
        emit_json({"date": result.date.isoformat(), "provisional": result.provisional})
    else:
        typer.echo(result.date.isoformat() + ("（暂定：该年度放假安排尚未确认）" if result.provisional else ""))


@calendar_app.command("is-workday")
def calendar_is_workday(ctx: typer.Context, date: str, fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """DATE 是否为工作日；是则退出码 0，否则 1。"""
    from clerk_tui.services.calendar import parse_date

    day = parse_date(date)
    work, provisional = _calendar(_ctx(ctx)).workday(day)
    if fmt == Format.json:
        emit_json({"date": day.isoformat(), "workday": work, "provisional": provisional})
    else:
        typer.echo(f"{day} {'是工作日' if work else '不是工作日'}" + ("（暂定：该年度放假安排尚未确认）" if provisional else ""))
    if not work:
        raise typer.Exit(1)


@calendar_app.command("load")
def calendar_load(ctx: typer.Context, file: Path) -> None:
    """载入一个年度的放假与调休安排（data/calendar/ 中的格式）。需要管理员或带班领导。"""
    from clerk_tui.services.calendar import load_calendar

    c = _ctx(ctx)
    schedule = load_calendar(c.engine(), c.actor(), file, count_from_same_day=c.settings.count_from_same_day)
    typer.echo(f"已载入 {schedule.year} 年日历：放假 {len(schedule.holidays)} 天，调休上班 {len(schedule.workdays)} 天。")


# ---------------------------------------------------------------- staff


def _new_pin(prompt: str) -> str:
    pin = os.environ.get("CLERK_TUI_NEW_PIN")
    if pin:
        return pin
    if not sys.stdin.isatty():
        fail("缺少新 PIN：请设置 CLERK_TUI_NEW_PIN，或在终端中交互输入")
    return typer.prompt(prompt, hide_input=True, confirmation_prompt=True)


@staff_app.command("add")
def staff_add(
    ctx: typer.Context,
    number: str,
    name: str,
    role: Annotated[str, typer.Option("--role", help="guide（导办员）、clerk（窗口人员）、supervisor（带班领导）或 admin")],
    department: Annotated[Optional[str], typer.Option("--department", help="所属部门名称")] = None,
) -> None:
    """新增人员（新 PIN 取自 CLERK_TUI_NEW_PIN 或交互输入）。需要管理员。"""
    from clerk_tui.services.staff import add_staff

    c = _ctx(ctx)
    actor = c.actor()
    add_staff(c.engine(), actor, number, name, role, _new_pin(f"工号 {number} 的新 PIN"), department)
    typer.echo(f"已新增人员 {number} {name}。")


@staff_app.command("list")
def staff_list(ctx: typer.Context, fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """列出人员。需要管理员或带班领导。"""
    from clerk_tui.services.staff import list_staff

    c = _ctx(ctx)
    staff = list_staff(c.engine(), c.actor())
    if fmt == Format.json:
        emit_json([{"number": s.number, "name": s.name, "role": s.role, "department": s.department, "locked": s.locked}
                   for s in staff])
    else:
        print_table(["工号", "姓名", "角色", "部门", "状态"],
                    [[s.number, s.name, s.role_name, s.department or "", "已锁定" if s.locked else "正常"] for s in staff])


@staff_app.command("set-pin")
def staff_set_pin(ctx: typer.Context, number: str) -> None:
    """设置 PIN（新 PIN 取自 CLERK_TUI_NEW_PIN 或交互输入）。管理员可设任何人，其他人只能设自己的。"""
    from clerk_tui.services.staff import set_pin

    c = _ctx(ctx)
    actor = c.actor()
    set_pin(c.engine(), actor, number, _new_pin(f"工号 {number} 的新 PIN"))
    typer.echo(f"已设置工号 {number} 的 PIN。")


@staff_app.command("unlock")
def staff_unlock(ctx: typer.Context, number: str) -> None:
    """解锁因 PIN 连续错误被锁定的工号。需要管理员或带班领导。"""
    from clerk_tui.services.staff import unlock

    c = _ctx(ctx)
    unlock(c.engine(), c.actor(), number)
    typer.echo(f"已解锁工号 {number}。")


# ---------------------------------------------------------------- identity checks


@check_app.command("id")
def check_id(number: str) -> None:
    """校验居民身份证号（GB 11643）：有效退出码 0，无效 1 并说明原因。"""
    from clerk_tui.domain.ids import check_resident_id

    from clerk_tui import clock

    result = check_resident_id(number, clock.today())
    if not result.ok:
        typer.echo(f"无效：{result.reason}", err=True)
        raise typer.Exit(1)
    typer.echo(f"有效：{result.value}")


@check_app.command("uscc")
def check_uscc_cmd(code: str) -> None:
    """校验统一社会信用代码（GB 32100）：有效退出码 0，无效 1 并说明原因。"""
    from clerk_tui.domain.ids import check_uscc

    result = check_uscc(code)
    if not result.ok:
        typer.echo(f"无效：{result.reason}", err=True)
        raise typer.Exit(1)
    typer.echo(f"有效：{result.value}")


# ---------------------------------------------------------------- the queue

WindowOpt = Annotated[int, typer.Option("--window", help="窗口号")]


def _ticket_out(view, fmt: Format, extra: dict | None = None) -> None:
    if fmt == Format.json:
        emit_json(view.as_json() | (extra or {}))
        return
    line = f"{view.number}  {view.queue} {view.queue_name}  {view.status_name}"
    if view.priority != "none":
        line += f"  {view.priority_name}优先"
    if view.status == "waiting":
        line += f"  前面还有{view.waiting_ahead}人"
    if view.window:
        line += f"  {view.window}号窗口"
    typer.echo(line)
    for value in (extra or {}).values():
        if value:
            typer.echo(str(value))


@ticket_app.command("issue")
def ticket_issue(
    ctx: typer.Context,
    item: Annotated[Optional[str], typer.Option("--item", help="事项编码")] = None,
    queue: Annotated[Optional[str], typer.Option("--queue", help="队列字母")] = None,
    priority: Annotated[str, typer.Option("--priority", help="none、elderly、disabled、pregnant、military、appointment、referral")] = "none",
    id_number: Annotated[Optional[str], typer.Option("--id-number", help="身份证号（可选，用于限号）")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """取号（按事项或队列）。"""
    from clerk_tui.domain.queueing import PRIORITY_NAMES
    from clerk_tui.services.queue import issue_ticket

    c = _ctx(ctx)
    priority = {v: k for k, v in PRIORITY_NAMES.items()}.get(priority.strip(), priority.strip())  # 老年人 → elderly
    view = issue_ticket(c.engine(), c.actor(), item_code=item, queue=queue, priority=priority, id_number=id_number,
                        policy=c.settings.queue)
    _ticket_out(view, fmt)


@ticket_app.command("call")
def ticket_call(ctx: typer.Context, window: WindowOpt, fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """叫下一个号；没有等候的号时 number 为 null（退出码 0）。"""
    from clerk_tui.services.queue import call_next

    c = _ctx(ctx)
    result = call_next(c.engine(), c.actor(), window, c.settings.queue)
    if fmt == Format.json:
        body = result.ticket.as_json() if result.ticket else {"number": None}
        emit_json(body | {"window": window, "why": result.why, "auto_no_show": result.auto_no_show})
    elif result.ticket is None:
        typer.echo(f"{window}号窗口：没有等候的号。")
    else:
        typer.echo(f"请{result.ticket.number}号到{window}号窗口办理")
        typer.echo(result.why)


@ticket_app.command("next")
def ticket_next(ctx: typer.Context, window: WindowOpt, fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """下一位：办结本窗口当前的号（如有）并叫下一个号，一步完成。"""
    from clerk_tui.services.queue import finish_and_call_next

    c = _ctx(ctx)
    result = finish_and_call_next(c.engine(), c.actor(), window, c.settings.queue)
    if fmt == Format.json:
        body = result.call.ticket.as_json() if result.call.ticket else {"number": None}
        emit_json(body | {"window": window, "why": result.call.why,
                          "finished": result.finished.number if result.finished else None})
        return
    if result.finished:
        typer.echo(f"{result.finished.number} 已办结。")
    typer.echo(f"请{result.call.ticket.number}号到{window}号窗口办理\n{result.call.why}" if result.call.ticket
               else f"{window}号窗口：没有等候的号。")


def _simple_ticket_command(name: str, doc: str, func_name: str, *, policy: bool = False):
    def command(ctx: typer.Context, number: str, window: WindowOpt,
                fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
        from clerk_tui.services import queue as q

        c = _ctx(ctx)
        args = (c.settings.queue,) if policy else ()
        _ticket_out(getattr(q, func_name)(c.engine(), c.actor(), number, window, *args), fmt)

    command.__doc__ = doc
    ticket_app.command(name)(command)


_simple_ticket_command("recall", "重呼（计次）。", "recall")
_simple_ticket_command("no-show", "标记过号（重呼达到规定次数后）。", "mark_no_show", policy=True)
_simple_ticket_command("start", "开始办理。", "start_service")
_simple_ticket_command("finish", "办结本次服务。", "finish_service")


@ticket_app.command("call-specific")
def ticket_call_specific(ctx: typer.Context, number: str, window: WindowOpt,
                         fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """指定叫某个等候中的号（记录在案）。"""
    from clerk_tui.services.queue import call_specific

    c = _ctx(ctx)
    result = call_specific(c.engine(), c.actor(), number, window, c.settings.queue)
    _ticket_out(result.ticket, fmt, {"why": result.why})


@ticket_app.command("transfer")
def ticket_transfer(
    ctx: typer.Context,
    number: str,
    reason: Annotated[str, typer.Option("--reason", help="转办原因（接收窗口可见）")],
    to_queue: Annotated[Optional[str], typer.Option("--to-queue", help="转往的队列字母")] = None,
    to_window: Annotated[Optional[int], typer.Option("--to-window", help="转往的窗口号")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """转办到其他队列或窗口：保留号码和原取号时间。"""
    from clerk_tui.services.queue import transfer

    c = _ctx(ctx)
    _ticket_out(transfer(c.engine(), c.actor(), number, reason=reason, to_queue=to_queue, to_window=to_window,
                         policy=c.settings.queue), fmt)


@ticket_app.command("rejoin")
def ticket_rejoin(ctx: typer.Context, number: str, fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """过号后在规定时间内返回：恢复等候，保留号码。"""
    from clerk_tui.services.queue import rejoin

    c = _ctx(ctx)
    _ticket_out(rejoin(c.engine(), c.actor(), number, c.settings.queue), fmt)


@ticket_app.command("list")
def ticket_list(
    ctx: typer.Context,
    status: Annotated[Optional[str], typer.Option("--status", help="waiting、called、serving、done、no_show")] = None,
    queue: Annotated[Optional[str], typer.Option("--queue")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="营业日，默认今天")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """列出某天的号票。"""
    from clerk_tui.services.calendar import parse_date
    from clerk_tui.services.queue import list_tickets

    views = list_tickets(_ctx(ctx).engine(), status=status, queue=queue, day=parse_date(date) if date else None)
    if fmt == Format.json:
        emit_json([v.as_json() for v in views])
    else:
        print_table(["号码", "队列", "事项", "优先", "状态", "窗口", "取号时间", "转办"],
                    [[v.number, v.queue, v.item_name or "", v.priority_name, v.status_name, v.window or "",
                      f"{v.issued_at:%H:%M}", f"{v.transfer_source}：{v.transfer_reason}" if v.transfers else ""]
                     for v in views])


def _window_action(name: str, doc: str, func_name: str, done: str, *, reason: bool = False):
    def command(ctx: typer.Context, number: int,
                reason_text: Annotated[Optional[str], typer.Option("--reason", help="原因")] = None) -> None:
        from clerk_tui.services import queue as q

        c = _ctx(ctx)
        args = (reason_text or "",) if reason else ()
        getattr(q, func_name)(c.engine(), c.actor(), number, *args)
        typer.echo(f"{number}号窗口{done}。")

    command.__doc__ = doc
    window_app.command(name)(command)


_window_action("open", "开窗。", "open_window", "已开窗")
_window_action("pause", "暂停服务（需 --reason）。", "pause_window", "已暂停服务", reason=True)
_window_action("resume", "恢复服务。", "resume_window", "已恢复服务")
_window_action("close", "关窗。", "close_window", "已关窗", reason=True)


@appointment_app.command("add")
def appointment_add(
    ctx: typer.Context,
    id_number: Annotated[str, typer.Option("--id-number")],
    item: Annotated[str, typer.Option("--item", help="事项编码")],
    date: Annotated[str, typer.Option("--date", help="YYYY-MM-DD")],
    start: Annotated[str, typer.Option("--start", help="HH:MM")],
    end: Annotated[str, typer.Option("--end", help="HH:MM")],
    name: Annotated[str, typer.Option("--name")] = "",
    phone: Annotated[str, typer.Option("--phone")] = "",
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """登记预约。"""
    from clerk_tui.services.appointments import add_appointment

    c = _ctx(ctx)
    view = add_appointment(c.engine(), c.actor(), id_number=id_number, item_code=item, day=date, start=start, end=end,
                           name=name, phone=phone, source="cli")
    if fmt == Format.json:
        emit_json(view.as_json())
    else:
        typer.echo(f"已预约：{view.item_name} {view.day} {view.slot_start:%H:%M}-{view.slot_end:%H:%M}（编号 {view.id}）")


@appointment_app.command("import")
def appointment_import(ctx: typer.Context, file: Path) -> None:
    """导入网上预约平台导出的 CSV（id_number,name,phone,item,date,start,end,ref），全部成功或全部不导入。"""
    from clerk_tui.services.appointments import import_appointments

    c = _ctx(ctx)
    n = import_appointments(c.engine(), c.actor(), file)
    typer.echo(f"已处理 {n} 条预约（重复的平台编号自动跳过）。")


@appointment_app.command("check-in")
def appointment_check_in(ctx: typer.Context, id_number: str, fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """预约签到：时段内签到得预约优先号，迟到得普通号并说明原因。"""
    from clerk_tui.services.appointments import check_in

    c = _ctx(ctx)
    result = check_in(c.engine(), c.actor(), id_number, c.settings.queue)
    _ticket_out(result.ticket, fmt, {"message": result.message, "on_time": result.on_time} if fmt == Format.json
                else {"message": result.message})


@appointment_app.command("list")
def appointment_list(ctx: typer.Context, date: Annotated[Optional[str], typer.Option("--date")] = None,
                     fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """列出某天的预约。"""
    from clerk_tui.services.appointments import list_appointments
    from clerk_tui.services.calendar import parse_date

    views = list_appointments(_ctx(ctx).engine(), parse_date(date) if date else None)
    if fmt == Format.json:
        emit_json([v.as_json() for v in views])
    else:
        print_table(["编号", "时段", "事项", "姓名", "身份证号", "状态"],
                    [[v.id, f"{v.slot_start:%H:%M}-{v.slot_end:%H:%M}", v.item_name, v.name, v.id_number_masked,
                      {"booked": "待签到", "checked_in": "已签到", "cancelled": "已取消"}.get(v.status, v.status)]
                     for v in views])


@app.command()
def display(ctx: typer.Context) -> None:
    """大厅叫号屏：当前叫号（大字）、最近叫号、各队列等候人数，并语音播报（需 espeak-ng）。"""
    from clerk_tui.ui.display import make_display

    c = _ctx(ctx)
    make_display(c.settings, c.engine()).run()


@app.command("rating-pad")
def rating_pad(ctx: typer.Context, window: Annotated[int, typer.Option("--window", help="评价器所在的窗口号")]) -> None:
    """评价器：面向办事人的屏幕，窗口办结后请办事人按 1–5 评价。"""
    from clerk_tui.services.catalog import list_windows
    from clerk_tui.ui.rating_pad import make_rating_pad

    c = _ctx(ctx)
    if window not in {w.number for w in list_windows(c.engine())}:
        fail(f"没有{window}号窗口，请用 clerk-tui window list 查看窗口号")
    make_rating_pad(c.settings, c.engine(), window, timeout=c.settings.rating_timeout).run()


def _usage_text(exc: BaseException) -> str:
    """A usage error in one Chinese line, with where to find the right usage."""
    import re

    ctx = getattr(exc, "ctx", None)
    where = f"（用 {ctx.command_path} --help 查看用法）" if ctx is not None else "（用 clerk-tui --help 查看用法）"
    name = type(exc).__name__
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    quoted = re.findall(r"'([^']+)'", message)
    if name == "NoSuchOption":
        m = re.search(r"option:?\s*(\S+)", message)
        option = m.group(1) if m else (quoted[0] if quoted else "")
        hint = "；全局选项 --db、--staff、--config 要写在命令名之前" if option in ("--db", "--staff", "--config") else ""
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


def _person_error(exc: BaseException) -> str | None:
    """The one line to show for an error a person can cause, or None for a real bug: the same
    words the TUI shows (services.errors.person_error)."""
    from clerk_tui.services.errors import person_error

    return person_error(exc)


def _register() -> None:
    from clerk_tui.cli_cases import case_app
    from clerk_tui.cli_inquiry import alerts_app, followup_app, inquiry_app
    from clerk_tui.cli_print import print_app
    from clerk_tui.cli_report import report_app

    app.add_typer(case_app, name="case")
    app.add_typer(print_app, name="print")
    app.add_typer(inquiry_app, name="inquiry")
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(followup_app, name="followup")
    app.add_typer(report_app, name="report")


_register()


def main() -> None:
    """Entry point: turn every error a person can cause into one line and exit 1."""
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("已取消。", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # a usage error (typer's click)
            typer.echo(f"错误：{_usage_text(exc)}", err=True)
            sys.exit(exc.exit_code or 2)
        message = _person_error(exc)
        if message is None:
            raise
        typer.echo(f"错误：{message}", err=True)
        sys.exit(1)
