"""大厅巡查 on screen (P on the supervisor's live hall): the open windows one by one, each checked
in a few keys — A 不在岗 (then the reason), B 工作牌, D 纪律, T 整洁, M 态度, N a note — and Enter
for the next window; Enter on the last (or F at any window) saves the round. A window found
absent while people wait for it is said at once and stays an alert on the live hall."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from clerk_tui import clock
from clerk_tui.services.errors import ServiceError
from clerk_tui.services.patrol import ITEMS, PatrolWindow, WindowCheck, checked_text, patrol_windows, record_round
from clerk_tui.ui.calls import CallFailed, ServiceCalls
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.widgets.error_line import ErrorLine
from clerk_tui.ui.widgets.footer import Footer
from clerk_tui.ui.widgets.status_bar import StatusBar

# item -> the key that toggles it (the order a patrol checks them in)
KEYS = {"absent": "A", "badge": "B", "discipline": "D", "tidiness": "T", "manner": "M"}


class PatrolScreen(ServiceCalls, Screen):
    AUTO_FOCUS = ""  # nothing: the letter keys toggle; the reason and note fields are entered on purpose
    BINDINGS = both_cases(
        [
            Binding("a", "toggle('absent')", "不在岗", id="patrol.absent", tooltip="标记不在岗（须填写原因）"),
            Binding("b", "toggle('badge')", "工作牌", id="patrol.badge", tooltip="未佩戴工作牌"),
            Binding("d", "toggle('discipline')", "纪律", id="patrol.discipline", tooltip="违反工作纪律"),
            Binding("t", "toggle('tidiness')", "整洁", id="patrol.tidiness", tooltip="台面不整洁"),
            Binding("m", "toggle('manner')", "态度", id="patrol.manner", tooltip="服务态度欠佳"),
            Binding("n", "note", "备注", id="patrol.note", tooltip="为本窗口写备注"),
            Binding("enter", "next", "下一个", id="patrol.next", tooltip="记下本窗口，到下一个窗口"),
            Binding("f", "finish", "完成", id="patrol.finish", tooltip="记下本窗口并保存本轮巡查"),
            Binding("escape", "back", "返回", id="patrol.back", tooltip="不保存，返回大厅实况"),
        ]
    )

    def __init__(self) -> None:
        super().__init__()
        self.windows: list[PatrolWindow] = []
        self.index = 0
        self.flags: set[str] = set()
        self.checks: list[WindowCheck] = []
        self.started_at: dt.datetime | None = None
        self.saving = False

    def compose(self) -> ComposeResult:
        yield StatusBar("带班领导 · 大厅巡查")
        with Vertical(id="patrol"):
            yield Static("正在载入开放的窗口……", id="patrol-window")
            yield Static("", id="patrol-checks")
            yield Label("不在岗原因", id="patrol-reason-label")
            yield Input(placeholder="如 临时离岗、请假未报备；不知道写“原因不明”", id="patrol-reason", max_length=100)
            yield Label("备注（N）")
            yield Input(placeholder="看到的情况，可不填", id="patrol-note", max_length=200)
            yield Static("", id="patrol-progress")
        yield ErrorLine()
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.started_at = clock.now()
        self._reason_shown(False)
        app = self.app
        self.call_service("windows", patrol_windows, app.engine, app.actor)

    def windows_done(self, windows: list[PatrolWindow]) -> None:
        self.windows = windows
        if not windows:
            self.query_one("#patrol-window", Static).update(
                Text("现在没有开放的窗口，无需巡查。按 Esc 返回。", style="bold")
            )
            return
        self._show()

    def windows_failed(self, failure: CallFailed) -> None:
        self.query_one("#patrol-window", Static).update(Text(f"载入失败：{failure.text}"))

    # ---------------------------------------------------------------- what is shown

    @property
    def current(self) -> PatrolWindow | None:
        return self.windows[self.index] if self.index < len(self.windows) else None

    def _show(self) -> None:
        w = self.current
        if w is None:
            return
        head = Text(f"第 {self.index + 1}/{len(self.windows)} 个窗口：", style="bold")
        head.append(f"{w.number}号窗口 {w.name}", style="bold")
        head.append("\n在岗人员：" + (f"{w.clerk}（{w.clerk_number}）" if w.clerk else "无人登录"))
        head.append(f" · 排队 {w.waiting} 人", style="bold red" if w.waiting else "")
        if w.status == "paused":
            head.append(" · 暂停服务中", style="yellow")
        self.query_one("#patrol-window", Static).update(head)
        checks = Text()
        for item, key in KEYS.items():
            on_ = item in self.flags
            checks.append(f"[{key}] ", style="bold")
            checks.append("☒ " if on_ else "☐ ", style="bold red" if on_ else "green")
            checks.append(ITEMS[item] + "\n", style="red" if on_ else "")
        checks.append("未标记的各项即为正常。Enter 下一个 · F 完成 · Esc 返回（不保存）", style="dim")
        self.query_one("#patrol-checks", Static).update(checks)
        found = sum(len(c.items()) for c in self.checks)
        self.query_one("#patrol-progress", Static).update(
            Text(f"本轮已检查 {len(self.checks)} 个窗口，发现问题 {found} 项", style="dim")
        )

    def _reason_shown(self, shown: bool) -> None:
        self.query_one("#patrol-reason-label", Label).display = shown
        self.query_one("#patrol-reason", Input).display = shown

    # ---------------------------------------------------------------- keys

    def action_toggle(self, item: str) -> None:
        if self.current is None:
            return
        self.flags ^= {item}
        if item == "absent":
            absent = "absent" in self.flags
            self._reason_shown(absent)
            if absent:
                self.query_one("#patrol-reason", Input).focus()
            else:
                self.query_one("#patrol-reason", Input).value = ""
        self._show()

    def action_note(self) -> None:
        if self.current is not None:
            self.query_one("#patrol-note", Input).focus()

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.action_next()

    def _take_current(self) -> bool:
        """The current window's check, kept if it reads right (else said on the error line)."""
        w = self.current
        if w is None:
            return False
        check = WindowCheck(
            w.number,
            absent="absent" in self.flags,
            reason=self.query_one("#patrol-reason", Input).value,
            badge_missing="badge" in self.flags,
            discipline="discipline" in self.flags,
            tidiness="tidiness" in self.flags,
            manner="manner" in self.flags,
            note=self.query_one("#patrol-note", Input).value,
        )
        try:
            checked_text(check)
        except ServiceError as exc:
            self.query_one(ErrorLine).show(exc.message)
            if check.absent:
                self.query_one("#patrol-reason", Input).focus()
            return False
        self.query_one(ErrorLine).clear()
        self.checks.append(check)
        return True

    def action_next(self) -> None:
        if self.saving or not self._take_current():
            return
        self.index += 1
        if self.current is None:
            self._save()
            return
        self.flags = set()
        self.query_one("#patrol-reason", Input).value = ""
        self.query_one("#patrol-note", Input).value = ""
        self._reason_shown(False)
        self.set_focus(None)
        self._show()

    def action_finish(self) -> None:
        if self.saving or not self._take_current():
            return
        self._save()

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.set_focus(None)
            return
        if self.checks:
            self.app.notify(f"本轮巡查未保存（已检查 {len(self.checks)} 个窗口）", timeout=5)
        self.app.pop_screen()

    # ---------------------------------------------------------------- saving

    def _save(self) -> None:
        self.saving = True
        app, checks, started = self.app, list(self.checks), self.started_at
        self.call_service("save", record_round, app.engine, app.actor, checks, started_at=started, exclusive=True)

    def save_done(self, result) -> None:
        found = "、".join(f"{f.window_number}号窗口{f.item_name}" for f in result.findings) or "未发现问题"
        self.app.notify(
            f"巡查 #{result.round_id} 已保存：检查 {result.windows_checked} 个窗口，{found}",
            title="大厅巡查",
            timeout=8,
            markup=False,
        )
        for line in result.alerts:  # at once: people are waiting for an empty window
            self.app.notify(line, title="巡查提醒", severity="error", timeout=15, markup=False)
        self.app.pop_screen()

    def save_failed(self, failure: CallFailed) -> None:
        """Nothing was saved: the checks stay, the round can be saved again."""
        self.saving = False
        self.checks.pop()  # the current window's check: taken again on the next Enter or F
        self.index = len(self.checks)
        self._show()
        self.query_one(ErrorLine).show(f"巡查未保存：{failure.text}")
