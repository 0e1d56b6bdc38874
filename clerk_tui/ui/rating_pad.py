"""评价器: the screen that faces the applicant at one window. When the window finishes a service it
asks for a rating: five large choices (keys 1–5, mouse or touch), the reasons for a bad rating,
and 未评价 after a timeout. No staff member is logged in here, so no clerk can rate."""

from __future__ import annotations

import time

from rich.text import Text
from sqlalchemy.engine import Engine
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, SelectionList, Static
from textual.widgets.selection_list import Selection

from clerk_tui.services.ratings import (
    BAD,
    LEVELS,
    PAD_THANKS_SECONDS,
    PAD_TIMEOUT_SECONDS,
    REASONS,
    Visit,
    pending_visit,
    rate,
)
from clerk_tui.settings import Settings
from clerk_tui.ui.calls import CallFailed, ServiceCalls
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.widgets.checklist import CheckList

POLL_SECONDS = 0.5
TIMEOUT_SECONDS = PAD_TIMEOUT_SECONDS
THANKS_SECONDS = PAD_THANKS_SECONDS


class RatingPadApp(ServiceCalls, App[None]):
    CSS = """
    Screen { background: #0b2239; color: white; align: center middle; }
    #pad-title { height: 3; content-align: center middle; width: 100%; text-style: bold; background: #12406b; }
    #pad-visit { height: auto; content-align: center middle; width: 100%; margin: 1 0; }
    #choices { height: 7; align: center middle; }
    #choices Button { width: 1fr; min-width: 8; height: 5; margin: 0 1; text-style: bold; }
    #reasons-box { height: auto; width: 80%; display: none; }
    #reasons { height: auto; max-height: 10; }
    #pad-status { height: auto; content-align: center middle; width: 100%; margin-top: 1; color: #cfe3ff; }
    """
    BINDINGS = both_cases(
        [Binding(str(level), f"choose({level})", show=False) for level in LEVELS]
        + [
            # Enter submits the reasons (a priority binding: the list must not tick the highlighted one)
            Binding("enter", "submit_reasons", "提交", show=False, priority=True),
            Binding("ctrl+q", "quit", "退出", show=False),
        ]
    )

    def __init__(self, settings: Settings, engine: Engine, window: int, timeout: float = TIMEOUT_SECONDS) -> None:
        super().__init__()
        self.settings, self.engine, self.window, self.timeout = settings, engine, window, timeout
        self.visit: Visit | None = None
        self.asked_at = 0.0
        self.level: int | None = None
        self.thanks_until = 0.0

    def compose(self) -> ComposeResult:
        yield Static(Text(f"{self.window}号窗口 · 服务评价", style="bold"), id="pad-title")
        with Vertical():
            yield Static("", id="pad-visit")
            with Horizontal(id="choices"):
                for level in sorted(LEVELS, reverse=True):
                    yield Button(
                        f"{level}\n{LEVELS[level]}",
                        id=f"level-{level}",
                        variant="success" if level >= 4 else "warning" if level == 3 else "error",
                    )
            with Vertical(id="reasons-box"):
                yield Static(Text("请选择不满意的原因（可多选，空格选中），也可写下意见，按 Enter 提交", style="bold"))
                yield CheckList(*[Selection(r, r) for r in REASONS], id="reasons")
                yield Input(placeholder="您的意见（可不填）", id="opinion", max_length=200)
            yield Static("", id="pad-status")

    def on_mount(self) -> None:
        self._idle()
        self.poll()
        self.set_interval(POLL_SECONDS, self.poll)

    def _idle(self) -> None:
        self.visit, self.level = None, None
        self.query_one("#choices").display = False
        self.query_one("#reasons-box").display = False
        self.query_one("#pad-visit", Static).update(Text("欢迎您！办理完成后请在此为我们的服务评价。", style="bold"))
        self.query_one("#pad-status", Static).update("")

    def poll(self) -> None:
        if self.visit is not None:
            if time.monotonic() - self.asked_at > self.timeout:
                self._submit(None)  # 未评价
            return
        if time.monotonic() < self.thanks_until:
            return
        self.call_service("poll", lambda: pending_visit(self.engine, self.window), exclusive=True)

    def poll_done(self, visit: Visit | None) -> None:
        if visit is not None and self.visit is None:
            self._ask(visit)

    def poll_failed(self, failure: CallFailed) -> None:
        """The next poll tries again."""

    def _ask(self, visit: Visit) -> None:
        self.visit, self.asked_at, self.level = visit, time.monotonic(), None
        self.query_one("#reasons", SelectionList).deselect_all()  # nothing of the last applicant's
        self.query_one("#opinion", Input).value = ""
        text = Text(f"{visit.ticket} 号，您好！", style="bold")
        text.append(f"\n为您服务的是：{visit.clerk or '本窗口工作人员'}")
        if visit.item:
            text.append(f"\n办理事项：{visit.item}")
        text.append("\n请按 1–5 或点击为本次服务评价（5 非常满意）", style="bold yellow")
        self.query_one("#pad-visit", Static).update(text)
        self.query_one("#choices").display = True
        self.query_one("#reasons-box").display = False
        self.query_one("#pad-status", Static).update(Text(f"{int(self.timeout)} 秒内未评价将记为“未评价”", style="dim"))

    def action_choose(self, level: int) -> None:
        if self.visit is None or self.query_one("#opinion", Input).has_focus:
            return
        self.level = level
        if level <= BAD:
            self.query_one("#choices").display = False
            self.query_one("#reasons-box").display = True
            self.query_one("#reasons", SelectionList).focus()
            self.asked_at = time.monotonic()  # give time to choose the reasons
            return
        self._submit_async(level, [], "")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_choose(int(event.button.id.split("-")[1]))

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "submit_reasons":
            return self.visit is not None and self.level is not None and self.level <= BAD
        return True

    def action_submit_reasons(self) -> None:
        reasons = list(self.query_one("#reasons", SelectionList).selected)
        opinion = self.query_one("#opinion", Input).value
        if not reasons and not opinion.strip():
            self.query_one("#pad-status", Static).update(
                Text("请用空格勾选不满意的原因，或写下意见，再按 Enter", style="bold yellow")
            )
            return
        self._submit_async(self.level, reasons, opinion)

    def _submit_async(self, level: int | None, reasons: list[str], text: str) -> None:
        self._submit(level, reasons, text)

    def _submit(self, level: int | None, reasons: list[str] | None = None, text: str = "") -> None:
        visit = self.visit
        if visit is None or getattr(self, "rating", None) is visit:
            return  # nothing asked, or this visit's rating is already on its way
        self.rating = visit

        def save() -> int | None:
            rate(
                self.engine,
                None,
                self.window,
                visit.ticket,
                level,
                reasons=reasons or [],
                text=text,
                followup_days=self.settings.followup_days,
            )
            return level

        self.call_service("rate", save)

    def rate_done(self, level: int | None) -> None:
        self.rating = None
        self.thanks_until = time.monotonic() + THANKS_SECONDS
        self._thanks(level)

    def rate_failed(self, failure: CallFailed) -> None:
        self.rating = None
        self.query_one("#pad-status", Static).update(Text(failure.text, style="bold red"))

    def _thanks(self, level: int | None) -> None:
        self._idle()
        message = (
            "已记为未评价，欢迎下次为我们评价。"
            if level is None
            else ("感谢您的评价！我们会认真核实整改，由带班领导跟进处理。" if level <= BAD else "感谢您的评价！")
        )
        self.query_one("#pad-visit", Static).update(Text(message, style="bold"))


def make_rating_pad(settings: Settings, engine: Engine, window: int, timeout: float = TIMEOUT_SECONDS) -> RatingPadApp:
    return RatingPadApp(settings, engine, window, timeout)
