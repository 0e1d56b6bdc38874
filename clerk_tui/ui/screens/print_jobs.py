"""打印任务: recent print jobs; a pending one (printer offline, paper out) is retried with R; an
unconfirmed one (a printer that cannot report its status) is confirmed with C or reprinted with R."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from clerk_tui.printing.documents import KINDS
from clerk_tui.services.printing import confirm, list_jobs, retry
from clerk_tui.ui.calls import ServiceCalls
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.widgets.footer import Footer
from clerk_tui.ui.widgets.status_bar import StatusBar


class PrintJobsScreen(ServiceCalls, Screen):
    BINDINGS = both_cases(
        [
            Binding("r,R", "retry", "重试", id="print_jobs.retry", tooltip="重试选中的未打印或未确认任务"),
            Binding("c,C", "confirm", "确认已打出", id="print_jobs.confirm", tooltip="选中的未确认任务纸已打出"),
            Binding("escape", "leave", "返回", id="print_jobs.leave"),
        ]
    )

    def __init__(self) -> None:
        super().__init__()
        self.jobs: list = []
        self.shown_once = False

    def compose(self) -> ComposeResult:
        yield StatusBar("打印任务")
        with Vertical(id="print-jobs"):
            yield Static("", id="print-jobs-hint")
            yield DataTable(id="jobs", cursor_type="row", zebra_stripes=True)
            yield Static("", id="job-detail")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#jobs", DataTable)
        for label in ("任务", "文书", "对象", "状态", "次数", "原因"):
            table.add_column(label)
        self.load()
        table.focus()

    def load(self) -> None:
        self.call_service("jobs", lambda: list_jobs(self.app.engine, self.app.actor, limit=100), exclusive=True)

    def jobs_done(self, jobs) -> None:
        self._show(jobs)

    def _show(self, jobs) -> None:
        self.jobs = jobs
        pending = sum(j.status == "pending" for j in jobs)
        unsure = sum(j.status == "unconfirmed" for j in jobs)
        self.query_one("#print-jobs-hint", Static).update(
            Text(
                (
                    f"未打印 {pending} 个，未确认 {unsure} 个（看纸是否打出：打出了按 C 确认，没有按 R 重打）。"
                    if unsure
                    else f"未打印 {pending} 个。选中后按 R 在本终端的打印机上重试；"
                )
                + "号票和办件都已保存，不受影响。",
                style="bold yellow" if pending or unsure else "dim",
            )
        )
        table = self.query_one("#jobs", DataTable)
        row = table.cursor_row
        table.clear()
        for j in jobs:
            what = KINDS.get(j.document, j.document) + (f"（补打{j.reprint}）" if j.reprint else "")
            table.add_row(
                str(j.id),
                Text(what),
                j.subject,
                Text(j.status_name, style="green" if j.status == "printed" else "bold yellow"),
                str(j.attempts),
                Text(j.error),
            )
        if jobs:
            first_pending = next((i for i, j in enumerate(jobs) if j.status != "printed"), 0)
            table.move_cursor(row=first_pending if not self.shown_once else min(row or 0, len(jobs) - 1))
        self.shown_once = True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The whole reason of the highlighted job, which a narrow table cuts."""
        detail = Text()
        if 0 <= event.cursor_row < len(self.jobs):
            j = self.jobs[event.cursor_row]
            detail = Text(f"任务 {j.id}：{j.subject} → {j.printer}", style="bold")
            if j.error:
                detail.append(f"\n{j.error}", style="yellow")
        self.query_one("#job-detail", Static).update(detail)

    def action_retry(self) -> None:
        table = self.query_one("#jobs", DataTable)
        if not self.jobs or table.cursor_row >= len(self.jobs):
            return
        job = self.jobs[table.cursor_row]
        if job.status == "printed":
            self.app.notify("该任务已打印；要再打一份请在号票或办件处补打", severity="information")
            return
        cfg = self.app.settings.printing
        here = cfg.ticket if job.document in ("ticket", "item-notice") else cfg.receipt
        self._retry(job.id, here or None)  # on this terminal's printer when it has one

    def action_confirm(self) -> None:
        table = self.query_one("#jobs", DataTable)
        if not self.jobs or table.cursor_row >= len(self.jobs):
            return
        job = self.jobs[table.cursor_row]
        if job.status != "unconfirmed":
            self.app.notify("只有“未确认”的任务需要确认；未打印的请按 R 重试", severity="information")
            return
        app = self.app
        self.call_service("confirm", lambda: confirm(app.engine, app.actor, job.id))

    def confirm_done(self, job) -> None:
        self.app.notify(f"任务 {job.id} 已确认打出", timeout=3)
        self.load()

    def _retry(self, job_id: int, printer: str | None) -> None:
        app = self.app
        self.call_service("retry", lambda: retry(app.engine, app.actor, job_id, app.settings.printing, printer=printer))

    def retry_done(self, job) -> None:
        if job.status == "printed":
            self.app.notify(f"任务 {job.id} 已打印", timeout=3)
        elif job.status == "unconfirmed":
            self.app.notify(f"任务 {job.id} 已重新发送：看纸是否打出，打出了按 C 确认", timeout=8)
        else:
            self.app.notify(job.error, title="仍未打印", severity="warning", timeout=8, markup=False)
        self.load()

    def action_leave(self) -> None:
        self.app.pop_screen()
