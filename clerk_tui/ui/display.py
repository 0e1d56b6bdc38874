"""叫号屏: the hall display for a TV. The hall's name with today's supervisor on duty, the newest
call in large letters, the last few calls, and the waiting count per queue; it sees calls made in
any other process within a second and announces them (a recall repeats the announcement)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import Engine
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from clerk_tui import clock
from clerk_tui.domain.queueing import call_phrase
from clerk_tui.printing.voice import Announcer
from clerk_tui.services.assessment import awards_for, awards_line
from clerk_tui.services.duty import OnDuty, on_duty
from clerk_tui.services.queue import HallBoard, hall_board, last_event_id
from clerk_tui.settings import Settings
from clerk_tui.ui.calls import CallFailed, ServiceCalls
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.widgets.bigtext import big_lines

POLL_SECONDS = 0.5


class DisplayApp(ServiceCalls, App[None]):
    CSS = """
    Screen { background: #001a33; color: white; }
    #hall-name { height: 1; text-style: bold; content-align: center middle; width: 100%; background: #003366; }
    #awards { height: 1; text-style: bold; content-align: center middle; width: 100%; color: #ffcc00; background: #8b0000; }
    #now-calling { height: auto; border: heavy #ffcc00; padding: 1 2; content-align: center middle; width: 100%; }
    #lower { height: 1fr; }
    #recent { width: 1fr; border: round #3399ff; padding: 0 1; }
    #queues { width: 1fr; border: round #3399ff; padding: 0 1; }
    #voice-note { height: 1; color: #99aabb; }
    """
    BINDINGS = both_cases([Binding("ctrl+q", "quit", "退出", show=False)])

    def __init__(self, settings: Settings, engine: Engine, announcer: Announcer | None = None) -> None:
        super().__init__()
        self.settings, self.engine = settings, engine
        self.announcer = (
            announcer if announcer is not None else (Announcer() if settings.voice else Announcer(executable=""))
        )
        self.board: HallBoard | None = None
        self.seen_event = -1
        self.announced: set[int] = set()  # event ids
        self.first_load = True
        self.duty: OnDuty | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="hall-name")
        awards = Static("", id="awards")  # this month's 流动红旗 windows, when a month was closed
        awards.display = False
        yield awards
        with Vertical():
            yield Static(Text("请留意叫号", style="bold"), id="now-calling")
            with Horizontal(id="lower"):
                yield Static("", id="recent")
                yield Static("", id="queues")
            yield Static("", id="voice-note")

    def on_mount(self) -> None:
        if not self.announcer.available:
            reason = (
                "已在设置中关闭语音" if not self.settings.voice else "未安装 espeak-ng（apt-get install espeak-ng）"
            )
            self.query_one("#voice-note", Static).update(Text(f"语音播报未启用：{reason}；叫号屏照常显示。"))
        self.poll()
        self.set_interval(POLL_SECONDS, self.poll)

    def poll(self) -> None:
        seen = self.seen_event

        def board_if_changed():
            newest = last_event_id(self.engine)
            if newest == seen:
                return None
            return (
                newest,
                hall_board(self.engine),
                on_duty(self.engine),
                awards_line(awards_for(self.engine, clock.today())),
            )

        self.call_service("poll", board_if_changed, exclusive=True)

    def poll_done(self, result) -> None:
        if result is not None:
            self.seen_event, board, self.duty, awards = result
            self.show_awards(awards)
            self.show(board)

    def poll_failed(self, failure: CallFailed) -> None:
        """A display keeps showing the last board and tries again."""

    def show_awards(self, line: str) -> None:
        """本月流动红旗窗口：3号、8号 · 微笑服务示范窗口：12号 (hidden in a month without awards)."""
        widget = self.query_one("#awards", Static)
        widget.display = bool(line)
        widget.update(Text(f"本月{line}" if line else ""))

    def show(self, board: HallBoard) -> None:
        self.board = board
        title = Text(board.hall_name)
        if self.duty is not None:  # 领导带班: the name only
            title.append(f"　　今日带班领导：{self.duty.name}", style="#ffcc00")
        self.query_one("#hall-name", Static).update(title)
        calling = self.query_one("#now-calling", Static)
        if board.calls:
            latest = board.calls[0]
            number, window = big_lines(latest.number), big_lines(str(latest.window))
            arrow = ["      ", "  ██  ", "██████", "  ██  ", "      "]

            text = Text(no_wrap=True)
            width = 0
            for n, a, w in zip(number, arrow, window, strict=True):
                text.append(n, style="bold #ffcc00")
                text.append(f"    {a}    ", style="#99ccff")
                text.append(w + "\n", style="bold #66ff99")
                width = max(width, cell_len(n) + 14 + cell_len(w))
            phrase = call_phrase(self.settings.queue, latest.number, latest.window) + (
                "（重呼）" if latest.recall else ""
            )
            pad = max(0, (width - cell_len(phrase)) // 2)
            text.append(" " * pad + phrase, style="bold white")
            calling.update(text)
        recent = Table(box=None, show_header=True, header_style="bold #99ccff", expand=True)
        recent.add_column("号码")
        recent.add_column("窗口", justify="right")
        recent.add_column("时间", justify="right")
        for call in board.calls[1:]:
            recent.add_row(
                Text(call.number + ("（重呼）" if call.recall else "")), f"{call.window}号", f"{call.at:%H:%M}"
            )
        self.query_one("#recent", Static).update(recent)
        queues = Table(box=None, show_header=True, header_style="bold #99ccff", expand=True)
        queues.add_column("队列")
        queues.add_column("等候", justify="right")
        for q in board.queues:
            queues.add_row(Text(f"{q.prefix} {q.name}"), f"{q.waiting}人")
        self.query_one("#queues", Static).update(queues)
        # Announce calls not yet announced (a recall is a new event, so it repeats the phrase).
        for call in reversed(board.calls):
            if call.event_id in self.announced:
                continue
            self.announced.add(call.event_id)
            if not self.first_load:
                self.announcer.say(call_phrase(self.settings.queue, call.number, call.window))
        self.first_load = False

    def on_unmount(self) -> None:
        self.announcer.close()


def make_display(settings: Settings, engine: Engine, announcer: Announcer | None = None) -> DisplayApp:
    return DisplayApp(settings, engine, announcer)
