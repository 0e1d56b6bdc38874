"""Guide desk dialogs: issue a ticket (priority one key each), pick a queue, check in, rejoin."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from clerk_tui.domain.queueing import PRIORITIES, PRIORITY_NAMES
from clerk_tui.services.queue import issue_ticket
from clerk_tui.ui.calls import CallFailed, ServiceCalls
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.widgets.footer import Footer


def ticket_text(view, extra: str = "") -> Text:
    """The ticket as shown on screen (the paper is printing/documents.ticket_document)."""
    text = Text()
    text.append(f"{view.number}\n", style="bold reverse")
    text.append(f"队列：{view.queue} {view.queue_name}\n")
    if view.item_name:
        text.append(f"事项：{view.item_name}\n")
    if view.priority != "none":
        text.append(f"优先：{view.priority_name}\n", style="bold")
    text.append(f"前面等候：{view.waiting_ahead} 人\n")
    text.append(f"取号时间：{view.issued_at:%Y-%m-%d %H:%M}\n")
    if view.id_number_masked:
        text.append(f"身份证号：{view.id_number_masked}\n")
    if extra:
        text.append(extra + "\n", style="bold yellow")
    return text


def fault_field(message: str, fields: list[tuple[str, Input]], lone: bool = True) -> Input | None:
    """The field a refusal is about: the one whose label (before any note in brackets) the message
    names most fully (申请人身份证号 is the ID field, not the name), then earliest, then an empty
    one; a lone field is always it (``lone``)."""
    if lone and len(fields) == 1:
        return fields[0][1]
    best, best_key = None, None
    for label, field in fields:
        head = label.split("（")[0].split("(")[0]
        found = None
        for length in range(len(head), 1, -1):
            places = [message.find(head[i : i + length]) for i in range(len(head) - length + 1)]
            places = [p for p in places if p >= 0]
            if places:
                found = (-length, min(places), bool(field.value.strip()))
                break
        if found is not None and (best_key is None or found < best_key):
            best, best_key = field, found
    return best


class _Dialog(ServiceCalls, ModalScreen):
    """A small dialog; errors stay inside it, literal text only."""

    DEFAULT_CSS = """
    _Dialog { align: center middle; }
    _Dialog > Vertical { width: 64; max-width: 95%; height: auto; max-height: 95%; border: thick $primary;
                         background: $surface; padding: 1 2; overflow-y: auto; }
    /* Docked: the title stays in sight however far the fields scroll (80x24). */
    _Dialog .title { text-style: bold; margin-bottom: 1; dock: top; }
    /* Docked: however far a tall dialog is scrolled (80x24), what went wrong stays in sight. */
    _Dialog .error { color: $error; height: auto; dock: bottom; }
    _Dialog .result { border: round $success; padding: 0 1; height: auto; }
    _Dialog OptionList { height: auto; max-height: 14; }
    _Dialog Input.-textual-compact { background: $panel-lighten-1; margin-bottom: 1; }
    _Dialog Input.-textual-compact:focus { background: $primary-darken-2; }
    """
    BINDINGS = both_cases(
        [
            Binding("escape", "dismiss_dialog", "关闭", id="dialog.close"),
            # ↑/↓ move between the fields; a long result (a notice's text at 80x24) scrolls by keys
            # once nothing else takes them.
            Binding("down", "field_or_scroll(1)", show=False),
            Binding("up", "field_or_scroll(-1)", show=False),
            Binding("pagedown", "scroll_body(10)", show=False),
            Binding("pageup", "scroll_body(-10)", show=False),
        ]
    )

    def action_scroll_body(self, lines: int) -> None:
        self.query_one(Vertical).scroll_relative(y=lines, animate=False)

    def _fields(self) -> list[Input]:
        """The text fields a person can type in now, top to bottom."""
        return [
            field
            for field in self.query(Input)
            if not field.disabled
            and all(node.display for node in field.ancestors_with_self if isinstance(node, Widget))
        ]

    def action_field_or_scroll(self, step: int) -> None:
        fields = self._fields()
        if isinstance(self.focused, Input) and self.focused in fields:
            index = fields.index(self.focused) + step
            if 0 <= index < len(fields):
                fields[index].focus()
                return
        self.action_scroll_body(2 * step)

    def _labels(self) -> dict[str, str]:
        """Each field's label by the field's id (for finding the field an error is about)."""
        labels = {f"f-{key}": label for key, label, _ in getattr(self, "fields", [])}
        labels.update({"o-by": "带班领导工号", "o-pin": "PIN", "o-reason": "授权原因"})
        return labels

    def show_failure(self, failure: CallFailed) -> None:
        """A dialog's call failed: the words stay inside the dialog, by the field they are about."""
        self.refuse(failure.text)

    def refuse(self, text: str) -> None:
        """A refused submit: say why, and put the cursor in the field it is about, so what is typed
        next lands there (不予受理 without a reason: the reason, not the last field)."""
        self.show_error(text)
        field = fault_field(text, [(self._labels().get(f.id or "", ""), f) for f in self._fields()])
        if field is not None:
            field.focus()

    def on_mount(self) -> None:  # runs before a subclass's on_mount (Textual calls each class's)
        if self.app.size.height < 32:  # 80x24: one line per field, so a form fits without scrolling
            for field in self.query(Input):
                field.compact = True
            for label in self.query(Label):
                label.add_class("-compact")

    def on_input_changed(self, event: Input.Changed) -> None:
        """A refusal is about what was typed: typing again clears it (it no longer looks like a
        second failure after the right PIN is in)."""
        if getattr(self, "_refused", False):
            self.show_error("")

    def action_dismiss_dialog(self) -> None:
        self.dismiss(None)

    def show_error(self, text: str) -> None:
        self._refused = bool(text)
        self.query_one(".error", Static).update(Text(text))

    def show_busy(self, text: str = "正在处理……") -> None:
        """Progress on the error line: not a refusal, so typing does not clear it."""
        self.show_error(text)
        self._refused = False


