"""统计报表 and 窗口考核 on screen: a period (today, this month, this year), a grouping (hall,
department, window, clerk), the figures as a table, arrivals and served per hour as a chart, and
an XLSX export."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from clerk_tui import settings as app_settings
from clerk_tui.services.files import write_atomic
from clerk_tui.services.reports import DIMENSIONS, build_report, period, to_xlsx
from clerk_tui.ui.calls import ServiceCalls
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.screens.modes_report import ModesReportScreen
from clerk_tui.ui.widgets.footer import Footer
from clerk_tui.ui.widgets.status_bar import StatusBar

PERIODS = {"daily": "今日", "monthly": "本月", "yearly": "本年"}
BYS = {"hall": "全厅", "department": "部门", "window": "窗口", "clerk": "人员（窗口考核）"}
COLUMNS = [
    ("tickets_issued", "取号"),
    ("tickets_served", "办结号"),
    ("no_shows", "过号"),
    ("wait_avg", "均等(分)"),
    ("cases_received", "收件"),
    ("cases_completed", "办结"),
    ("immediate_share", "即办比重"),
    ("on_time_rate", "按时率"),
    ("early_rate", "提前率"),
    ("overdue", "超期"),
    ("satisfaction_rate", "满意率"),
]
RATES = {"immediate_share", "on_time_rate", "early_rate", "satisfaction_rate"}


class ReportScreen(ServiceCalls, Screen):
    BINDINGS = both_cases(
        [
            Binding("1", "period('daily')", "今日", id="reports.daily"),
            Binding("2", "period('monthly')", "本月", id="reports.monthly"),
            Binding("3", "period('yearly')", "本年", id="reports.yearly"),
            Binding("h", "by('hall')", "全厅", id="reports.hall"),
            Binding("d", "by('department')", "部门", id="reports.department"),
            Binding("w", "by('window')", "窗口", id="reports.window"),
            Binding("c", "by('clerk')", "人员", id="reports.clerk"),
            Binding("x", "export", "导出", id="reports.export", tooltip="导出 XLSX"),
            # told in the title's key line: the footer is full at 80 columns
            Binding("m", "modes", "服务方式", id="reports.modes", tooltip="便民服务方式与前店后场", show=False),
            Binding("k", "assessment", "考核", id="reports.assessment", tooltip="窗口考核与流动红旗"),
            Binding("escape", "leave", "返回", id="reports.leave"),
        ]
    )

    def __init__(self) -> None:
        super().__init__()
        self.kind, self.by, self.report = "daily", "hall", None

    def compose(self) -> ComposeResult:
        yield StatusBar("统计报表")
        with Vertical(id="report-screen"):
            yield Static("", id="report-title")
            yield DataTable(id="report-table", zebra_stripes=True)
            yield Static("", id="report-chart")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#report-table", DataTable)
        table.add_column("分组")
        for _, label in COLUMNS:
            table.add_column(label)
        table.cursor_type, table.fixed_columns = "row", 1  # ←→ scroll the figures on a narrow terminal; the group stays
        table.focus()
        self.load()

    def action_period(self, kind: str) -> None:
        self.kind = kind
        self.load()

    def action_by(self, by: str) -> None:
        self.by = by
        self.load()

    def load(self) -> None:
        app, kind, by = self.app, self.kind, self.by

        def report():
            start, end = period(kind)
            return build_report(app.engine, app.actor, start, end, by)

        self.call_service("report", report, exclusive=True)

    def report_done(self, report) -> None:
        self._show(report)

    def _title(self, more_columns: bool = False) -> None:
        report = self.report
        title = Text(f"{PERIODS[self.kind]}（{report.start} 至 {report.end}） · 按{BYS[self.by]}", style="bold")
        title.append(
            "\n1 今日 2 本月 3 本年 · H 全厅 D 部门 W 窗口 C 人员 · X 导出 · M 服务方式与前店后场", style="dim"
        )
        if more_columns:  # a narrow terminal: the table scrolls sideways
            title.append(" · ←→ 查看其余列", style="bold")
        self.query_one("#report-title", Static).update(title)

    def on_resize(self) -> None:
        if self.report is not None:
            self.call_after_refresh(self._check_width)

    def _check_width(self) -> None:
        table = self.query_one("#report-table", DataTable)
        self._title(table.virtual_size.width > table.scrollable_content_region.width)

    def _show(self, report) -> None:
        self.report = report
        self._title()
        table = self.query_one("#report-table", DataTable)
        table.clear()
        for g in report.groups:
            cells = []
            for key, _ in COLUMNS:
                value = g.figures.get(key)
                if key in RATES:
                    cells.append("—" if value is None else f"{value * 100:.1f}%")
                else:
                    cells.append("—" if value is None else str(value))
            table.add_row(Text(g.name), *cells)
        self.call_after_refresh(self._check_width)
        chart = Text("分时段：█ 取号  ▒ 办结\n", style="bold")
        peak = max((max(i, s) for _, i, s in report.hourly), default=0) or 1
        for hour, issued, served in report.hourly:
            chart.append(f"{hour:02d}时 ")
            chart.append("█" * max(1 if issued else 0, round(issued * 24 / peak)), style="cyan")
            chart.append(f" {issued}  ")
            chart.append("▒" * max(1 if served else 0, round(served * 24 / peak)), style="green")
            chart.append(f" {served}\n")
        self.query_one("#report-chart", Static).update(chart if report.hourly else Text("本期没有取号。", style="dim"))

    def action_export(self) -> None:
        report, by = self.report, self.by
        if report is None:
            return

        def export():
            folder = (
                app_settings.default_data_dir() / "reports"
            )  # looked up at call time: tests and settings redirect it
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"报表-按{DIMENSIONS[by]}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.xlsx"
            write_atomic(path, to_xlsx(report))
            return path

        self.call_service("export", export)

    def export_done(self, path) -> None:
        self.app.notify(f"已导出：{path}", timeout=8, markup=False)

    def action_modes(self) -> None:
        self.app.push_screen(ModesReportScreen())

    def action_assessment(self) -> None:
        from clerk_tui.ui.screens.assessment import AssessmentScreen

        self.app.push_screen(AssessmentScreen())

    def action_leave(self) -> None:
        self.app.pop_screen()
