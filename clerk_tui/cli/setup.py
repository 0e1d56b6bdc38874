"""``clerk-tui init|demo|run|display|rating-pad``: setting a hall up and opening the screens.

Commands import services lazily: start-up of every command pays only for what it uses (and only
these commands load textual).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from clerk_tui import paths
from clerk_tui.cli.common import CliContext, context, fail

app = typer.Typer()  # added to the root without a name: its commands are top-level


@app.command()
def init(
    ctx: typer.Context,
    catalog: Annotated[Path | None, typer.Option("--catalog", help="事项目录文件（默认：自带的演示县目录）")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="清空已有数据库后重建（删除全部数据！需系统管理员 PIN 并确认）")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="与 --force 同用：不在终端询问，直接确认清空（供脚本使用）")
    ] = False,
) -> None:
    """建立大厅数据库：建表、导入目录、创建管理员 admin（PIN 取自 CLERK_TUI_NEW_PIN，否则随机生成并只显示一次）。

    已有大厅的数据库只能由系统管理员（--staff/CLERK_TUI_STAFF 与 CLERK_TUI_PIN）加 --force 清空重建，
    并须确认：在终端输入大厅代码，或加 --yes。"""
    from clerk_tui.domain.pins import pin_problem
    from clerk_tui.services.contents import hall_contents
    from clerk_tui.services.context import require
    from clerk_tui.services.pin_key import key_file_path, min_length
    from clerk_tui.services.setup import init_database

    c = context(ctx)
    pin = os.environ.get("CLERK_TUI_NEW_PIN")
    if pin and c.settings and (problem := pin_problem(pin, min_length=min_length())):
        fail(f"CLERK_TUI_NEW_PIN 无效：{problem}")
    engine = c.engine(require_schema=False)
    contents = hall_contents(engine)
    actor = None
    if force and contents is not None:
        if not contents.empty:
            if not (c.staff or os.environ.get("CLERK_TUI_STAFF")):
                fail(
                    f"数据库 {c.settings.database} 已有大厅（{contents.describe()}）：清空重建需要系统管理员登录，"
                    "请用 --staff 工号 或设置 CLERK_TUI_STAFF 和 CLERK_TUI_PIN"
                )
            # The administrator's PIN and right before anything is said or erased (the service checks again).
            actor = require(c.actor(), "hall.reset")
        _confirm_erase(
            c.settings.database, contents.describe() if not contents.empty else "已有数据表", contents.code, yes
        )
    result = init_database(engine, catalog=catalog, force=force, admin_pin=pin, actor=actor)
    if result.erased is not None:
        typer.echo(f"已清空：{result.erased.describe()}")
    typer.echo(f"已初始化：{c.settings.database}，导入事项 {result.items} 项。")
    typer.echo(
        f"PIN 密钥文件：{key_file_path()}"
        "（本厅每台终端都需要同一个文件，请随配置一起复制并备份，见 README「安全」→「密钥文件」）"
    )
    if catalog is None:
        typer.echo(
            "未指定 --catalog，已导入自带的演示目录（云溪县政务服务中心）；"
            "正式使用请用 clerk-tui catalog import 导入本厅目录，或用 init --catalog FILE --force 重建。"
        )
    if result.admin_pin:
        typer.echo(
            f"管理员工号 admin 的初始 PIN：{result.admin_pin}（只显示这一次；首次登录须先修改：clerk-tui --staff admin staff change-pin）"
        )
    else:
        typer.echo("管理员工号 admin 的 PIN 已按 CLERK_TUI_NEW_PIN 设置。")


def _confirm_erase(database: str, what: str, code: str, yes: bool) -> None:
    """Say what ``init --force`` would erase and have it confirmed: ``--yes``, or the hall's code
    typed at a terminal. With neither (a script, a pipe) the command refuses."""
    typer.echo(f"将清空数据库 {database}：{what}。此操作不可撤销。", err=True)
    if yes:
        return
    if not sys.stdin.isatty():
        fail("未确认清空：请在终端中运行并按提示确认，或加 --yes（脚本中使用）")
    word = code or "清空"
    typed = typer.prompt(f"确认清空请输入{'大厅代码 ' if code else ''}{word}", default="", show_default=False)
    if typed.strip() != word:
        fail("输入不符，未清空任何数据")


@app.command()
def demo(
    ctx: typer.Context,
    no_tui: Annotated[bool, typer.Option("--no-tui", help="只建演示数据库，不打开界面（也不启动网页服务）")] = False,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="打开界面，但不同时启动公共设备网页服务")] = False,
) -> None:
    """建立演示大厅（云溪县政务服务中心）并打开界面，同时在 127.0.0.1 启动公共设备网页服务（叫号大屏、3号窗口评价器、
    自助取号机），退出界面时停止。所有演示人员的 PIN 为 123456。"""
    from clerk_tui.services.setup import build_demo
    from clerk_tui.settings import demo_database

    c = context(ctx)
    if not (c.db or os.environ.get("CLERK_TUI_DB")):
        c.use_database(demo_database())
    result = build_demo(c.engine(require_schema=False))
    typer.echo(
        f"演示大厅已建立：{c.settings.database}（事项 {result.items} 项；工号 8001 导办员、1030 在30号窗口（车驾管，有人排队）、1003 在3号窗口（办件）、9001 带班领导、admin；PIN 均为 123456）"
    )
    typer.echo(_demo_terminals(c.settings.database))
    serving = not (no_tui or no_serve)
    if serving:  # the demo's own server: on 127.0.0.1, at the settings' port unless it is taken
        from clerk_tui.settings import ServeSettings

        port = _free_port(c.settings.serve.port)
        c.settings.serve = ServeSettings("127.0.0.1", port, c.settings.serve.public_url)
    from clerk_tui.services.setup import demo_waiting_ticket

    example = demo_waiting_ticket(c.engine())
    web_lines = _demo_web(c.settings, result.devices, example, serving=serving)
    typer.echo(web_lines)
    printing = c.settings.printing
    if not (printing.ticket or printing.receipt) and "://" not in c.settings.database:
        # No printers configured: the demo's papers go to files beside its database.
        papers = Path(c.settings.database).expanduser().resolve().parent / "demo-papers"
        printing.ticket = f"file://{papers}/tickets.bin"
        printing.receipt = f"pdf://{papers}"
        printing.papers = str(papers)  # the only folder file:// and pdf:// printers may write in
        papers_line = f"演示的号票写入 {papers}/tickets.bin，通知书写入 {papers}/ 下的 PDF"
        if not no_tui:  # only the TUI this command opens prints there; `run` has no printer of its own
            typer.echo(papers_line)
    else:
        papers_line = ""
    if not no_tui:
        server = _start_demo_server(c) if serving else None
        try:
            _run_tui(c)
        finally:
            if server is not None:
                _stop(server)
        # The lines above were hidden behind the TUI while it ran: say again where the demo is.
        database = c.settings.database
        typer.echo(f"演示数据库：{database if '://' in database else os.path.abspath(os.path.expanduser(database))}")
        typer.echo(_demo_terminals(c.settings.database))
        typer.echo(web_lines)
        if papers_line:
            typer.echo(papers_line)


def _demo_command(database: str) -> str:
    """The program as it was started (``make demo`` runs .venv/bin/clerk-tui, which is not on PATH)
    and the database, both as absolute paths: a command one can paste in any folder."""
    import shlex  # only the demo needs it: not loaded at every command's start-up

    program = os.path.abspath(sys.argv[0]) if Path(sys.argv[0]).name == "clerk-tui" else "clerk-tui"
    if "://" not in database:  # another terminal may start elsewhere
        database = os.path.abspath(os.path.expanduser(database))
    return f"{shlex.quote(program)} --db {shlex.quote(database)}"


def _demo_terminals(database: str) -> str:
    """How to open the demo's other terminals on the same database."""
    base = _demo_command(database)
    # Each command on a line of its own, so that it stays whole to copy on a narrow terminal.
    return (
        f"叫号屏（在另一个终端运行，PIN 123456）：\n  {base} --staff 8001 display\n"
        f"3号窗口的评价器（在另一个终端运行，PIN 123456）：\n  {base} --staff 1003 rating-pad --window 3"
    )


