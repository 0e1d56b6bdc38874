"""窗口考核 on screen: the month's table of windows (best first, with the awards they won) and, for the
window under the cursor, every point it gained or lost and why. [ and ] change the month, X
exports the notice board's XLSX. Opened with K from the supervisor's hall and the reports."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from clerk_tui import clock
from clerk_tui import settings as app_settings
from clerk_tui.domain.assessment import next_month, previous_month
from clerk_tui.services import assessment as asm
from clerk_tui.services.files import write_atomic
from clerk_tui.ui.calls import ServiceCalls
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.widgets.footer import Footer
from clerk_tui.ui.widgets.status_bar import StatusBar


class AssessmentScreen(ServiceCalls, Screen):
    BINDINGS = both_cases(
        [
            Binding("left_square_bracket", "month(-1)", "上月", id="assessment.previous"),
            Binding("right_square_bracket", "month(1)", "下月", id="assessment.next"),
            Binding("x", "export", "导出", id="assessment.export", tooltip="导出公示用考核表 XLSX"),
            Binding(
                "c", "close_month", "结束考核", id="assessment.close", tooltip="结束该月考核，评出奖项（带班领导）"
            ),
            Binding("escape", "leave", "返回", id="assessment.leave"),
        ]
    )

    def __init__(self, month: dt.date | None = None) -> None:
        super().__init__()
        self.month = (month or clock.today()).replace(day=1)
        self.assessment: asm.Assessment | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar("窗口考核")
        with Vertical(id="assessment-screen"):
            yield Static("正在载入……", id="assessment-title")
            yield DataTable(id="assessment-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="assessment-reasons")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#assessment-table", DataTable)
        for label, width in (
            ("名次", 4),
            ("窗口", 24),
            ("得分", 7),
            ("加分", 6),
            ("扣分", 6),
            ("办结", 5),
            ("奖项", 30),
        ):
            table.add_column(label, width=width)
        table.styles.height = 12
        table.focus()
        self.load()

    def load(self) -> None:
        app, month = self.app, f"{self.month:%Y-%m}"

        def read():
            return asm.assess(app.engine, app.actor, month, **asm.hall_rule(app.settings))

        self.call_service("assessment", read, exclusive=True)

    def assessment_done(self, a: asm.Assessment) -> None:
        self.assessment = a
        title = Text(asm.title(a), style="bold")
        for award in a.awards:
            title.append(f"\n{award.name}：{award.window}号窗口（{award.why}）", style="bold red")
        for note in a.notes:
            title.append(f"\n注：{note}", style="dim")
        title.append("\n↑↓ 选择窗口查看加减分原因 · [ 上月 ] 下月 · X 导出 · C 结束考核", style="dim")
        self.query_one("#assessment-title", Static).update(title)
        table = self.query_one("#assessment-table", DataTable)
        table.clear()
        for row in asm.score_rows(a.windows, a.awards):
            rank, name, _base, added, deducted, _total, served, won = row
            table.add_row(
                str(rank),
                Text(name),
                Text(asm.points_text(a.windows[rank - 1].total), style="bold"),
                f"+{added:g}" if added else "",
                Text(f"−{deducted:g}", style="red") if deducted else "",
                str(served),
                Text(won, style="bold red"),
                key=a.windows[rank - 1].key,
            )
        self.show_reasons(0)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_reasons(event.cursor_row)

    def show_reasons(self, row: int) -> None:
        a = self.assessment
        box = self.query_one("#assessment-reasons", Static)
        if a is None or not a.windows or not 0 <= row < len(a.windows):
            box.update(Text("本月没有窗口。", style="dim"))
            return
        score = a.windows[row]
        text = Text(
            f"{score.name}：基础分 {asm.points_text(score.base)}，得分 {asm.points_text(score.total)}\n", style="bold"
        )
        if not score.lines:
            text.append("本月没有加减分。", style="dim")
        for line in score.lines:
            text.append(f"{asm.signed(line.points):>6}  ", style="green" if line.points > 0 else "red")
            text.append(f"{line.reason}\n")
        box.update(text)

    def action_month(self, step: int) -> None:
        month = next_month(self.month) if step > 0 else previous_month(self.month)
        if month > clock.today():
            self.app.notify("下个月还没有到", timeout=3)
            return
        self.month = month
        self.load()

    def action_close_month(self) -> None:
        """Close the month shown (the service refuses a month not yet ended, or anyone but a supervisor)."""
        app, month = self.app, f"{self.month:%Y-%m}"
        self.call_service(
            "assessment",
            lambda: asm.close_month(app.engine, app.actor, month, **asm.hall_rule(app.settings)),
            exclusive=True,
            title="未能结束考核",
        )

    def action_export(self) -> None:
        a = self.assessment
        if a is None:
            return

        def export():
            folder = app_settings.default_data_dir() / "reports"  # looked up at call time: tests redirect it
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"窗口考核-{a.month}.xlsx"
            write_atomic(path, asm.to_xlsx(a))
            return path

        self.call_service("export", export)

    def export_done(self, path) -> None:
        self.app.notify(f"已导出：{path}", timeout=8, markup=False)

    def action_leave(self) -> None:
        self.app.pop_screen()
