"""Case dialogs: a decision or step with its confirmation, its required fields, and the
supervisor's override (主管授权) that appears only when a rule asks for it."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from clerk_tui.services.cases import Override
from clerk_tui.services.errors import OverrideRequired
from clerk_tui.ui.calls import CallFailed
from clerk_tui.ui.dialogs.ticket import _Dialog, fault_field
from clerk_tui.ui.widgets.checklist import CheckList
from clerk_tui.ui.widgets.footer import Footer


class CaseActionDialog(_Dialog):
    """Confirm one action. ``body`` says what will happen; ``fields`` are (key, label, example);
    ``action(values, override)`` runs in a worker and returns the text to show, or raises; with
    ``after``, it returns a result and ``after(result)`` (on the UI thread) returns the text.
    Enter moves through the fields and then confirms; after success Enter or Esc closes."""

    DEFAULT_CSS = """
    CaseActionDialog > Vertical { width: 72; overflow-y: auto; }
    CaseActionDialog #body { height: auto; max-height: 12; margin-bottom: 1; }
    CaseActionDialog #override { height: auto; border: round $warning; padding: 0 1; display: none; }
    CaseActionDialog .override-row { height: auto; }
    CaseActionDialog .override-row Label { width: 14; padding-top: 1; }
    CaseActionDialog .override-row Input { width: 1fr; }
    CaseActionDialog .override-row Input.-textual-compact { margin-bottom: 0; }
    CaseActionDialog .override-row Label.-compact { padding-top: 0; }
    CaseActionDialog SelectionList { height: auto; max-height: 10; }
    """

    def __init__(
        self,
        title: str,
        body: Text | str,
        fields: list[tuple[str, str, str]],
        action: Callable[[dict, object], Text | str],
        *,
        choices: list[tuple[str, str]] | None = None,
        choices_label: str = "",
        single: bool = False,
        outside: Callable[[], list[tuple[str, Input]]] | None = None,
        after: Callable[[object], Text | str] | None = None,
    ) -> None:
        super().__init__()
        self.title_text, self.body, self.fields, self.action, self.after = title, body, fields, action, after
        self.outside = outside  # the fields of the screen below (an intake's applicant), by label
        self.choices, self.choices_label, self.single = choices, choices_label, single
        self.done: object = None
        self.need_override = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text), classes="title")
            with VerticalScroll(id="body"):
                yield Static(self.body if isinstance(self.body, Text) else Text(self.body))
            if self.choices is not None:
                yield Label(self.choices_label)
                yield CheckList(*[Selection(Text(label), key) for key, label in self.choices], id="choices")
            for key, label, example in self.fields:
                yield Label(label)
                yield Input(placeholder=example, id=f"f-{key}", max_length=200)
            with Vertical(id="override"):
                yield Static("", id="override-why")
                for key, label, example, secret, limit in (
                    ("by", "带班领导工号", "例如 9001", False, 20),
                    ("pin", "PIN", "带班领导本人输入", True, 12),
                    ("reason", "授权原因", "记录在案", False, 200),
                ):
                    with Horizontal(classes="override-row"):
                        yield Label(label)
                        yield Input(placeholder=example, id=f"o-{key}", password=secret, max_length=limit)
            yield Static(Text("按 Enter 确认，Esc 取消", style="dim"), id="hint")
            yield Static("", classes="error")
            yield Static("", classes="result", id="result")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#result").display = False
        if self.choices is not None:
            self.query_one("#choices").focus()
        elif inputs := [i for i in self.query(Input) if i.id.startswith("f-")]:
            inputs[0].focus()
        else:
            self.set_focus(None)

    def _visible_inputs(self) -> list[Input]:
        return [i for i in self.query(Input) if i.id.startswith("f-") or self.need_override]

    def on_key(self, event) -> None:
        if event.key != "enter":
            return
        if self.done is not None:
            event.stop()
            self.dismiss(self.done)
        elif not isinstance(self.focused, Input):
            event.stop()
            self._confirm()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.done is not None:
            self.dismiss(self.done)
            return
        inputs = self._visible_inputs()
        index = inputs.index(event.input) if event.input in inputs else len(inputs)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
            return
        self._confirm()

    def _confirm(self) -> None:
        values = {key: self.query_one(f"#f-{key}", Input).value.strip() for key, _, _ in self.fields}
        if self.choices is not None:
            choices = self.query_one("#choices", SelectionList)
            values["selected"] = list(choices.selected)
            if self.single and len(values["selected"]) != 1:  # said here, with the cursor on the choices
                names = "”或“".join(label for _, label in self.choices)
                self.show_error(f"请用空格选中“{names}”中的一项")
                choices.focus()
                return
        override = None
        if self.need_override:
            override = Override(
                self.query_one("#o-reason", Input).value.strip(),
                self.query_one("#o-by", Input).value.strip(),
                self.query_one("#o-pin", Input).value,
            )
        self.show_busy()
        self.call_service("step", self.action, values, override, exclusive=True)

    def show_failure(self, failure: CallFailed) -> None:
        if isinstance(failure.error, OverrideRequired):
            self._ask_override(failure.error.message)
        else:
            self.refuse(failure.text)

    def refuse(self, text: str) -> None:
        """A refusal about a field of the screen below (the applicant's phone on the intake screen)
        closes the dialog and puts the cursor there, the reason on that screen's error line."""
        own = [(self._labels().get(f.id or "", ""), f) for f in self._fields()]
        if self.outside is not None and fault_field(text, own, lone=False) is None:
            field = fault_field(text, self.outside(), lone=False)
            if field is not None:
                app = self.app
                self.dismiss(None)
                app.notify(text, title="未完成", severity="error", markup=False)
                field.focus()
                return
        super().refuse(text)

    def _ask_override(self, message: str) -> None:
        self.need_override = True
        self.query_one("#override").display = True
        self.query_one("#override-why", Static).update(Text(message, style="bold"))  # stays while typing
        self.show_error("")
        # Once the box is laid out: bring it (why, then the fields) into sight and put the cursor in
        # it; focusing before layout left it below a short terminal's edge and the PIN typed blind.
        self.call_after_refresh(self._show_override_fields)

    def _show_override_fields(self) -> None:
        self.query_one("#override").scroll_visible(top=True, animate=False)
        self.query_one("#o-by", Input).focus(scroll_visible=False)

    @on(SelectionList.SelectionToggled, "#choices")
    def _one_choice(self, event: SelectionList.SelectionToggled) -> None:
        """A single choice (准予 / 不予): ticking one unticks the other."""
        if not self.single:
            return
        chosen = event.selection.value
        choices = self.query_one("#choices", SelectionList)
        if chosen in choices.selected:
            for value in list(choices.selected):
                if value != chosen:
                    choices.deselect(value)

    def step_done(self, result) -> None:
        if self.after is not None:
            result = self.after(result)
        self.done = result if result is not None else ""
        self.query_one(".title", Static).update(Text(self.title_text.replace("：请确认", "") + "：已完成"))
        self.show_error("")
        for widget in self.query("Input, Label, SelectionList, #override, #hint, #body"):
            widget.display = False
        box = self.query_one("#result", Static)
        box.update(result if isinstance(result, Text) else Text(str(result)))
        box.display = True
        self.set_focus(None)

    def action_dismiss_dialog(self) -> None:
        self.dismiss(self.done)
