"""收件受理: intake from a called ticket or directly."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from clerk_tui.domain.cases import AGENCY, MODE_NAMES, VISIT, WINDOW
from clerk_tui.services.cases import DECISIONS, FORMS, Agent, Applicant, IntakeRequest, MaterialEntry, intake
from clerk_tui.services.catalog import get_item
from clerk_tui.services.errors import ServiceError
from clerk_tui.ui.calls import ServiceCalls
from clerk_tui.ui.case_text import case_rules, decision_text
from clerk_tui.ui.dialogs.case import CaseActionDialog
from clerk_tui.ui.dialogs.ticket import FormDialog, PickDialog
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.screens.catalog_browser import CatalogBrowser
from clerk_tui.ui.widgets.footer import Footer
from clerk_tui.ui.widgets.status_bar import StatusBar


class IntakeScreen(ServiceCalls, Screen):
    """收件受理: the applicant, the materials checklist, and four decisions, one key each."""

    BINDINGS = both_cases(
        [
            Binding("f5", "decide('immediate')", "即办", id="intake.immediate", tooltip="当场办结（准予或不予）"),
            Binding("f6", "decide('accept')", "受理", id="intake.accept", tooltip="材料齐全，受理并承诺办结日期"),
            Binding("f7", "decide('supplement')", "补正", id="intake.supplement", tooltip="一次性告知全部缺少的材料"),
            Binding("f8", "decide('reject')", "不予受理", id="intake.reject", tooltip="说明理由和救济途径"),
            Binding("f3", "toggle_kind", "个人/单位", id="intake.kind", tooltip="申请人是个人还是单位"),
            # F9 is told in the hint line: the footer is full at 80 columns (注销 would fall off it)
            Binding(
                "f9",
                "cycle_mode",
                "服务方式",
                id="intake.mode",
                tooltip="窗口办理 → 全程代办 → 上门服务（延时服务自动认定）",
                show=False,
            ),
            Binding("f2", "pick_item", "事项", id="intake.item", tooltip="更换事项"),
            Binding("space", "toggle_material", "收到", id="intake.toggle", tooltip="材料：收到/缺少", show=False),
            Binding("f4", "edit_material", "份数备注", id="intake.edit", tooltip="材料的形式、份数、页数、备注"),
            Binding("escape", "leave", "返回", id="intake.leave", show=False),
        ]
    )

    def __init__(self, item_code: str | None = None, ticket: str | None = None, id_number: str = "") -> None:
        super().__init__()
        self.item_code, self.ticket, self.start_id = item_code, ticket, id_number
        self.item = None
        self.kind = "person"
        self.mode = WINDOW  # 窗口办理 | 全程代办 | 上门服务 (F9)
        self.lines: list = []  # MaterialEntry per catalog material, in order
        self.required: list[bool] = []

    def compose(self) -> ComposeResult:
        yield StatusBar("收件受理")
        with Vertical(id="intake"):
            yield Static("正在载入事项……", id="intake-item")
            with Horizontal(classes="intake-row"):
                yield Label("申请人", id="l-name")
                yield Input(placeholder="姓名", id="a-name", max_length=100)
                yield Label("身份证号", id="l-id")
                yield Input(value=self.start_id, placeholder="18位身份证号", id="a-id", max_length=30)
                yield Label("电话")
                yield Input(placeholder="手机或固话", id="a-phone", max_length=20)
            with Horizontal(classes="intake-row", id="org-row"):
                yield Label("法定代表人")
                yield Input(id="a-rep", max_length=40)
                yield Label("联系人")
                yield Input(id="a-contact", max_length=40)
            with Horizontal(classes="intake-row"):
                yield Label("代办人")
                yield Input(placeholder="无则留空", id="g-name", max_length=40)
                yield Label("代办人证件")
                yield Input(placeholder="代办人身份证号", id="g-id", max_length=30)
            with Horizontal(classes="intake-row", id="mode-row"):
                yield Label("", id="l-mode")
                yield Label("代办人员工号", id="l-agency")
                yield Input(placeholder="全程代办的工作人员", id="m-agency", max_length=20)
                yield Label("上门地址", id="l-address")
                yield Input(placeholder="申请人所在地址", id="m-address", max_length=200)
                yield Label("上门时间", id="l-at")
                yield Input(placeholder="2026-12-01 15:30", id="m-at", max_length=20)
            yield DataTable(id="materials", cursor_type="row", zebra_stripes=True)
            yield Static("", id="intake-hint")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#org-row").display = False
        self._show_mode()
        table = self.query_one("#materials", DataTable)
        for label, key in (
            ("收到", "got"),
            ("材料", "name"),
            ("必需", "req"),
            ("形式", "form"),
            ("份数", "copies"),
            ("页数", "pages"),
            ("备注", "note"),
        ):
            table.add_column(label, key=key)
        self.query_one("#intake-hint", Static).update(
            Text(
                "Tab 在各栏之间移动 · 材料表中按空格切换“收到/缺少”，F4 填份数页数备注"
                " · F9 服务方式（全程代办、上门服务） · Esc 返回",
                style="dim",
            )
        )
        if self.item_code:
            self.load_item(self.item_code)
        else:
            self.query_one("#intake-item", Static).update(Text("尚未选择事项：按 F2 选择事项", style="bold yellow"))
        self.query_one("#a-name", Input).focus()

    def load_item(self, code: str) -> None:
        self.call_service("item", lambda: get_item(self.app.engine, code), exclusive=True)

    def item_done(self, item) -> None:
        self.item = item
        self.lines = [MaterialEntry(m.name, False, m.form, m.copies, 0, "") for m in item.materials]
        self.required = [m.required for m in item.materials]
        head = Text(f"{item.name}", style="bold")
        head.append(f"（{item.code}）  {item.department}  {item.kind_name}")
        if item.kind == "promised":
            head.append(f"  法定{item.legal_limit_days}日 / 承诺{item.promised_limit_days}个工作日")
        if self.ticket:
            head.append(f"   号票 {self.ticket}", style="bold")
        self.query_one("#intake-item", Static).update(head)
        self._show_lines()

    def _show_lines(self, keep: int | None = None) -> None:
        table = self.query_one("#materials", DataTable)
        row = keep if keep is not None else table.cursor_row
        table.clear()
        for entry, required in zip(self.lines, self.required, strict=True):
            got = (
                Text("✓ 收到", style="green")
                if entry.received
                else Text("✗ 缺少", style="bold red" if required else "dim")
            )
            table.add_row(
                got,
                Text(entry.name),
                "必需" if required else "可选",
                FORMS.get(entry.form, entry.form),
                str(entry.copies) if entry.received else "",
                str(entry.pages or "") if entry.received else "",
                Text(entry.note),
            )
        if self.lines:
            table.move_cursor(row=min(row or 0, len(self.lines) - 1))

    # -------------------------------------------------------------- editing

    def action_toggle_material(self) -> None:
        table = self.query_one("#materials", DataTable)
        if not table.has_focus or not self.lines:
            return
        i = table.cursor_row
        self.lines[i] = replace(self.lines[i], received=not self.lines[i].received)
        self._show_lines(i)

    def action_edit_material(self) -> None:
        table = self.query_one("#materials", DataTable)
        if not self.lines:
            return
        i = table.cursor_row
        entry = self.lines[i]

        def save(form: str, copies: str, pages: str, note: str) -> str:
            names = {v: k for k, v in FORMS.items()}
            form_key = names.get(form, form) if form else entry.form
            if form_key not in FORMS:
                raise ServiceError("形式请填：原件、复印件 或 原件及复印件")
            try:
                n_copies = int(copies) if copies else entry.copies
                n_pages = int(pages) if pages else entry.pages
            except ValueError as exc:
                raise ServiceError("份数和页数请填数字") from exc
            if not (0 <= n_copies <= 99 and 0 <= n_pages <= 9999):
                raise ServiceError("份数应为 0–99，页数应为 0–9999")
            return replace(entry, received=True, form=form_key, copies=n_copies, pages=n_pages, note=note)

        def record(line) -> str:
            self.lines[i] = line
            self._show_lines(i)
            return "已记录，按 Enter 关闭"

        self.app.push_screen(
            FormDialog(
                f"材料：{entry.name}",
                [
                    ("form", "形式（原件、复印件、原件及复印件）", "留空不变"),
                    ("copies", "份数", str(entry.copies)),
                    ("pages", "页数", "例如 3"),
                    ("note", "备注（如 复印件不清晰）", "可留空"),
                ],
                save,
                after=record,
            )
        )

    def action_toggle_kind(self) -> None:
        self.kind = "organisation" if self.kind == "person" else "person"
        org = self.kind == "organisation"
        self.query_one("#org-row").display = org
        self.query_one("#l-name", Label).update("单位名称" if org else "申请人")
        self.query_one("#l-id", Label).update("信用代码" if org else "身份证号")
        self.query_one("#a-name", Input).placeholder = "单位全称" if org else "姓名"
        self.query_one("#a-id", Input).placeholder = "18位统一社会信用代码" if org else "18位身份证号"

    def action_cycle_mode(self) -> None:
        order = [WINDOW, AGENCY, VISIT]
        self.mode = order[(order.index(self.mode) + 1) % len(order)]
        self._show_mode()
        focus = {AGENCY: "#m-agency", VISIT: "#m-address"}.get(self.mode)
        if focus:
            self.query_one(focus, Input).focus()

    def _show_mode(self) -> None:
        """The mode's row: shown for 全程代办 and 上门服务, with only the fields that mode needs."""
        self.query_one("#mode-row").display = self.mode != WINDOW
        self.query_one("#l-mode", Label).update(Text(f"{MODE_NAMES[self.mode]}（F9 切换）", style="bold"))
        for key in ("l-agency", "m-agency"):
            self.query_one(f"#{key}").display = self.mode == AGENCY
        for key in ("l-address", "m-address", "l-at", "m-at"):
            self.query_one(f"#{key}").display = self.mode == VISIT

    def action_pick_item(self) -> None:
        def picked(code: str | None) -> None:
            if code:
                self.item_code = code
                self.load_item(code)

        self.app.push_screen(CatalogBrowser(picker=True), picked)

    def action_leave(self) -> None:
        """Esc: what the clerk typed is not thrown away without asking."""
        typed = any(field.value.strip() for field in self.query(Input))
        if not typed or getattr(self, "decided", None) is not None:
            self.app.pop_screen()
            return

        def chosen(key: str | None) -> None:
            if key == "leave":
                self.app.pop_screen()

        self.app.push_screen(
            PickDialog(
                "已填写的收件内容尚未保存（未作出受理决定），要放弃吗？",
                [("stay", "继续填写"), ("leave", "放弃已填内容并返回")],
            ),
            chosen,
        )

    # -------------------------------------------------------------- deciding

    def _request(self, decision: str, **extra):
        value = lambda key: self.query_one(f"#{key}", Input).value.strip()  # noqa: E731  (a one-line accessor, used right below)
        applicant = Applicant(
            self.kind, value("a-name"), value("a-id"), value("a-phone"), value("a-rep"), value("a-contact")
        )
        agent = Agent(value("g-name"), value("g-id")) if value("g-name") or value("g-id") else None
        return IntakeRequest(
            item_code=self.item.code,
            applicant=applicant,
            decision=decision,
            materials=list(self.lines),
            agent=agent,
            ticket=None if self.mode == VISIT else self.ticket,  # a home visit takes no ticket
            mode=self.mode,
            agency_staff=value("m-agency") if self.mode == AGENCY else "",
            visit_address=value("m-address") if self.mode == VISIT else "",
            visit_at=value("m-at") if self.mode == VISIT else "",
            **extra,
        )

    def action_decide(self, decision: str) -> None:
        if self.item is None:
            self.app.notify("请先按 F2 选择事项", severity="warning")
            return
        app = self.app
        missing = [e.name for e, req in zip(self.lines, self.required, strict=True) if req and not e.received]
        if decision in ("immediate", "accept") and missing:
            app.notify(
                f"必需材料缺少：{'、'.join(missing)}。材料不齐不能{DECISIONS[decision]}，请按 F7 一次性告知（补正）",
                severity="warning",
                timeout=6,
                markup=False,
            )
            return
        if decision == "supplement" and not missing:
            app.notify(
                "必需材料已经齐全，无需补正：请按 F6 受理或 F5 即办", severity="warning", timeout=5, markup=False
            )
            return
        body = Text()
        name = self.query_one("#a-name", Input).value.strip()
        body.append(f"{self.item.name}\n申请人：{name or '（未填写）'}\n")
        body.append(f"收到材料 {sum(e.received for e in self.lines)} 项，缺少必需材料 {len(missing)} 项")
        if missing:
            body.append("：" + "、".join(missing), style="bold red")
        fields: list[tuple[str, str, str]] = []
        choices = None
        if decision == "immediate":
            choices = [("approved", "准予许可"), ("denied", "不予许可（需填写理由）")]
            fields = [("reason", "不予许可的理由", "准予时可留空")]
        elif decision == "reject":
            fields = [
                ("reason", "不予受理的理由（必填）", "例如 不属于本机关职权范围"),
                ("competent_department", "有权机关（不属于本机关时填写）", "例如 市市场监督管理局"),
                ("competent_phone", "有权机关电话", "例如 0571-12345678"),
            ]
        elif decision == "supplement":
            body.append("\n将一次性告知上述全部缺少的材料。")

        def act(values: dict, override) -> Text:
            extra = {}
            if decision == "immediate":
                selected = values.get("selected") or []
                if len(selected) != 1:
                    raise ServiceError("请用空格选中“准予许可”或“不予许可”中的一项")
                extra = {"result": selected[0], "reason": values.get("reason", "")}
            elif decision == "reject":
                extra = {k: values.get(k, "") for k in ("reason", "competent_department", "competent_phone")}
            request = self._request(decision, **extra)
            if override is not None:
                request.id_override = override
            return intake(app.engine, app.actor, request, case_rules(app))

        def decided(view) -> Text:
            self._decided(view)
            return decision_text(view, bool(app.settings.printing.receipt))

        app.push_screen(
            CaseActionDialog(
                f"{DECISIONS[decision]}：请确认",
                body,
                fields,
                act,
                choices=choices,
                choices_label="结果（空格选中）",
                single=True,
                outside=self._applicant_fields,
                after=decided,
            ),
            self._after_decision,
        )

    def _applicant_fields(self) -> list[tuple[str, Input]]:
        """The applicant's fields by what a refusal calls them (for putting the cursor there)."""
        org = self.kind == "organisation"
        named = [
            ("a-name", "单位名称" if org else "申请人姓名"),
            ("a-id", "信用代码" if org else "身份证号"),
            ("a-phone", "电话"),
            ("a-rep", "法定代表人"),
            ("a-contact", "联系人"),
            ("g-name", "代办人姓名"),
            ("g-id", "代办人证件"),
            ("m-agency", "代办人员的工号"),
            ("m-address", "上门服务地址"),
            ("m-at", "上门服务时间"),
        ]
        return [
            (label, self.query_one(f"#{key}", Input))
            for key, label in named
            if self.query_one(f"#{key}", Input).display and (key not in ("a-rep", "a-contact") or org)
        ]

    def _decided(self, view) -> None:
        self.decided = view
        paper = {
            "accepted": "receipt",
            "completed": "receipt",
            "supplement_pending": "supplement-notice",
            "rejected": "rejection-notice",
        }.get(view.status)
        if paper:
            self.app.print_paper(paper, view.number)

    def _after_decision(self, result) -> None:
        if getattr(self, "decided", None) is not None:
            self.app.pop_screen()
            self.app.notify(f"办件 {self.decided.number} {self.decided.status_name}", timeout=4, markup=False)

    def palette_commands(self):
        for binding in self.BINDINGS:
            if binding.show or binding.id == "intake.mode":
                yield SystemCommand(binding.description, binding.tooltip, lambda b=binding: self.run_action(b.action))
