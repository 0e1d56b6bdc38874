"""修改 PIN at login: a PIN set or reset by someone else is replaced by its owner's own, typed twice,
before the screen of their role opens. Loads no service until the PIN is submitted (it is pushed
from the login screen, which must draw before SQLAlchemy loads)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from clerk_tui.services.context import Actor
from clerk_tui.ui.calls import CallFailed, ServiceCalls
from clerk_tui.ui.keys import both_cases


class ChangePinDialog(ServiceCalls, ModalScreen[Actor | None]):
    """The new PIN twice; dismissed with the actor free to work, or None (Esc: not changed)."""

    DEFAULT_CSS = """
    ChangePinDialog { align: center middle; }
    ChangePinDialog > Vertical { width: 60; max-width: 95%; height: auto; border: thick $primary;
                                 background: $surface; padding: 1 2; }
    ChangePinDialog .title { text-style: bold; margin-bottom: 1; }
    ChangePinDialog .error { color: $error; height: auto; }
    """
    BINDINGS = both_cases([Binding("escape", "give_up", "不修改并退出", id="change_pin.cancel")])

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"请修改 PIN：{self.actor.name}（工号 {self.actor.number}）"), classes="title")
            yield Static(
                Text(
                    "您的 PIN 是他人设置或重置的，须先换成只有您本人知道的新 PIN 才能继续。"
                    "请用至少 6 位无规律的数字，不要用 123456、111111 这类连续或重复的数字，也不要用生日、电话或工号。"
                )
            )
            yield Label("新 PIN")
            yield Input(placeholder="至少6位数字", password=True, id="new-pin", max_length=12)
            yield Label("再输入一次新 PIN")
            yield Input(placeholder="与上面相同", password=True, id="new-pin-again", max_length=12)
            yield Static("", classes="error")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#new-pin", Input).focus()

    @on(Input.Submitted, "#new-pin")
    def _again(self) -> None:
        self.query_one("#new-pin-again", Input).focus()

    @on(Input.Submitted, "#new-pin-again")
    def submit(self) -> None:
        first = self.query_one("#new-pin", Input).value
        again = self.query_one("#new-pin-again", Input).value
        if not first:
            self.refuse("请输入新 PIN")
            return
        if first != again:
            self.refuse("两次输入的新 PIN 不一致，请重新输入")
            return
        self.show_error("正在修改……")
        # start-up: the service (SQLAlchemy) loads only now
        from clerk_tui.services.staff import change_own_pin

        self.call_service("change", change_own_pin, self.app.engine, self.actor, first, exclusive=True)

    def change_done(self, actor: Actor) -> None:
        self.dismiss(actor)

    def change_failed(self, failure: CallFailed) -> None:
        self.refuse(failure.text)

    def refuse(self, text: str) -> None:
        """Say why, clear both fields and start again from the first."""
        self.show_error(text)
        for field in self.query(Input):
            field.value = ""
        self.query_one("#new-pin", Input).focus()

    def show_error(self, text: str) -> None:
        self.query_one(".error", Static).update(Text(text))

    def action_give_up(self) -> None:
        self.dismiss(None)
