"""带班领导 · 大厅实况: queues, windows, cases at risk, alerts, bad-rating follow-ups and the public
devices' last contact (a display gone dark is named in red), following every other terminal within a
second or two, under the supervisor on duty (领导带班) and the note the last duty day handed over.
R opens the reports, F ends a follow-up, P walks a patrol round. The first
supervisor's screen open after the day's close makes the daily backup, and says when the last was."""

from __future__ import annotations

import time

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from clerk_tui import clock
from clerk_tui.services.assessment import awards_for, awards_line
from clerk_tui.services.audit import day_head
from clerk_tui.services.errors import ServiceError
from clerk_tui.services.queue import last_event_id
from clerk_tui.services.ratings import close_followup
from clerk_tui.services.reports import keep_past_days
from clerk_tui.services.supervisor import board
from clerk_tui.ui.calls import CallFailed
from clerk_tui.ui.case_text import WARNING_STYLES, case_rules, remaining_text
from clerk_tui.ui.dialogs.ticket import FormDialog
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.messages import clip
from clerk_tui.ui.screens.assessment import AssessmentScreen
from clerk_tui.ui.screens.home import _Home
from clerk_tui.ui.screens.reports import ReportScreen
from clerk_tui.ui.widgets.columns import Column, cell, set_columns
from clerk_tui.ui.widgets.footer import Footer
from clerk_tui.ui.widgets.status_bar import StatusBar

POLL_SECONDS = 1.0
REFRESH_EVERY = 15.0  # waits grow even when nobody acts
BACKUP_CHECK_SECONDS = 300.0  # how often the screen asks whether the day's backup is due

STATUS = {"open": ("服务中", "green"), "paused": ("暂停", "yellow"), "closed": ("未开窗", "dim")}


def devices_text(devices) -> Text:
    """The public devices on one line: the dark ones (silent over 2 minutes) named in red with their
    last contact, the others counted."""
    dark = [d for d in devices if d.dark]
    text = Text(f"公共设备 {len(devices) - len(dark)} 台在线", style="dim" if not dark else "")
    for d in dark:
        seen = f"{d.last_seen_at:%H:%M} 后无联系" if d.last_seen_at else "从未联系"
        text.append(" · ")
        text.append(f"{d.kind_name} {d.name} 失联（{seen}）", style="bold red")
    return text