def _demo_web(settings, devices, ticket, *, serving: bool = False) -> str:
    """The demo's web pages: the server (started with the TUI, or how to start it), each device's
    URL (its token, shown once) and the status page of a waiting ticket (the QR code on its paper)."""
    from clerk_tui.cli.device import device_url
    from clerk_tui.services.ticket_status import status_url

    base = settings.serve.base_url()
    if serving:
        lines = [
            f"公共设备网页服务：{base}（随界面启动，退出界面时停止；单独运行：{_demo_command(settings.database)} serve）"
        ]
    else:
        lines = [f"公共设备网页服务（在另一个终端运行）：\n  {_demo_command(settings.database)} serve"]
    for new in devices:
        url = device_url(base, new.device.kind, new.token)
        lines.append(f"{new.device.kind_name}网页（{new.device.name}，在浏览器中打开）：\n  {url}")
    if ticket is not None and (url := status_url(ticket, base)):
        lines.append(f"排队进度网页（{ticket.number} 号票上的二维码，手机打开）：\n  {url}")
    return "\n".join(lines)


def _free_port(preferred: int) -> int:
    """``preferred`` if nothing listens there on 127.0.0.1, else a free port the system gives."""
    import socket

    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    return preferred


def _start_demo_server(c: CliContext):
    """``clerk-tui serve`` on 127.0.0.1 beside the demo's TUI, its log in a file (not over the TUI)."""
    import subprocess
    import time

    serve = c.settings.serve
    database = c.settings.database
    if "://" not in database:
        database = os.path.abspath(os.path.expanduser(database))
        log_path = Path(database).parent / "demo-serve.log"
    else:
        log_path = Path(os.devnull)
    args = [sys.executable, "-m", "clerk_tui", "--db", database]
    if c.config:
        args += ["--config", c.config]
    args += ["serve", "--host", "127.0.0.1", "--port", str(serve.port)]
    if log_path != Path(os.devnull):
        paths.create_private(log_path)  # owner-only like every file the program writes
    with open(log_path, "ab") as log:
        server = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and server.poll() is None:
        if _listening(serve.port):
            return server
        time.sleep(0.1)
    typer.echo(
        f"公共设备网页服务未能启动，见日志 {log_path}；可在另一个终端运行：{_demo_command(database)} serve", err=True
    )
    _stop(server)
    return None


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _stop(server) -> None:
    """Stop the demo's server (it ends its open event streams within seconds), killed if it lingers."""
    import subprocess

    if server.poll() is None:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)


