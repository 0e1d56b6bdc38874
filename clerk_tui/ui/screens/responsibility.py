"""首问负责制 on screen: the inquiry flow (F1 from any screen) and the alerts screen (Ctrl+T):
my open inquiries and the alerts I must act on; a supervisor sees everyone's."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from clerk_tui.domain.responsibility import OUTCOMES
from clerk_tui.domain.roles import allowed
from clerk_tui.services import responsibility as rs
from clerk_tui.services.responsibility import acknowledge, dismiss_alert, list_alerts, list_inquiries, open_inquiry
from clerk_tui.ui.case_text import case_rules
from clerk_tui.ui.dialogs.ticket import FormDialog, PickDialog
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.messages import clip
from clerk_tui.ui.polling import FollowsHall
from clerk_tui.ui.widgets.footer import Footer
from clerk_tui.ui.widgets.status_bar import StatusBar

OUTCOME_FIELDS = {
    "answered": [("note", "答复内容", "例如 已告知所需材料和办理地点")],
    "referred": [
        ("to", "引导去的窗口号或队列字母", "例如 5 或 A"),
        ("ticket", "当事人已有的号（转过去，不重新排队；没有就留空）", "例如 A012"),
    ],
    "absent": [
        ("department", "经办部门（本厅进驻部门全称）", "例如 县民政局"),
        ("contact", "联系人", "例如 王科长"),
        ("phone", "联系电话", "例如 0579-80001234"),
    ],
    "external": [("department", "有权部门名称", "例如 市住房公积金管理中心"), ("phone", "联系电话", "例如 12329")],
    "appointment": [("at", "预约时间", "例如 2026-12-01 09:30")],
}


def start_inquiry(app, ticket: str | None = None) -> None:
    """F1: register the inquiry (the one logged in is the first responder), then its outcome."""
    opened: dict = {}

    def do_open(matter: str, name: str, phone: str, item: str) -> str:
        view = open_inquiry(app.engine, app.actor, matter=matter, name=name, phone=phone, item=item or None)
        opened["id"] = view.id
        return f"已登记首问 #{view.id}，首问责任人：{view.responder_name}\n按 Enter 选择处理结果（不能“不归我管”）"

    def next_step(_) -> None:
        if "id" in opened:
            choose_outcome(app, opened["id"], ticket)

    app.push_screen(
        FormDialog(
            "首问登记",
            [
                ("matter", "当事人要办什么", "例如 咨询开办餐馆要哪些手续"),
                ("name", "姓名（可不填）", ""),
                ("phone", "电话（可不填）", ""),
                ("item", "事项编码（可不填）", ""),
            ],
            do_open,
        ),
        next_step,
    )


def choose_outcome(app, inquiry_id: int, ticket: str | None = None) -> None:
    def chosen(outcome: str | None) -> None:
        if not outcome:
            app.notify(f"首问 #{inquiry_id} 尚未处理，可在提醒页（Ctrl+T）继续", timeout=5)
            return

        def act(**values) -> str:
            engine, actor = app.engine, app.actor
            if outcome == "answered":
                view = rs.answer(engine, actor, inquiry_id, note=values["note"])
            elif outcome == "referred":
                to = values["to"].strip().upper()
                kw = {"to_window": int(to)} if to.isdigit() else {"to_queue": to}
                view = rs.refer(
                    engine, actor, inquiry_id, ticket=values.get("ticket") or None, policy=app.settings.queue, **kw
                )
            elif outcome == "absent":
                view = rs.absent(engine, actor, inquiry_id, **values)
            elif outcome == "external":
                view = rs.external(engine, actor, inquiry_id, **values)
            else:
                view = rs.appointment(engine, actor, inquiry_id, at=values["at"])
            extra = f"\n请当事人持 {view.ticket} 号等候叫号（转介优先）" if view.ticket else ""
            return f"首问 #{view.id}：{view.outcome_name}  {view.detail}{extra}"

        values = {"ticket": ticket} if outcome == "referred" and ticket else None
        app.push_screen(
            FormDialog(f"首问 #{inquiry_id}：{OUTCOMES[outcome][0]}", OUTCOME_FIELDS[outcome], act, values=values)
        )

    app.push_screen(PickDialog(f"首问 #{inquiry_id}：处理结果", [(k, v[0]) for k, v in OUTCOMES.items()]), chosen)


class AlertsScreen(FollowsHall, Screen):
    """提醒: my open inquiries and the alerts I must act on (a supervisor: everyone's)."""

    BINDINGS = both_cases(
        [
            Binding("d,D", "dismiss_alert", "消除", id="alerts.dismiss", tooltip="消除选中的提醒（需原因，记录在案）"),
            Binding("escape", "leave", "返回", id="alerts.leave"),
        ]
    )

    def __init__(self) -> None:
        super().__init__()
        self.alerts: list = []
        self.inquiries: list = []

    def compose(self) -> ComposeResult:
        yield StatusBar("提醒与首问")
        with Vertical(id="alerts-screen"):
            yield Static("", id="alerts-summary")
            yield DataTable(id="alerts", cursor_type="row", zebra_stripes=True)
            yield Static("", id="alert-detail")
            yield Static(Text("我的未办结首问", style="bold"), id="inquiries-title")
            yield DataTable(id="inquiries", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        alerts = self.query_one("#alerts", DataTable)
        for label in ("类型", "责任人", "对象", "到期", "说明"):
            alerts.add_column(label)
        inquiries = self.query_one("#inquiries", DataTable)
        for label in ("编号", "时间", "事项", "状态", "处理"):
            inquiries.add_column(label)
        self.load()
        alerts.focus()
        self.follow()  # other terminals act (a window calls the referred ticket)

    def on_screen_resume(self) -> None:
        self.load()

    @property
    def everyone(self) -> bool:
        return allowed(self.app.actor.role, "report.read.staff")  # a supervisor: everyone's

    def load(self) -> None:
        if self.app.actor is None:
            return  # logged out: the screen is on its way off
        app, staff = self.app, None if self.everyone else self.app.actor.number

        def alerts_and_inquiries():
            return (
                list_alerts(
                    app.engine, app.actor, staff=staff, rules_=app.settings.responsibility, case_rules=case_rules(app)
                ),
                list_inquiries(app.engine, app.actor, open_only=True, staff=staff),
            )

        self.call_service("alerts", alerts_and_inquiries, exclusive=True)

    def alerts_done(self, result) -> None:
        self._show(*result)

    def _show(self, alerts, inquiries) -> None:
        self.alerts, self.inquiries = alerts, inquiries
        who = "全厅" if self.everyone else "我"
        summary = Text()  # each part its own style: a base style would tint the key hints red too
        summary.append(f"{who}的提醒 {len(alerts)} 条", style="bold red" if alerts else "bold green")
        summary.append(f" · 未办结首问 {len(inquiries)} 件", style="bold")
        summary.append(
            "\nTab 切换列表 · Enter 处理（首问选结果、转交点接收） · D 消除提醒（需原因） · F1 新的首问", style="dim"
        )
        self.query_one("#alerts-summary", Static).update(summary)
        self.query_one("#inquiries-title", Static).update(Text(f"{who}的未办结首问", style="bold"))
        table = self.query_one("#alerts", DataTable)
        table.clear()
        for a in alerts:
            table.add_row(
                Text(a.kind_name, style="bold red" if a.escalated else "yellow"),
                a.responsible,
                Text(clip(a.subject, 36)),
                f"{a.due:%m-%d %H:%M}",
                Text(a.why),
            )
        table2 = self.query_one("#inquiries", DataTable)
        table2.clear()
        for v in inquiries:
            table2.add_row(
                f"#{v.id}",
                f"{v.opened_at:%H:%M}",
                Text(v.matter),
                v.status_name,
                Text(f"{v.outcome_name} {v.detail}".strip() if v.outcome else "待处理"),
            )

    @on(DataTable.RowHighlighted, "#alerts")
    def _alert_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The whole of the highlighted alert, which a narrow table cuts."""
        detail = Text()
        if 0 <= event.cursor_row < len(self.alerts):
            a = self.alerts[event.cursor_row]
            detail = Text(f"{a.kind_name}：{a.subject}", style="bold")
            detail.append(f"（责任人 {a.responsible}，{a.due:%m-%d %H:%M} 到期）\n", style="")
            detail.append(a.why, style="dim")
        self.query_one("#alert-detail", Static).update(detail)

    @on(DataTable.RowSelected, "#inquiries")
    def _inquiry_chosen(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.inquiries):
            v = self.inquiries[event.cursor_row]
            if v.outcome is None:
                choose_outcome(self.app, v.id)
            else:
                self.app.notify(f"首问 #{v.id} 已{v.outcome_name}，等待接收", timeout=3)

    @on(DataTable.RowSelected, "#alerts")
    def _alert_chosen(self, event: DataTable.RowSelected) -> None:
        """Enter acts on what the alert asks: take a handover; open an inquiry's outcome."""
        if not 0 <= event.cursor_row < len(self.alerts):
            return
        alert = self.alerts[event.cursor_row]
        if alert.kind == "handover_unacknowledged":
            self._take(int(alert.key.split(":")[1]))
        elif alert.kind == "inquiry_escalation":
            choose_outcome(self.app, int(alert.key.split(":")[1]))
        else:
            self.app.notify(f"{alert.kind_name}：{alert.why}", timeout=6, markup=False)

    def _take(self, inquiry_id: int) -> None:
        app = self.app
        self.call_service("take", lambda: acknowledge(app.engine, app.actor, inquiry_id))

    def take_done(self, view) -> None:
        self.app.notify(f"已接收首问 #{view.id}：{view.matter}，请联系当事人", timeout=6, markup=False)
        self.load()

    def action_dismiss_alert(self) -> None:
        table = self.query_one("#alerts", DataTable)
        if not table.has_focus:
            self.app.notify("请先在上方提醒列表中选中要消除的提醒（Tab 切换）", severity="warning", timeout=4)
            return
        if not self.alerts or table.cursor_row >= len(self.alerts):
            return
        alert = self.alerts[table.cursor_row]
        app = self.app

        def dismiss(reason: str) -> str:
            dismiss_alert(
                app.engine,
                app.actor,
                alert.key,
                reason=reason,
                rules_=app.settings.responsibility,
                case_rules=case_rules(app),
            )
            return "提醒已消除，原因已记录"

        app.push_screen(
            FormDialog(
                f"消除提醒：{alert.kind_name} {alert.subject}",
                [("reason", "原因（记录在案）", "例如 已当面协调")],
                dismiss,
            ),
            lambda _: self.load(),
        )

    def action_leave(self) -> None:
        self.app.pop_screen()