class SupervisorScreen(_Home):
    BINDINGS = both_cases(
        [
            Binding("r,R", "reports", "报表", id="supervisor.reports", tooltip="统计报表与窗口考核"),
            Binding("f,F", "followup", "差评整改", id="supervisor.followup", tooltip="办结一条差评整改"),
            Binding(
                "p,P", "patrol", "巡查", id="supervisor.patrol", tooltip="大厅巡查：逐个窗口记录在岗、着装、纪律等"
            ),
            Binding("k,K", "assessment", "考核", id="supervisor.assessment", tooltip="窗口考核与流动红旗"),
        ]
    )

    def __init__(self) -> None:
        super().__init__()
        self.board = None
        self.seen_event = -1
        self.loaded_at = 0.0
        self.backup_line = ""
        self.audit_head = ""  # the day's audit-chain head as a short fingerprint
        self.awards = ""  # this month's 流动红旗 and other awards, in one line

    def compose(self) -> ComposeResult:
        yield StatusBar("带班领导 · 大厅实况")
        with Vertical(id="supervisor"):
            yield Static("正在载入……", id="sup-summary", classes="home-body")
            with Horizontal(id="sup-tables"):
                yield DataTable(id="sup-queues", cursor_type="row", zebra_stripes=True)
                yield DataTable(id="sup-windows", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="sup-cases", cursor_type="row", zebra_stripes=True)
            yield Static("", id="sup-alerts")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        # Fixed widths: a refresh with longer content never moves a column away from its header.
        q = self.query_one("#sup-queues", DataTable)
        for label, width in (("队列", 14), ("等候", 4), ("最长", 4), ("近1时均等", 9)):
            q.add_column(label, width=width)
        w = self.query_one("#sup-windows", DataTable)
        for label, width in (("窗口", 4), ("状态", 16), ("人员", 8), ("当前号", 6), ("已办", 4)):
            w.add_column(label, width=width)
        self.set_class(self.size.width < 100, "-narrow")
        self.poll()
        self.set_interval(POLL_SECONDS, self.poll)
        self.keep_days()
        self.daily_backup()
        self.set_interval(BACKUP_CHECK_SECONDS, self.daily_backup)

    def on_resize(self) -> None:
        # Below 100 columns the windows go under the queues instead of beside them.
        self.set_class(self.size.width < 100, "-narrow")
        if self.board is not None:
            self.call_after_refresh(self._show_cases, self.board)

    def keep_days(self) -> None:
        """Past days are counted once and kept, so the reports only count today (background)."""
        self.call_service("keep_days", lambda: keep_past_days(self.app.engine), group="keep-days")

    def keep_days_failed(self, failure: CallFailed) -> None:
        """The reports count the days themselves if this could not."""

    def daily_backup(self) -> None:
        """The day's backup once the close has passed (one terminal makes it; background)."""
        from clerk_tui.services.backup import daily_backup  # start-up: only this screen needs it

        app, s = self.app, self.app.settings
        self.call_service(
            "backup",
            lambda: daily_backup(app.engine, app.actor, folder=s.backup_dir, keep=s.backup_keep, backup_at=s.backup_at),
            group="backup",
            exclusive=True,
        )

    def backup_done(self, line: str) -> None:
        if line != self.backup_line:
            self.backup_line = line
            if self.board is not None:
                self.show(self.board)

    def backup_failed(self, failure: CallFailed) -> None:
        self.backup_done("自动备份未完成")
        self.app.notify(failure.text, title="自动备份未完成", severity="error", timeout=10, markup=False)

    def on_screen_resume(self) -> None:
        self.seen_event = -1

    def poll(self) -> None:
        app, seen, loaded_at = self.app, self.seen_event, self.loaded_at

        def board_if_changed():
            newest = last_event_id(app.engine)
            if newest == seen and time.monotonic() - loaded_at < REFRESH_EVERY:
                return None
            b = board(app.engine, app.actor, rules_=app.settings.responsibility, case_rules=case_rules(app))
            head = day_head(app.engine, clock.today())
            awards = awards_line(awards_for(app.engine, clock.today()))
            return newest, b, f"审计 #{head.event_id} {head.fingerprint}" if head else "", awards

        self.call_service("poll", board_if_changed, exclusive=True)

    def poll_done(self, result) -> None:
        if result is not None:
            before = self.audit_head, self.awards
            (self.seen_event, b, self.audit_head, self.awards), self.loaded_at = result, time.monotonic()
            if (
                b != self.board or (self.audit_head, self.awards) != before
            ):  # an unchanged hall is not redrawn: the tables never flicker empty
                self.show(b)

    def poll_failed(self, failure: CallFailed) -> None:
        self.fail(failure)

    def show(self, b) -> None:
        self.board = b
        waiting = sum(q.waiting for q in b.queues)
        open_windows = sum(w.status == "open" for w in b.windows)
        text = Text()
        duty = b.on_duty
        text.append(f"今日带班：{duty.name}（{duty.how_name}）" if duty else "今日带班：未排班", style="bold cyan")
        if b.handover is not None:
            text.append(f" · 上一班留言（{b.handover.day:%m-%d} {b.handover.by}）：", style="cyan")
            room = self.size.width - 2 - text.cell_len  # the rest of the line: the table below keeps its rows
            text.append(clip(b.handover.text, max(room, 12)))
        text.append(
            f"\n今日取号 {b.issued_today} · 办结 {b.served_today} · 等候 {waiting} 人 · 服务中窗口 {open_windows} 个",
            style="bold",
        )
        text.append(f"\n办件预警：红色 {b.red} 件", style="bold red" if b.red else "")
        text.append(f" · 黄色 {b.yellow} 件", style="bold yellow" if b.yellow else "")
        text.append(
            f" · 首问/转交/推诿提醒 {len(b.alerts)} 条 · 差评整改 {len(b.followups)} 件",
            style="bold red" if b.alerts or b.followups else "",
        )
        if self.awards:
            text.append(f"\n本月{self.awards}", style="bold red")
        text.append(
            "\nR 报表 · K 考核 · F 差评整改 · P 巡查 · Ctrl+T 提醒 · B 办件", style="dim"
        )  # a line of its own: never split
        # The hall's record-keeping on a line of its own (the keys line above never wraps into it):
        # when the last backup was made, and the day's audit-chain head to note down or compare
        # with the daily report.
        kept = [(self.backup_line, "red" if "未" in self.backup_line else "dim"), (self.audit_head, "dim")]
        for i, (words, style) in enumerate((w, st) for w, st in kept if w):
            text.append("\n" if i == 0 else " · ")
            text.append(words, style=style)
        if b.devices:
            text.append("\n")
            text.append_text(devices_text(b.devices))
        self.query_one("#sup-summary", Static).update(text)
        q = self.query_one("#sup-queues", DataTable)
        q.clear()
        # The queues with people waiting first (most first): at 80x24 they are what fits.
        for line in sorted(b.queues, key=lambda x: (-x.waiting, x.prefix)):
            if line.waiting or line.avg_wait_last_hour is not None:
                q.add_row(
                    Text(f"{line.prefix} {line.name}"),
                    str(line.waiting),
                    Text(str(line.longest_wait), style="bold red" if line.longest_wait >= 30 else ""),
                    "" if line.avg_wait_last_hour is None else f"{line.avg_wait_last_hour:.1f}",
                )
        w = self.query_one("#sup-windows", DataTable)
        w.clear()
        for line in b.windows:
            if line.status == "closed" and not line.served_today:
                continue
            name, style = STATUS.get(line.status, (line.status, ""))
            state = Text(name, style=style)
            if line.pause_reason:
                state.append(f"（{clip(line.pause_reason, 8)}）", style=style)  # fits its column
            w.add_row(f"{line.number}", state, Text(line.clerk), line.current, str(line.served_today))
        self._show_cases(b)
        lower = Text()
        for a in b.alerts[:5]:
            lower.append(
                f"{a.kind_name}  {a.subject}  责任人 {a.responsible}\n", style="red" if a.escalated else "yellow"
            )
        for f in b.followups[:4]:
            lower.append(
                f"差评整改 #{f.id}  {f.ticket} {f.window}号窗口 {f.level}分 {f.reasons} {f.text}  "
                f"期限 {f.due_date}{'（逾期）' if f.overdue else ''}\n",
                style="magenta",
            )
        self.query_one("#sup-alerts", Static).update(lower or Text("没有提醒和待整改的差评。", style="green"))

    def _show_cases(self, b) -> None:
        """The cases at risk, each with its number, item, owner and working days left (or overdue)."""
        table = self.query_one("#sup-cases", DataTable)
        table.display = bool(b.at_risk)
        if not b.at_risk:
            return
        columns = [
            Column("预警办件", max(cell_len(c.number) for c in b.at_risk)),
            Column("事项", 8, 2, max(cell_len(c.item_name) for c in b.at_risk)),
            Column("承办人", 6, 1, max(cell_len(c.owner_name) for c in b.at_risk)),
            Column("剩余工作日", max(cell_len(remaining_text(c.remaining_workdays, long=True)) for c in b.at_risk)),
        ]
        _, item_w, owner_w, _ = set_columns(table, columns, self.size.width - 2)
        # The height said outright (the header and a line a case, up to the stylesheet's cap):
        # left to "auto", a table shown again could keep the height it had while empty, under load
        # for long enough that the cases at risk were laid out of sight.
        table.styles.height = min(1 + len(b.at_risk), 5 if self.has_class("-narrow") else 8)
        for c in b.at_risk:
            style = WARNING_STYLES.get(c.warning, "")
            table.add_row(
                Text(c.number, style=style),
                cell(c.item_name, item_w),
                cell(c.owner_name, owner_w),
                Text(remaining_text(c.remaining_workdays, long=True) or "—", style=style),
            )

    def action_patrol(self) -> None:
        from clerk_tui.ui.screens.patrol import PatrolScreen  # start-up: only a patrol needs it

        self.app.push_screen(PatrolScreen())

    def action_reports(self) -> None:
        self.app.push_screen(ReportScreen())

    def action_assessment(self) -> None:
        self.app.push_screen(AssessmentScreen())

    def action_followup(self) -> None:
        if self.board is None or not self.board.followups:
            self.app.notify("没有待整改的差评", timeout=3)
            return
        app = self.app
        first = self.board.followups[0]

        def close(number: str, outcome: str, note: str) -> str:
            if not number.strip().isdigit():
                raise ServiceError("请填写差评整改编号（数字）")
            f = close_followup(app.engine, app.actor, int(number), outcome=outcome, note=note)
            return f"差评整改 #{f.id}：{f.status_name}"

        app.push_screen(
            FormDialog(
                "办结差评整改",
                [
                    ("number", "编号", str(first.id)),
                    ("outcome", "结果：整改、解释 或 申诉", "整改"),
                    ("note", "整改内容 / 解释 / 申诉理由", "例如 已约谈窗口人员并增开高峰窗口"),
                ],
                close,
                values={"number": str(first.id), "outcome": "整改"},
            )
        )
