"""便民服务方式与前店后场 on screen (M on the reports screen): per department the cases in each
service mode, the tickets served after hours, the share sent to the back office (授权不到位) and
the time spent there; and who carried 全程代办 cases. The same figures as ``report modes``."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from clerk_tui.services.mode_report import HEADERS, mode_report, recent_days, table_rows
from clerk_tui.services.reports import period
from clerk_tui.ui.calls import ServiceCalls
from clerk_tui.ui.case_text import case_rules
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.widgets.footer import Footer
from clerk_tui.ui.widgets.status_bar import StatusBar

PERIODS = {"recent": "最近30天", "monthly": "本月", "yearly": "本年"}


class ModesReportScreen(ServiceCalls, Screen):
    BINDINGS = both_cases(
        [
            Binding("1", "period('recent')", "最近30天", id="modes.recent"),
            Binding("2", "period('monthly')", "本月", id="modes.monthly"),
            Binding("3", "period('yearly')", "本年", id="modes.yearly"),
            Binding("escape", "leave", "返回", id="modes.leave"),
        ]
    )

    def __init__(self) -> None:
        super().__init__()
        self.kind, self.report = "recent", None

    def compose(self) -> ComposeResult:
        yield StatusBar("便民服务方式与前店后场")
        with Vertical(id="report-screen"):
            yield Static("", id="modes-title")
            yield DataTable(id="modes-table", zebra_stripes=True)
            yield Static("", id="modes-agency")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#modes-table", DataTable)
        for label in HEADERS:
            table.add_column(label)
        table.cursor_type, table.fixed_columns = "row", 1  # ←→ scroll the figures; the department stays
        table.focus()
        self.load()

    def action_period(self, kind: str) -> None:
        self.kind = kind
        self.load()

    def load(self) -> None:
        app, kind = self.app, self.kind
        rules = case_rules(app)

        def report():
            start, end = recent_days(30) if kind == "recent" else period(kind)
            return mode_report(app.engine, app.actor, start, end, (rules.opens, rules.closes))

        self.call_service("modes", report, exclusive=True)

    def modes_done(self, report) -> None:
        self.report = report
        title = Text(f"{PERIODS[self.kind]}（{report.start} 至 {report.end}，按收件日期）", style="bold")
        title.append("\n1 最近30天 2 本月 3 本年 · 送后场比重＝送后场 ÷（窗口决定＋送后场）", style="dim")
        self.query_one("#modes-title", Static).update(title)
        table = self.query_one("#modes-table", DataTable)
        table.clear()
        for line in table_rows(report):
            table.add_row(Text(line[0]), *(str(cell) for cell in line[1:]))
        agency = Text("全程代办人员：", style="bold")
        agency.append("、".join(f"{a.name}（{a.number}）{a.cases}件" for a in report.agency) or "本期没有")
        self.query_one("#modes-agency", Static).update(agency)

    def action_leave(self) -> None:
        self.app.pop_screen()
