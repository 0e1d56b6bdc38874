"""Each role's home screen. Screens that later capabilities fill show a real empty state."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from clerk_tui.domain.roles import allowed
from clerk_tui.services.errors import ServiceError
from clerk_tui.services.hall import hall_overview
from clerk_tui.services.responsibility import list_alerts
from clerk_tui.services.staff import unlock
from clerk_tui.ui.calls import CallFailed, ServiceCalls
from clerk_tui.ui.case_text import case_rules
from clerk_tui.ui.dialogs.ticket import FormDialog
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.polling import FollowsHall
from clerk_tui.ui.screens.case_list import CaseListScreen
from clerk_tui.ui.screens.catalog_browser import CatalogBrowser
from clerk_tui.ui.widgets.footer import Footer
from clerk_tui.ui.widgets.status_bar import StatusBar


class _Home(ServiceCalls, Screen):
    BINDINGS = both_cases(
        [
            Binding("f2", "catalog", "检索", id="home.catalog", tooltip="打开事项检索与办事指南"),
            Binding(
                "b,B", "cases", "办件", id="home.cases", tooltip="办件查询：按编号、证件号、电话、姓名，及预警筛选"
            ),
            Binding("u,U", "unlock", "解锁工号", id="home.unlock", tooltip="解锁因 PIN 连续错误被锁定的工号"),
        ]
    )

    def check_action(self, action: str, parameters) -> bool | None:
        actor = self.app.actor
        if action == "unlock":  # a supervisor or the administrator
            return actor is not None and allowed(actor.role, "staff.unlock")
        if action == "cases":  # not the administrator (三员分立: it reads no case)
            return actor is not None and allowed(actor.role, "case.read")
        return True

    def action_unlock(self) -> None:
        app = self.app

        def act(number: str) -> str:
            if not number.strip():
                raise ServiceError("请输入要解锁的工号")
            unlock(app.engine, app.actor, number)
            return f"工号 {number.strip()} 已解锁，PIN 错误次数已清零，可重新登录"

        app.push_screen(FormDialog("解锁工号", [("number", "工号", "例如 9001")], act))

    def action_catalog(self) -> None:
        self.app.push_screen(CatalogBrowser(closable=True))

    def action_cases(self) -> None:
        self.app.push_screen(CaseListScreen())

    def palette_commands(self):
        yield SystemCommand("事项检索", "查找事项并查看办事指南（F2）", self.action_catalog)
        if self.check_action("cases", ()):
            yield SystemCommand("办件查询", "按编号、证件号、电话、姓名查办件，按预警筛选（B）", self.action_cases)

    def fail(self, failure: CallFailed) -> None:
        """A home screen that could not load says so in place of what it shows."""
        self.query_one(".home-body", Static).update(Text(f"载入失败：{failure.text}"))


class HallScreen(FollowsHall, _Home):
    """带班领导 / 管理员: the hall at a glance (departments, windows, items, staff)."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        yield StatusBar(self.title_text)
        with Vertical(id="hall"):
            yield Static("正在载入……", id="hall-summary", classes="home-body")
            yield DataTable(id="departments", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#departments", DataTable)
        for label in ("部门", "咨询电话", "事项", "承诺件", "窗口", "分厅"):
            table.add_column(label)
        self.load()
        self.follow()  # an unlock, a window opened elsewhere

    def load(self) -> None:
        app = self.app

        actor = app.actor
        reads_alerts = actor is not None and allowed(actor.role, "alert.read")  # not the administrator

        def overview():
            return (
                hall_overview(app.engine),
                list_alerts(app.engine, actor, rules_=app.settings.responsibility, case_rules=case_rules(app))
                if reads_alerts
                else None,
            )

        self.call_service("hall", overview)

    def hall_done(self, result) -> None:
        self.show(*result)

    def hall_failed(self, failure: CallFailed) -> None:
        self.fail(failure)

    def on_screen_resume(self) -> None:
        self.load()

    def show(self, ov, alerts=()) -> None:
        text = Text(f"{ov.name}（{ov.code}）", style="bold")
        text.append(
            f"\n进驻部门 {len(ov.departments)} 个 · 窗口 {ov.windows} 个 · 事项 {ov.items} 项"
            f"（即办件 {ov.immediate_items} 项）· 在岗人员 {ov.staff} 人"
        )
        text.append("\n分厅：" + ("、".join(ov.branch_halls) or "无"))
        text.append(f"\n咨询电话 {ov.phone or '—'} · 监督电话 {ov.supervision_phone or '—'}")
        if ov.locked_staff:
            text.append("\n已锁定的工号：" + "、".join(ov.locked_staff) + "（按 U 解锁）", style="bold red")
        escalated = [a for a in alerts or () if a.escalated]
        if alerts:
            text.append(
                f"\n提醒 {len(alerts)} 条，需带班领导过问 {len(escalated)} 条（Ctrl+T 查看）：", style="bold red"
            )
            for a in (escalated or alerts)[:4]:
                text.append(f"\n  {a.kind_name}  {a.subject}  责任人 {a.responsible}", style="red")
        elif alerts is not None:  # None: a role that reads no alerts (the administrator) is told nothing of them
            text.append("\n当前没有提醒。", style="green")
        self.query_one("#hall-summary", Static).update(text)
        table = self.query_one("#departments", DataTable)
        table.clear()
        for d in ov.departments:
            table.add_row(
                Text(d.name),
                Text(d.phone or "—"),
                str(d.items),
                str(d.promised_items),
                Text(",".join(map(str, d.windows)) or "—"),
                Text(d.branch_hall or ""),
            )
