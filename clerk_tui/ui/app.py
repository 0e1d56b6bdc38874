"""The Textual app: one factory (``make_app``) that the CLI and the tests both use."""

from __future__ import annotations

import threading
import time
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer

from clerk_tui.domain.text import describe, refused_char
from clerk_tui.services.context import Actor
from clerk_tui.settings import Settings
from clerk_tui.ui.calls import CallFailed, ServiceCalls
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.palette import Palette
from clerk_tui.ui.screens.login import LoginScreen
from clerk_tui.ui.widgets.error_line import ErrorLine

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


TOAST_SECONDS = 5  # a notice goes by itself
MAX_TOAST_SECONDS = 8


class ClerkApp(ServiceCalls, App[None]):
    """政务服务中心窗口终端."""

    CSS_PATH = "app.tcss"
    TITLE = "clerk-tui 政务服务中心窗口终端"
    ENABLE_COMMAND_PALETTE = True
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS = both_cases(
        [
            Binding(
                "ctrl+p", "command_palette", "命令", id="app.palette", tooltip="打开命令面板", priority=True, show=False
            ),
            Binding("ctrl+q", "quit", "退出", id="app.quit", tooltip="退出程序", show=False),
            Binding("f12", "logout", "注销", id="app.logout", tooltip="注销并回到登录界面"),
            Binding(
                "f1",
                "inquiry",
                "首问",
                id="app.inquiry",
                tooltip="首问登记：被问到的人负责到底",
                show=False,
                priority=True,
            ),
            Binding(
                "ctrl+t",
                "alerts",
                "提醒",
                id="app.alerts",
                tooltip="提醒与首问：我的未办结首问和提醒",
                show=False,
                priority=True,
            ),
            Binding(
                "ctrl+r",
                "print_jobs",
                "打印任务",
                id="app.print_jobs",
                tooltip="打印任务：查看未打印的并重试",
                show=False,
                priority=True,
            ),
        ]
    )

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        super().__init__()
        from clerk_tui.services.pin_key import configure
        from clerk_tui.services.ticket_status import configure as configure_links

        configure(settings)  # the PIN key file and length of this terminal's hall
        configure_links(settings)  # the base of the tickets' status links (QR codes)
        self.settings = settings
        self._engine = engine
        self._engine_lock = threading.Lock()
        self.actor: Actor | None = None
        self.store_problem: str | None = None

    @property
    def engine(self) -> Engine:
        """The store, opened on first use. Only worker threads touch it, so the first frame never
        waits for SQLAlchemy to load; a schema that is missing or too new raises a clear error."""
        with self._engine_lock:
            if self._engine is None:
                # start-up: SQLAlchemy loads in a worker, not before the first frame
                from clerk_tui.store.engine import make_engine
                from clerk_tui.store.schema import require_current

                engine = make_engine(self.settings.database, pg_timeouts=self.settings.pg_timeouts)
                require_current(engine)
                self._engine = engine
            return self._engine

    def on_mount(self) -> None:
        if self.settings.keys:
            self.set_keymap(self.settings.keys)
        self.push_screen(LoginScreen())
        # Open the store once the login screen is up and idle; a quicker login opens it on demand.
        self.set_timer(0.8, self.open_store)

    def on_key(self, event) -> None:
        """A typed invisible character (a zero-width space, a bidi control an input method sent) is
        dropped by Textual's Input without a word: say so, as a paste of it is refused by the
        service with the same words."""
        ch = event.character
        if ch is None and "_" in event.key and not event.key.startswith(("ctrl", "shift", "alt")):
            try:  # Textual names a non-printable character's key by its Unicode name: zero_width_space
                ch = unicodedata.lookup(event.key.replace("_", " "))
            except KeyError:
                ch = None
        if ch and len(ch) == 1 and not ch.isprintable() and ord(ch) >= 0x7F and refused_char(ch):
            focused = self.focused
            if focused is not None and type(focused).__name__ in ("Input", "MaskedInput"):
                self.notify(
                    f"不能输入 {describe(ch)}：已忽略，请直接输入文字",
                    title="有不可见字符",
                    severity="warning",
                    markup=False,
                )

    def open_store(self) -> None:
        self.call_service("store", lambda: self.engine)

    def store_done(self, engine) -> None:
        pass

    def store_failed(self, failure: CallFailed) -> None:
        """Told on the login screen, never a crash."""
        self.store_problem = failure.text
        self.notify(failure.text, title="操作未完成", severity="error", timeout=8, markup=False)
        if isinstance(self.screen, LoginScreen):
            self.screen.show_error(failure.text)

    def logged_in(self, actor: Actor) -> None:
        """Called by the login screen: open the screen the role works on."""
        # start-up: the screens after login load the services (SQLAlchemy)
        from clerk_tui.ui.screens.homes import home_screen_for

        self.actor = actor
        self.switch_screen(home_screen_for(actor))

    def action_logout(self) -> None:
        if self.actor is not None:
            self._logout(self.actor)

    def _logout(self, actor: Actor) -> None:
        """A clerk's window closes at logout; a ticket still in hand keeps them logged in."""

        def close() -> None:
            if actor.role == "clerk" and actor.window is not None:
                # start-up: SQLAlchemy loads with the first call, not before the first frame
                from clerk_tui.services.queue import close_window

                close_window(self.engine, actor, actor.window, "注销")

        self.call_service("logout", close, exclusive=True, title="未注销")

    def logout_done(self, _) -> None:
        self._logged_out()

    async def action_quit(self) -> None:
        """Ctrl+Q closes the clerk's window as F12 does, so no window stays "open" with nobody at it.
        With a ticket still in hand it is refused; a second Ctrl+Q within 5 s quits anyway (the
        window then stays open until the clerk logs in again or a supervisor closes it)."""
        actor = self.actor
        if actor is None or actor.role != "clerk" or actor.window is None:
            self.exit()
            return
        if time.monotonic() - getattr(self, "_quit_asked", -100.0) < 5:
            self.exit()
            return
        self._quit_asked = time.monotonic()
        self._close_and_quit(actor)

    def _close_and_quit(self, actor: Actor) -> None:
        # start-up: SQLAlchemy loads with the first call, not before the first frame
        from clerk_tui.services.queue import close_window

        self.call_service(
            "quit", lambda: close_window(self.engine, actor, actor.window, "退出程序"), exclusive=True, group="logout"
        )

    def quit_done(self, _) -> None:
        self.exit()

    def quit_failed(self, failure: CallFailed) -> None:
        self.notify(
            failure.text + "\n确需退出请在5秒内再按一次 Ctrl+Q（窗口将保持开启）",
            title="未退出",
            severity="error",
            timeout=6,
            markup=False,
        )

    def _logged_out(self) -> None:
        self.actor = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(LoginScreen())

    def action_command_palette(self) -> None:
        if not Palette.is_open(self):
            self.push_screen(Palette(id="--command-palette", placeholder="输入命令名称……"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("logout", "print_jobs", "inquiry", "alerts") and self.actor is None:
            return False  # nothing to log out of: hide the key on the login screen
        needs = {"print_jobs": "print.read", "inquiry": "inquiry", "alerts": "alert.read"}.get(action)
        if needs and self.actor is not None:
            from clerk_tui.domain.roles import allowed

            return allowed(self.actor.role, needs)  # the administrator takes no inquiry (三员分立)
        return True

    # -------------------------------------------------------------- 首问负责制

    def action_inquiry(self) -> None:
        # start-up: the screens after login load the services (SQLAlchemy)
        from clerk_tui.ui.screens.responsibility import start_inquiry

        console_ticket = getattr(getattr(self.screen, "panel", None), "current", None)
        start_inquiry(self, console_ticket.number if console_ticket is not None else None)

    def action_alerts(self) -> None:
        # start-up: the screens after login load the services (SQLAlchemy)
        from clerk_tui.ui.screens.responsibility import AlertsScreen

        if not isinstance(self.screen, AlertsScreen):
            self.push_screen(AlertsScreen())

    # -------------------------------------------------------------- printing

    def action_print_jobs(self) -> None:
        # start-up: the screens after login load the services (SQLAlchemy)
        from clerk_tui.ui.screens.print_jobs import PrintJobsScreen

        if not isinstance(self.screen, PrintJobsScreen):
            self.push_screen(PrintJobsScreen())

    def print_paper(self, document: str, subject: str, *, asked: bool = False, **kwargs) -> None:
        """Print in the background: the ticket or case is already saved; a failure leaves a
        pending job and says how to retry. Without a printer configured, says so — every time the
        clerk asked for the paper (``asked``), once for the papers that print by themselves."""
        cfg = self.settings.printing
        if not (cfg.ticket if document in ("ticket", "item-notice") else cfg.receipt):
            if asked or not getattr(self, "_told_no_printer", False):
                # start-up: the paper layouts load with the first paper
                from clerk_tui.printing.documents import KINDS

                self._told_no_printer = True
                which = "ticket（号票打印机）" if document in ("ticket", "item-notice") else "receipt（文书打印机）"
                later = {  # a ticket has no case page: say what reprints this paper
                    "ticket": f"之后可用 clerk-tui print ticket {subject} 补打号票",
                    "item-notice": "之后在导办台再按 F11 即可打印",
                }.get(document, "之后可在办件页按 T 补打（或用 clerk-tui print 命令）")
                self.notify(
                    f"本终端未配置打印机，{KINDS.get(document, document)}未打印：请在设置 [printing] 中配置 {which}，{later}",
                    title="未打印",
                    severity="warning",
                    timeout=8,
                    markup=False,
                )
            return
        self._print(document, subject, kwargs)

    def _print(self, document: str, subject: str, kwargs: dict) -> None:
        # start-up: SQLAlchemy loads with the first call, not before the first frame
        from clerk_tui.services.printing import print_paper

        cfg = self.settings.printing
        if document == "item-notice" and not cfg.ticket:
            kwargs.setdefault("printer", cfg.receipt)
        elif document == "item-notice":
            kwargs.setdefault("printer", cfg.ticket)
        actor = self.actor
        self.call_service("print", lambda: print_paper(self.engine, actor, document, subject, cfg=cfg, **kwargs))

    def print_done(self, job) -> None:
        # start-up: the paper layouts load with the first paper
        from clerk_tui.printing.documents import KINDS

        name = KINDS.get(job.document, job.document)
        if job.status == "printed":
            self.notify(
                f"{name} {job.subject} 已打印" + (f"（补打第{job.reprint}次）" if job.reprint else ""),
                timeout=3,
                markup=False,
            )
        elif job.status == "unconfirmed":  # a printer that cannot say whether the paper came out
            self.notify(
                f"{name} {job.subject} 已发送，但打印机不能报告状态：请看纸是否打出。"
                f"按 Ctrl+R，选中任务 {job.id}，打出了按 C 确认，没有按 R 重打",
                title=f"{name}未确认",
                severity="warning",
                timeout=10,
                markup=False,
            )
        else:
            self.notify(
                f"{job.error}\n已保存为打印任务 {job.id}，按 Ctrl+R 查看并重试",
                title=f"{name}未打印",
                severity="warning",
                timeout=10,
                markup=False,
            )
        for warning in job.warnings:
            self.notify(warning, severity="warning", timeout=10, markup=False)

    def print_failed(self, failure: CallFailed) -> None:
        self.notify(failure.text, title="未打印", severity="error", timeout=8, markup=False)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity="information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Errors go to the screen's error line and stay there until the next success on that
        screen (an information notice); notices are toasts that go by themselves within
        TOAST_SECONDS, and the same notice is not stacked again while it is still shown. On a
        dialog or the login screen, which have their own error lines, an error is a toast."""
        if threading.get_ident() != self._thread_id:
            self.call_from_thread(self.notify, message, title=title, severity=severity, timeout=timeout, markup=markup)
            return
        line = self._error_line(create=severity == "error")
        if severity == "error" and line is not None:
            line.show(f"{title}：{message}" if title else message)
            return
        if severity == "information" and line is not None:
            line.clear()
        timeout = min(timeout if timeout is not None else TOAST_SECONDS, MAX_TOAST_SECONDS)
        shown = getattr(self, "_toasts_until", {})
        self._toasts_until = {key: until for key, until in shown.items() if until > time.monotonic()}
        if (title, message) in self._toasts_until:
            return
        self._toasts_until[(title, message)] = time.monotonic() + timeout
        super().notify(message, title=title, severity=severity, markup=markup, timeout=timeout)

    def _error_line(self, create: bool):
        try:
            screen = self.screen
        except Exception:
            return None
        if isinstance(screen, (ModalScreen, LoginScreen)):
            return None
        found = screen.query(ErrorLine)
        if found:
            return found.first()
        if not create or not screen.query(Footer):
            return None
        line = ErrorLine(id="error-line")
        screen.mount(line)
        return line

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        commands = getattr(screen, "palette_commands", None)
        if commands is not None:
            yield from commands()
        if self.actor is not None:
            yield SystemCommand("首问登记", "被问到的人登记并负责到底（F1）", self.action_inquiry)
            yield SystemCommand("提醒与首问", "我的未办结首问和提醒（Ctrl+T）", self.action_alerts)
            yield SystemCommand("打印任务", "查看未打印的任务并重试（Ctrl+R）", self.action_print_jobs)
        yield SystemCommand("注销（F12）", "注销并回到登录界面；窗口人员同时关闭窗口", self.action_logout)
        yield SystemCommand("退出", "退出程序", self.exit)


def make_app(settings: Settings, engine: Engine | None = None) -> ClerkApp:
    return ClerkApp(settings, engine)