def _run_tui(c: CliContext) -> None:
    """Open the TUI (``clerk-tui run`` itself usually takes the short way in entry.py)."""
    from clerk_tui.ui.app import make_app

    database = c.settings.database
    if "://" not in database and database != ":memory:" and not Path(database).expanduser().exists():
        fail(f"数据库文件 {database} 不存在：请先运行 clerk-tui init（或 clerk-tui demo），或用 --db 指定")
    # The store opens in a worker after the first frame: SQLAlchemy is not imported here.
    make_app(c.settings, c.open_engine).run()


@app.command()
def run(ctx: typer.Context) -> None:
    """打开窗口终端界面（登录后按角色进入导办台、窗口或带班领导界面）。"""
    _run_tui(context(ctx))


@app.command()
def display(ctx: typer.Context) -> None:
    """大厅叫号屏：当前叫号（大字）、最近叫号、各队列等候人数，并语音播报（需 espeak-ng）。由本厅人员登录后启动。"""
    from clerk_tui.services.context import require

    c = context(ctx)
    require(c.actor(), "screen.run")  # before textual loads: a refusal is one line
    from clerk_tui.ui.display import make_display

    make_display(c.settings, c.engine()).run()


@app.command("rating-pad")
def rating_pad(ctx: typer.Context, window: Annotated[int, typer.Option("--window", help="评价器所在的窗口号")]) -> None:
    """评价器：面向办事人的屏幕，窗口办结后请办事人按 1–5 评价。由本厅人员登录后启动。"""
    from clerk_tui.services.catalog import list_windows
    from clerk_tui.services.context import require

    c = context(ctx)
    require(c.actor(), "screen.run")
    from clerk_tui.ui.rating_pad import make_rating_pad

    if window not in {w.number for w in list_windows(c.engine())}:
        fail(f"没有{window}号窗口，请用 clerk-tui window list 查看窗口号")
    make_rating_pad(c.settings, c.engine(), window, timeout=c.settings.rating_timeout).run()