class IssueTicketDialog(_Dialog):
    """取号: priority by one key (0-6), an optional ID number, Enter to issue."""

    BINDINGS = both_cases([Binding(str(i), f"pick({i})", show=False) for i in range(len(PRIORITIES))])

    def __init__(self, *, item_code: str | None = None, queue: str | None = None, title: str = "") -> None:
        super().__init__()
        self.item_code, self.queue, self.title_text = item_code, queue, title
        self.issued = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"取号：{self.title_text}"), classes="title")
            yield Label("优先类型（按数字键选择，Enter 取号）")
            yield OptionList(
                *[Option(f"{i} {PRIORITY_NAMES[p]}", id=p) for i, p in enumerate(PRIORITIES)], id="priority"
            )
            yield Label("身份证号（可选，Tab 切换；用于限号）")
            yield Input(placeholder="18位身份证号", id="id-number", max_length=20)
            yield Static("", classes="error")
            yield Static("", classes="result", id="result")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#result").display = False
        options = self.query_one("#priority", OptionList)
        options.highlighted = 0
        options.focus()

    def action_pick(self, index: int) -> None:
        self.query_one("#priority", OptionList).highlighted = index

    @on(OptionList.OptionSelected, "#priority")
    @on(Input.Submitted, "#id-number")
    def _issue(self) -> None:
        if self.issued is not None:
            self.dismiss(self.issued)
            return
        options = self.query_one("#priority", OptionList)
        priority = PRIORITIES[options.highlighted or 0]
        id_number = self.query_one("#id-number", Input).value.strip() or None
        self.show_busy("正在取号……")
        self.issue(priority, id_number)

    def issue(self, priority: str, id_number: str | None) -> None:
        app = self.app
        self.call_service(
            "issue",
            lambda: issue_ticket(
                app.engine,
                app.actor,
                item_code=self.item_code,
                queue=self.queue,
                priority=priority,
                id_number=id_number,
                policy=app.settings.queue,
            ),
            exclusive=True,
        )

    def issue_done(self, view) -> None:
        self.issued = view
        self.show_error("")
        for widget in self.query("Label, Input"):
            widget.display = False  # leave room for the ticket, even at 80x24
        result = self.query_one("#result", Static)
        result.update(ticket_text(view, "按 Enter 或 Esc 关闭"))
        result.display = True
        options = self.query_one("#priority", OptionList)
        options.display = False
        self.set_focus(None)

    def on_key(self, event) -> None:
        if self.issued is not None and event.key == "enter":
            event.stop()
            self.dismiss(self.issued)

    def action_dismiss_dialog(self) -> None:
        self.dismiss(self.issued)


class PickDialog(_Dialog):
    """Choose one of a few options (a queue, a pause reason)."""

    def __init__(self, title: str, options: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text, self.options = title, options

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text), classes="title")
            yield OptionList(*[Option(Text(label), id=key) for key, label in self.options], id="options")
            yield Static("", classes="error")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#options", OptionList).focus()

    @on(OptionList.OptionSelected, "#options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class FormDialog(_Dialog):
    """A few text fields; ``action`` runs in a worker and returns the text to show, or raises.
    With ``after``, ``action`` returns a result and ``after(result)`` (on the UI thread: what the
    screen below does with it) returns the text to show."""

    def __init__(
        self,
        title: str,
        fields: list[tuple[str, str, str]],
        action: Callable[..., object],
        hint: str = "",
        values: dict[str, str] | None = None,
        after: Callable[[object], object] | None = None,
    ) -> None:
        super().__init__()
        self.title_text, self.fields, self.action, self.hint = title, fields, action, hint
        self.after = after
        self.values = values or {}
        self.done: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text), classes="title")
            if self.hint:
                yield Static(Text(self.hint, style="dim"))
            for key, label, example in self.fields:
                yield Label(label)
                yield Input(value=self.values.get(key, ""), placeholder=example, id=f"f-{key}", max_length=200)
            yield Static(Text("Enter 到下一栏，最后一栏按 Enter 确认；Esc 取消", style="dim"))
            yield Static("", classes="error")
            yield Static("", classes="result", id="result")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#result").display = False
        self.query(Input).first().focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if self.done is not None:
            self.dismiss(self.done)
            return
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
            return
        values = {key: self.query_one(f"#f-{key}", Input).value.strip() for key, _, _ in self.fields}
        self.show_busy()
        self.call_service("step", self.action, exclusive=True, **values)

    def step_done(self, result) -> None:
        if self.after is not None:
            result = self.after(result)
        self.done = result if isinstance(result, str) else ""
        self.show_error("")
        box = self.query_one("#result", Static)
        box.update(result if isinstance(result, Text) else Text(str(result)))
        box.display = True

    def action_dismiss_dialog(self) -> None:
        self.dismiss(self.done)
