"""办件: one case with its lifecycle keys."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from clerk_tui.domain.cases import SUPPLEMENT_PENDING, TRANSITIONS
from clerk_tui.domain.roles import allowed
from clerk_tui.services import cases
from clerk_tui.services.cases import DELIVERY_NAMES, FORMS, RESULT_NAMES, get_case
from clerk_tui.services.errors import ServiceError
from clerk_tui.ui.calls import CallFailed
from clerk_tui.ui.case_text import WARNING_STYLES, case_rules, remaining_text, whole_number
from clerk_tui.ui.dialogs.case import CaseActionDialog
from clerk_tui.ui.dialogs.ticket import PickDialog
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.polling import FollowsHall
from clerk_tui.ui.widgets.footer import Footer
from clerk_tui.ui.widgets.guide_view import Wrapped
from clerk_tui.ui.widgets.status_bar import StatusBar


class CaseScreen(FollowsHall, Screen):
    """One case: everything about it, and the lifecycle keys (each guarded by its service)."""

    BINDINGS = both_cases(
        [
            Binding("b,B", "supplement", "补交材料", id="case.supplement"),
            Binding("s,S", "start", "开始", id="case.start"),
            Binding("p,P", "suspend", "挂起", id="case.suspend"),
            Binding("r,R", "resume", "恢复", id="case.resume"),
            Binding("e,E", "extend", "延期", id="case.extend"),
            Binding("c,C", "complete", "办结", id="case.complete"),
            Binding("o,O", "send_back", "送后场", id="case.send_back", tooltip="前店后场：送部门后场审批"),
            Binding("f,F", "returned", "后场返回", id="case.returned", tooltip="登记后场审批的结果"),
            Binding("d,D", "deliver", "送达", id="case.deliver"),
            Binding("w,W", "withdraw", "撤回", id="case.withdraw"),
            Binding("h,H", "handover", "移交", id="case.handover"),
            Binding("a,A", "acknowledge", "接收", id="case.acknowledge"),
            Binding("t,T", "print", "打印", id="case.print", tooltip="打印或补打本办件的文书"),
            Binding("escape", "leave", "返回", id="case.leave"),
        ]
    )

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number
        self.view = None
        self.opened = False  # the first load records the opening (an audit event)

    def compose(self) -> ComposeResult:
        yield StatusBar(f"办件 {self.number}")
        with VerticalScroll(id="case-detail"):
            yield Static("正在载入……", id="case-body")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.load()
        self.follow()  # a handover taken, a step done at another terminal

    def load(self) -> None:
        app = self.app
        audit, self.opened = not self.opened, True  # the opening is recorded, not each reload
        self.call_service(
            "case", lambda: get_case(app.engine, app.actor, self.number, case_rules(app), audit=audit), exclusive=True
        )

    def case_done(self, view) -> None:
        self.show(view)

    def case_failed(self, failure: CallFailed) -> None:
        self.query_one("#case-body", Static).update(Text(failure.text))  # in place of the case it could not show

    def check_action(self, action: str, parameters) -> bool | None:
        """Only the steps the case's status allows are offered (the services check again)."""
        if action == "leave":
            return True
        if self.view is None:
            return False
        actor = self.app.actor
        if action == "print":
            return bool(self._papers())
        if action == "acknowledge":  # only the receiver takes a handover
            return (
                bool(self.view.handover_to)
                and actor is not None
                and self.view.handover_to.endswith(f"（{actor.number}）")
            )
        if actor is None or not allowed(actor.role, "case.handle"):
            return False  # an administrator looks, a window clerk or supervisor works the case
        if action == "supplement":
            return self.view.status == SUPPLEMENT_PENDING
        if action == "send_back" and not self.view.back_office:
            return False  # only a department marked as deciding in its back office sends cases there
        if action in TRANSITIONS:
            return self.view.status in TRANSITIONS[action][0]
        return True

    def show(self, v) -> None:
        self.view = v
        self.refresh_bindings()
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")  # a long name wraps and is shown whole, never cut with …
        status = Text(v.status_name, style="bold")
        if v.warning != "none":
            status.append(f"  {v.warning_name}", style=WARNING_STYLES[v.warning])
        rows = [
            ("状态", status),
            ("事项", Text(f"{v.item_name}（{v.item_code}） {v.department}")),
            ("申请人", Text(f"{v.applicant_name}  {v.applicant_id_masked}  {v.applicant_phone}")),
        ]
        if v.agent_name:
            rows.append(("代办人", Text(v.agent_name)))
        if v.mode_names:
            rows.append(("服务方式", Text("、".join(v.mode_names))))
        if v.agency_staff:
            rows.append(("全程代办", Text(v.agency_staff)))
        if v.visit_at:
            rows.append(("上门服务", Text(f"{v.visit_at:%Y-%m-%d %H:%M}  {v.visit_address}")))
        if v.id_override:
            rows.append(("证件授权", Text(v.id_override, style="yellow")))
        rows.append(
            (
                "收件 / 受理",
                Text(f"{v.received_on} / {v.accepted_on or '—'}" + (f"   号票 {v.ticket}" if v.ticket else "")),
            )
        )
        if v.due_date:
            due = Text(
                f"{v.due_date}（承诺{v.promised_days}个工作日"
                + (f"，延期{v.extension_days}日" if v.extension_days else "")
                + "）"
            )
            if v.provisional:
                due.append("  暂定：所涉年度放假安排尚未公布", style="yellow")
            rows.append(("承诺办结", due))
        if v.remaining_workdays is not None:
            rows.append(
                (
                    "剩余工作日",
                    Text(remaining_text(v.remaining_workdays, long=True), style=WARNING_STYLES.get(v.warning, "")),
                )
            )
        if v.suspended_reason:
            rows.append(("挂起原因", Text(v.suspended_reason)))
        if v.back_office_text:
            style = "bold magenta" if v.back_office_since else ""
            rows.append(("后场审批", Text(v.back_office_text, style=style)))
        if v.result:
            rows.append(("办理结果", Text(RESULT_NAMES[v.result])))
        if v.reason:
            rows.append(("理由", Text(v.reason)))
        if v.competent_department:
            rows.append(("有权机关", Text(f"{v.competent_department} {v.competent_phone}")))
        if v.delivery_method:
            rows.append(("送达方式", Text(DELIVERY_NAMES.get(v.delivery_method, v.delivery_method))))
        rows.append(("首办人", Text(f"{v.owner_name}（{v.owner_number}）")))
        if v.handover_to:
            rows.append(("待接收", Text(f"{v.handover_to}  原因：{v.handover_reason}", style="magenta")))
        for key, value in rows:
            grid.add_row(key, value)
        mats = Table(box=None, header_style="bold", pad_edge=False)
        for label in ("材料", "必需", "收到", "形式/份数/页数", "备注"):
            mats.add_column(label)
        for m in v.materials:
            mats.add_row(
                Text(m.name),
                "必需" if m.required else "可选",
                Text("✓", style="green") if m.received else Text("✗ 缺少", style="red"),
                f"{FORMS.get(m.form, m.form)} {m.copies}份" + (f" {m.pages}页" if m.pages else "")
                if m.received
                else "",
                Text(m.note),
            )

        # Each step wrapped by the Chinese rules, hanging under its text: a date or a case number is
        # never split across lines, as Rich's own wrapping would.
        history = [Wrapped(Text(f"{at:%m-%d %H:%M}  {what}  {by}"), 13) for at, what, by in v.history]
        self.query_one("#case-body", Static).update(
            Group(grid, Text(""), mats, Text("\n办理经过", style="bold"), *history)
        )

    # -------------------------------------------------------------- the lifecycle keys

    def _step(
        self,
        title: str,
        fields,
        call,
        *,
        body: str = "",
        choices=None,
        choices_label: str = "",
        single: bool = False,
        paper=None,
    ) -> None:
        """A lifecycle step in its dialog: ``call(app, number, values, override)`` runs in the
        dialog's worker; ``paper(view)`` names the paper to print after it, if any."""
        if self.view is None:
            return
        app, number = self.app, self.view.number

        def act(values: dict, override):
            return call(app, number, values, override)

        def said_after(view) -> Text:
            document = paper(view) if paper is not None else None
            if document:
                app.print_paper(document, view.number)
            if view.handover_to:
                said = f"已移交{view.handover_to}，待对方接收（接收前首办人仍为{view.owner_name}）"
            else:
                said = f"{view.status_name}" + (
                    f"，承诺办结日期 {view.due_date}"
                    if view.due_date and view.status in ("accepted", "in_progress")
                    else ""
                )
            still = [m.name for m in view.missing if m.required] if view.status == "supplement_pending" else []
            if still:
                said += "\n仍缺：" + "、".join(still)
            return Text(f"{title}完成：办件 {view.number} {said}\n按 Enter 或 Esc 关闭")

        app.push_screen(
            CaseActionDialog(
                title,
                Text(body or f"办件 {number}  {self.view.item_name}"),
                fields,
                act,
                choices=choices,
                choices_label=choices_label,
                single=single,
                after=said_after,
            ),
            lambda _: self.load(),
        )

    def action_supplement(self) -> None:
        if self.view is None:
            return
        missing = [
            (m.name, f"{m.name}{'' if m.required else '（可选）'}") for m in self.view.materials if not m.received
        ]

        def call(app, n, v, o):
            if not v.get("selected"):
                raise ServiceError("请用空格勾选申请人本次带来的材料")
            return cases.supplement(
                app.engine, app.actor, n, v.get("selected") or [], override=o, case_rules=case_rules(app)
            )

        self._step(
            "补交材料",
            [],
            call,
            body="勾选申请人本次带来的材料；必需材料齐全即当日受理，期限从今天起算。",
            choices=missing,
            choices_label="本次收到（空格勾选）",
            paper=lambda view: "receipt" if view.status == "accepted" else "supplement-notice",
        )

    def action_start(self) -> None:
        self._step("开始办理", [], lambda app, n, v, o: cases.start(app.engine, app.actor, n, case_rules(app)))

    def action_suspend(self) -> None:
        def call(app, n, v, o):
            return cases.suspend(
                app.engine,
                app.actor,
                n,
                reason=v["reason"],
                days=whole_number(v["days"], "预计天数"),
                case_rules=case_rules(app),
            )

        self._step(
            "挂起（第四十五条，期间不计入办理时限）",
            [("reason", "挂起原因", "例如 现场核查、检验检测、专家评审"), ("days", "预计需要的工作日", "例如 5")],
            call,
        )

    def action_resume(self) -> None:
        self._step("恢复办理", [], lambda app, n, v, o: cases.resume(app.engine, app.actor, n, case_rules(app)))

    def action_extend(self) -> None:
        def call(app, n, v, o):
            return cases.extend(
                app.engine,
                app.actor,
                n,
                days=whole_number(v["days"], "延期天数"),
                reason=v["reason"],
                override=o,
                case_rules=case_rules(app),
            )

        self._step(
            "延期（第四十二条，需带班领导批准）",
            [("days", "延长的工作日", "最多10日"), ("reason", "延期理由（告知申请人）", "例如 需专家论证")],
            call,
        )

    def action_complete(self) -> None:
        self._decide("办结", cases.complete)

    def action_returned(self) -> None:
        self._decide("后场审批返回：登记审批结果", cases.returned)

    def action_send_back(self) -> None:
        self._step(
            "送后场审批（前店后场）",
            [("note", "送审说明", "例如 送审批科，可留空")],
            lambda app, n, v, o: cases.send_back(
                app.engine, app.actor, n, note=v.get("note", ""), case_rules=case_rules(app)
            ),
            body=f"办件 {self.view.number if self.view else ''} 送{self.view.department if self.view else ''}后场审批："
            "首办人和承诺办结日期不变，返回后按 F 登记结果。",
        )

    def _decide(self, title: str, service) -> None:
        """办结 at the window, or the back office's decision on its return: one of two results."""

        def call(app, n, v, o):
            selected = v.get("selected") or []
            if len(selected) != 1:
                raise ServiceError("请用空格选中“准予许可”或“不予许可”中的一项")
            return service(app.engine, app.actor, n, result=selected[0], reason=v["reason"], case_rules=case_rules(app))

        self._step(
            title,
            [("reason", "不予许可的理由", "准予时可留空")],
            call,
            choices=[("approved", "准予许可"), ("denied", "不予许可")],
            choices_label="结果（空格选中）",
            single=True,
            paper=lambda view: "completion-notice",
        )

    def action_deliver(self) -> None:
        def call(app, n, v, o):
            selected = v.get("selected") or []
            if len(selected) != 1:
                raise ServiceError("请用空格选中一种送达方式")
            return cases.deliver(
                app.engine, app.actor, n, method=selected[0], tracking=v.get("tracking", ""), case_rules=case_rules(app)
            )

        self._step(
            "送达",
            [("tracking", "邮寄单号（邮寄送达时填写）", "例如 EMS 1234567890123")],
            call,
            choices=[("collect", "窗口领取"), ("mail", "邮寄送达")],
            choices_label="送达方式（空格选中）",
            single=True,
        )

    def action_withdraw(self) -> None:
        self._step(
            "申请人撤回",
            [("reason", "撤回原因", "例如 申请人决定暂不办理")],
            lambda app, n, v, o: cases.withdraw(
                app.engine, app.actor, n, reason=v["reason"], case_rules=case_rules(app)
            ),
        )

    def action_handover(self) -> None:
        self._step(
            "移交办件（对方确认接收后生效）",
            [("to", "接收人工号", "例如 1003"), ("reason", "移交原因", "例如 调岗")],
            lambda app, n, v, o: cases.handover(
                app.engine, app.actor, n, to=v["to"], reason=v["reason"], case_rules=case_rules(app)
            ),
        )

    def action_acknowledge(self) -> None:
        self._step("接收移交", [], lambda app, n, v, o: cases.acknowledge(app.engine, app.actor, n, case_rules(app)))

    def _papers(self) -> list[tuple[str, str]]:
        v = self.view
        if v is None:
            return []
        papers = []
        if v.accepted_on is not None:
            papers.append(("receipt", "受理通知书"))
        if v.supplement_notices:  # after the supplement, a reprint lists what the notice listed
            papers.append(("supplement-notice", "一次性告知书（补正）"))
        if v.status == "rejected":
            papers.append(("rejection-notice", "不予受理通知书"))
        if v.status in ("completed", "delivered"):
            papers.append(("completion-notice", "办结（领取）通知书"))
        return papers

    def action_print(self) -> None:
        if self.view is None:
            return
        number = self.view.number

        def chosen(document: str | None) -> None:
            if document:
                self.app.print_paper(document, number, asked=True)

        self.app.push_screen(PickDialog(f"打印 {number}（已打过的将标明补打）", self._papers()), chosen)

    def action_leave(self) -> None:
        self.app.pop_screen()
