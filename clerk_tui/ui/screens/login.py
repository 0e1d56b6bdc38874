"""登录: staff number and PIN; a window clerk also gives the window number."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from clerk_tui.services.context import Actor
from clerk_tui.ui import terminal_state
from clerk_tui.ui.calls import CallFailed, ServiceCalls
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.widgets.footer import Footer


class LoginScreen(ServiceCalls, Screen):
    BINDINGS = both_cases([Binding("escape", "clear", "清空", id="login.clear", tooltip="清空输入")])

    def compose(self) -> ComposeResult:
        with Center():
            with Vertical(id="login-box"):
                yield Static(self.app.title, id="login-title")
                with Horizontal(classes="login-row"):
                    yield Label("工号")
                    yield Input(placeholder="例如 1003", id="number", max_length=20)
                with Horizontal(classes="login-row"):
                    yield Label("PIN")
                    yield Input(placeholder="6-12位数字", password=True, id="pin", max_length=12)
                with Horizontal(classes="login-row"):
                    yield Label("窗口号")
                    yield Input(placeholder="窗口人员必填，例如 3", id="window", type="integer", max_length=3)
                yield Button("登录", id="login", variant="primary")
                yield Static("", id="login-error")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        remembered = self.app.settings.window or terminal_state.load(self.app.settings.state_dir).get("window")
        if remembered:
            self.query_one("#window", Input).value = str(remembered)
        self.query_one("#number", Input).focus()
        if self.app.store_problem:
            self.show_error(self.app.store_problem)

    def action_clear(self) -> None:
        for field in self.query(Input):
            if field.id != "window":
                field.value = ""
        self.show_error("")
        self.query_one("#number", Input).focus()

    @on(Input.Submitted, "#number")
    def _next_pin(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    @on(Input.Submitted, "#window")
    @on(Button.Pressed, "#login")
    def submit(self) -> None:
        number = self.query_one("#number", Input).value.strip()
        pin = self.query_one("#pin", Input).value
        window_text = self.query_one("#window", Input).value.strip()
        if not number:
            self.show_error("请输入工号")
            self.query_one("#number", Input).focus()
            return
        if not pin:
            self.show_error("请输入 PIN")
            self.query_one("#pin", Input).focus()
            return
        self.query_one("#login", Button).disabled = True
        self.show_error("正在登录……")
        self.try_login(number, pin, int(window_text) if window_text.isdigit() else None)

    def show_error(self, text: str) -> None:
        self.query_one("#login-error", Static).update(Text(text))

    def try_login(self, number: str, pin: str, window: int | None) -> None:
        # start-up: SQLAlchemy is not loaded before the first frame
        from clerk_tui.services.marks import require_real_clock
        from clerk_tui.services.staff import login

        app = self.app

        def log_in() -> Actor:
            require_real_clock(app.engine)  # a set clock (CLERK_TUI_NOW) only on a demo hall
            actor = login(app.engine, number, pin, window=window, terminal=True)
            # A PIN set by someone else: changed first (login_done), then the seat is taken.
            return actor if actor.must_change_pin else take_seat(app.engine, actor)

        self.call_service("login", log_in, exclusive=True)

    def login_failed(self, failure: CallFailed) -> None:
        """Shown to the person on the login screen, never a crash."""
        text = failure.text
        self.query_one("#login", Button).disabled = False
        self.show_error(text)
        if "窗口" in text:  # the PIN was right: only the window number needs fixing
            self.query_one("#window", Input).focus()
            return
        pin = self.query_one("#pin", Input)
        pin.value = ""
        pin.focus()

    def login_done(self, actor: Actor) -> None:
        if actor.must_change_pin:
            from clerk_tui.ui.dialogs.pin import ChangePinDialog

            self.show_error("")
            self.app.push_screen(ChangePinDialog(actor), self.pin_changed)
            return
        if actor.window is not None:
            terminal_state.save(self.app.settings.state_dir, window=actor.window)
        self.app.logged_in(actor)

    def pin_changed(self, actor: Actor | None) -> None:
        """The forced change was made (go on to the role's screen) or given up (log in again)."""
        if actor is None:
            self.query_one("#login", Button).disabled = False
            self.show_error("PIN 未修改：他人设置的 PIN 须先修改才能使用，请重新登录")
            pin = self.query_one("#pin", Input)
            pin.value = ""
            pin.focus()
            return
        self.show_error("正在登录……")
        self.call_service("login", take_seat, self.app.engine, actor, exclusive=True)


def take_seat(engine, actor: Actor) -> Actor:
    """After the PIN: a window clerk opens their window (开窗: one clerk per window); anyone else
    sits at no window."""
    if actor.role == "clerk":
        # start-up: SQLAlchemy is not loaded before the first frame
        from clerk_tui.services.queue import open_window

        open_window(engine, actor, actor.window)
        return actor
    return replace(actor, window=None) if actor.window is not None else actor
