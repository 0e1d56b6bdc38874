"""办件 screens: intake (收件受理) from a called ticket or directly, the case list with its filters
and lookup, and one case with its lifecycle keys."""

from __future__ import annotations

from dataclasses import replace

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.messages import error_text
from clerk_tui.ui.polling import FollowsHall
from clerk_tui.ui.widgets.columns import Column, cell, set_columns
from clerk_tui.ui.widgets.status_bar import StatusBar

WARNING_STYLES = {"yellow": "bold yellow", "red": "bold red"}


def case_rules(app):
    from clerk_tui.services.cases import CaseRules

    settings = app.settings
    return CaseRules(count_from_same_day=settings.count_from_same_day, yellow_days=settings.yellow_days)


def decision_text(view, printer: bool = True) -> Text:
    """What the clerk tells the applicant after a decision (the paper says the same)."""
    text = Text()
    text.append(f"办件编号 {view.number}\n", style="bold")
    text.append(f"{view.status_name}：{view.item_name}\n")
    text.append(f"申请人：{view.applicant_name}\n")
    if view.due_date:
        text.append(f"承诺办结日期：{view.due_date}", style="bold")
        text.append("（暂定：所涉年度放假安排尚未公布）\n" if view.provisional else "\n")
    if view.status == "supplement_pending":
        missing = [m.name for m in view.missing if m.required]
        text.append("请一次性补齐以下材料：\n", style="bold yellow")
        for i, name in enumerate(missing, 1):
            text.append(f"  {i}. {name}\n")
    if view.result:
        text.append({"approved": "结果：准予许可\n", "denied": "结果：不予许可\n"}[view.result])
    if view.reason:
        text.append(f"理由：{view.reason}\n")
    if view.competent_department:
        text.append(f"有权机关：{view.competent_department} {view.competent_phone}\n")
    if printer:
        text.append("文书已发送打印（未打出的可按 Ctrl+R 重试，办件页按 T 补打）\n", style="dim")
    else:
        text.append("本终端未配置打印机，文书未打印：配置打印机后在办件页按 T 打印\n", style="bold yellow")
    text.append("按 Enter 或 Esc 关闭", style="dim")
    return text


class IntakeScreen(Screen):
    """收件受理: the applicant, the materials checklist, and four decisions, one key each."""

    BINDINGS = both_cases([
        Binding("f5", "decide('immediate')", "即办", id="intake.immediate", tooltip="当场办结（准予或不予）"),
        Binding("f6", "decide('accept')", "受理", id="intake.accept", tooltip="材料齐全，受理并承诺办结日期"),
        Binding("f7", "decide('supplement')", "补正", id="intake.supplement", tooltip="一次性告知全部缺少的材料"),
        Binding("f8", "decide('reject')", "不予受理", id="intake.reject", tooltip="说明理由和救济途径"),
        Binding("f3", "toggle_kind", "个人/单位", id="intake.kind", tooltip="申请人是个人还是单位"),
        Binding("f2", "pick_item", "事项", id="intake.item", tooltip="更换事项"),
        Binding("space", "toggle_material", "收到", id="intake.toggle", tooltip="材料：收到/缺少", show=False),
        Binding("f4", "edit_material", "份数备注", id="intake.edit", tooltip="材料的形式、份数、页数、备注"),
        Binding("escape", "leave", "返回", id="intake.leave", show=False),
    ])

    def __init__(self, item_code: str | None = None, ticket: str | None = None, id_number: str = "") -> None:
        super().__init__()
        self.item_code, self.ticket, self.start_id = item_code, ticket, id_number
        self.item = None
        self.kind = "person"
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
            yield DataTable(id="materials", cursor_type="row", zebra_stripes=True)
            yield Static("", id="intake-hint")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#org-row").display = False
        table = self.query_one("#materials", DataTable)
        for label, key in (("收到", "got"), ("材料", "name"), ("必需", "req"), ("形式", "form"), ("份数", "copies"),
                           ("页数", "pages"), ("备注", "note")):
            table.add_column(label, key=key)
        self.query_one("#intake-hint", Static).update(Text(
            "Tab 在各栏之间移动 · 材料表中按空格切换“收到/缺少”，F4 填份数页数备注 · Esc 返回", style="dim"))
        if self.item_code:
            self.load_item(self.item_code)
        else:
            self.query_one("#intake-item", Static).update(Text("尚未选择事项：按 F2 选择事项", style="bold yellow"))
        self.query_one("#a-name", Input).focus()

    @work(thread=True, exit_on_error=False, exclusive=True, group="item")
    def load_item(self, code: str) -> None:
        from clerk_tui.services.catalog import get_item

        try:
            item = get_item(self.app.engine, code)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.app.notify, error_text(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._item_loaded, item)

    def _item_loaded(self, item) -> None:
        from clerk_tui.services.cases import MaterialEntry

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
        from clerk_tui.services.cases import FORMS

        table = self.query_one("#materials", DataTable)
        row = keep if keep is not None else table.cursor_row
        table.clear()
        for entry, required in zip(self.lines, self.required):
            got = Text("✓ 收到", style="green") if entry.received else Text("✗ 缺少", style="bold red" if required else "dim")
            table.add_row(got, Text(entry.name), "必需" if required else "可选", FORMS.get(entry.form, entry.form),
                          str(entry.copies) if entry.received else "", str(entry.pages or "") if entry.received else "",
                          Text(entry.note))
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
        from clerk_tui.ui.dialogs.ticket import FormDialog

        table = self.query_one("#materials", DataTable)
        if not self.lines:
            return
        i = table.cursor_row
        entry = self.lines[i]

        def save(form: str, copies: str, pages: str, note: str) -> str:
            from clerk_tui.services.cases import FORMS
            from clerk_tui.services.errors import ServiceError

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
            self.lines[i] = replace(entry, received=True, form=form_key, copies=n_copies, pages=n_pages, note=note)
            self.app.call_from_thread(self._show_lines, i)
            return "已记录，按 Enter 关闭"

        self.app.push_screen(FormDialog(f"材料：{entry.name}", [
            ("form", "形式（原件、复印件、原件及复印件）", "留空不变"),
            ("copies", "份数", str(entry.copies)),
            ("pages", "页数", "例如 3"),
            ("note", "备注（如 复印件不清晰）", "可留空"),
        ], save))

    def action_toggle_kind(self) -> None:
        self.kind = "organisation" if self.kind == "person" else "person"
        org = self.kind == "organisation"
        self.query_one("#org-row").display = org
        self.query_one("#l-name", Label).update("单位名称" if org else "申请人")
        self.query_one("#l-id", Label).update("信用代码" if org else "身份证号")
        self.query_one("#a-name", Input).placeholder = "单位全称" if org else "姓名"
        self.query_one("#a-id", Input).placeholder = "18位统一社会信用代码" if org else "18位身份证号"

    def action_pick_item(self) -> None:
        from clerk_tui.ui.screens.catalog_browser import CatalogBrowser

        def picked(code: str | None) -> None:
            if code:
                self.item_code = code
                self.load_item(code)

        self.app.push_screen(CatalogBrowser(picker=True), picked)

    def action_leave(self) -> None:
        """Esc: what the clerk typed is not thrown away without asking."""
        from clerk_tui.ui.dialogs.ticket import PickDialog

        typed = any(field.value.strip() for field in self.query(Input))
        if not typed or getattr(self, "decided", None) is not None:
            self.app.pop_screen()
            return

        def chosen(key: str | None) -> None:
            if key == "leave":
                self.app.pop_screen()

        self.app.push_screen(PickDialog("已填写的收件内容尚未保存（未作出受理决定），要放弃吗？",
                                        [("stay", "继续填写"), ("leave", "放弃已填内容并返回")]), chosen)

    # -------------------------------------------------------------- deciding

    def _request(self, decision: str, **extra):
        from clerk_tui.services.cases import Agent, Applicant, IntakeRequest

        value = lambda key: self.query_one(f"#{key}", Input).value.strip()  # noqa: E731
        applicant = Applicant(self.kind, value("a-name"), value("a-id"), value("a-phone"), value("a-rep"),
                              value("a-contact"))
        agent = Agent(value("g-name"), value("g-id")) if value("g-name") or value("g-id") else None
        return IntakeRequest(item_code=self.item.code, applicant=applicant, decision=decision,
                             materials=list(self.lines), agent=agent, ticket=self.ticket, **extra)

    def action_decide(self, decision: str) -> None:
        from clerk_tui.services.cases import DECISIONS, intake
        from clerk_tui.ui.dialogs.case import CaseActionDialog

        if self.item is None:
            self.app.notify("请先按 F2 选择事项", severity="warning")
            return
        app = self.app
        missing = [e.name for e, req in zip(self.lines, self.required) if req and not e.received]
        if decision in ("immediate", "accept") and missing:
            app.notify(f"必需材料缺少：{'、'.join(missing)}。材料不齐不能{DECISIONS[decision]}，请按 F7 一次性告知（补正）",
                       severity="warning", timeout=6, markup=False)
            return
        if decision == "supplement" and not missing:
            app.notify("必需材料已经齐全，无需补正：请按 F6 受理或 F5 即办", severity="warning", timeout=5, markup=False)
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
            fields = [("reason", "不予受理的理由（必填）", "例如 不属于本机关职权范围"),
                      ("competent_department", "有权机关（不属于本机关时填写）", "例如 市市场监督管理局"),
                      ("competent_phone", "有权机关电话", "例如 0571-12345678")]
        elif decision == "supplement":
            body.append("\n将一次性告知上述全部缺少的材料。")

        def act(values: dict, override) -> Text:
            extra = {}
            if decision == "immediate":
                selected = values.get("selected") or []
                if len(selected) != 1:
                    from clerk_tui.services.errors import ServiceError

                    raise ServiceError("请用空格选中“准予许可”或“不予许可”中的一项")
                extra = {"result": selected[0], "reason": values.get("reason", "")}
            elif decision == "reject":
                extra = {k: values.get(k, "") for k in ("reason", "competent_department", "competent_phone")}
            request = self._request(decision, **extra)
            if override is not None:
                request.id_override = override
            view = intake(app.engine, app.actor, request, case_rules(app))
            app.call_from_thread(self._decided, view)
            return decision_text(view, bool(app.settings.printing.receipt))

        app.push_screen(CaseActionDialog(f"{DECISIONS[decision]}：请确认", body, fields, act, choices=choices,
                                         choices_label="结果（空格选中）", single=True, outside=self._applicant_fields),
                        self._after_decision)

    def _applicant_fields(self) -> list[tuple[str, Input]]:
        """The applicant's fields by what a refusal calls them (for putting the cursor there)."""
        org = self.kind == "organisation"
        named = [("a-name", "单位名称" if org else "申请人姓名"), ("a-id", "信用代码" if org else "身份证号"),
                 ("a-phone", "电话"), ("a-rep", "法定代表人"), ("a-contact", "联系人"), ("g-name", "代办人姓名"),
                 ("g-id", "代办人证件")]
        return [(label, self.query_one(f"#{key}", Input)) for key, label in named if self.query_one(f"#{key}", Input).display
                and (key not in ("a-rep", "a-contact") or org)]

    def _decided(self, view) -> None:
        self.decided = view
        paper = {"accepted": "receipt", "completed": "receipt", "supplement_pending": "supplement-notice",
                 "rejected": "rejection-notice"}.get(view.status)
        if paper:
            self.app.print_paper(paper, view.number)

    def _after_decision(self, result) -> None:
        if getattr(self, "decided", None) is not None:
            self.app.pop_screen()
            self.app.notify(f"办件 {self.decided.number} {self.decided.status_name}", timeout=4, markup=False)

    def palette_commands(self):
        for binding in self.BINDINGS:
            if binding.show:
                yield SystemCommand(binding.description, binding.tooltip, lambda b=binding: self.run_action(b.action))


FILTER_KEYS = [("1", "all"), ("2", "mine"), ("3", "department"), ("4", "yellow"), ("5", "red"), ("6", "suspended"),
               ("7", "supplement"), ("8", "handover")]
SHORT = {"all": "全部", "mine": "我的", "department": "本部门", "yellow": "黄色", "red": "红色", "suspended": "挂起",
         "supplement": "待补正", "handover": "待接收"}


class CaseListScreen(Screen):
    """办件列表: one search box (case number, ID number, phone, name) and filters by number key."""

    BINDINGS = both_cases([
        *[Binding(key, f"filter('{name}')", show=False, id=f"cases.filter_{name}") for key, name in FILTER_KEYS],
        Binding("escape", "leave", "返回", id="cases.leave"),
        Binding("slash,ctrl+f", "focus_search", "查找", id="cases.find"),
        Binding("down", "to_list", show=False),  # from the search box (the list takes ↓ itself once focused)
    ])

    def __init__(self, filter: str = "all") -> None:
        super().__init__()
        self.filter = filter
        self.views: list = []

    def compose(self) -> ComposeResult:
        yield StatusBar("办件查询")
        with Vertical(id="case-list"):
            yield Input(placeholder="办件编号、身份证号/信用代码、电话或姓名，Enter 查找", id="case-search")
            yield Static("", id="case-filters")
            yield DataTable(id="cases", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True, show_command_palette=False)

    COLUMNS = [Column("办件编号", 8), Column("状态", 8), Column("事项", 10, 3), Column("申请人", 6, 2),
               Column("承诺", 9), Column("剩余", 6), Column("首办人", 6, 1)]

    def on_mount(self) -> None:
        self.widths = set_columns(self.query_one("#cases", DataTable), self._columns())
        self._show_filters()
        self.load()
        self.query_one("#case-search", Input).focus()

    def on_screen_resume(self) -> None:
        self.load()

    def _show_filters(self) -> None:
        text = Text()
        for key, name in FILTER_KEYS:
            style = "bold reverse" if name == self.filter else ""
            text.append(f"{key}{SHORT[name]}", style=style)
            text.append(" ")
        text.append(" ↓ 到列表后按数字键筛选，Enter 打开", style="dim")
        self.query_one("#case-filters", Static).update(text)

    @work(thread=True, exit_on_error=False, exclusive=True, group="cases")
    def load(self) -> None:
        from clerk_tui.services.cases import list_cases

        query = self.query_one("#case-search", Input).value
        try:
            views = list_cases(self.app.engine, self.app.actor, filter=self.filter, query=query, limit=300,
                               case_rules=case_rules(self.app))
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.app.notify, error_text(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._show, views)

    def _columns(self) -> list[Column]:
        def widest(values) -> int | None:
            return max((cell_len(x) for x in values), default=None)

        wants = {"办件编号": widest(v.number for v in self.views), "事项": widest(v.item_name for v in self.views),
                 "申请人": widest(v.applicant_name for v in self.views), "首办人": widest(v.owner_name for v in self.views)}
        return [replace(c, width=wants[c.label] or c.width) if c.label == "办件编号"
                else replace(c, want=wants.get(c.label)) for c in self.COLUMNS]

    def on_resize(self) -> None:
        """The item and applicant columns share the width the screen has (wider: longer names)."""
        self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        table = self.query_one("#cases", DataTable)
        row = table.cursor_row
        if not self.views:
            self.widths = set_columns(table, self._columns(), self.size.width - 2)
            return
        self._show(self.views)
        if self.views:
            table.move_cursor(row=min(row, len(self.views) - 1))

    def _show(self, views) -> None:
        self.views = views
        table = self.query_one("#cases", DataTable)
        self.widths = set_columns(table, self._columns(), self.size.width - 2)
        _, _, item_w, applicant_w, _, _, owner_w = self.widths
        for v in views:
            due = Text(f"{v.due_date:%m-%d}" if v.due_date else "")
            if v.provisional and v.due_date:
                due.append("暂定", style="dim")
            left = Text(remaining_text(v.remaining_workdays), style=WARNING_STYLES.get(v.warning, ""))
            table.add_row(v.number, Text(v.status_name, style=WARNING_STYLES.get(v.warning, "")),
                          cell(v.item_name, item_w), cell(v.applicant_name, applicant_w), due, left,
                          cell(v.owner_name, owner_w))
        if not views and self.is_current:
            self.app.notify("没有符合条件的办件", timeout=2)

    def action_filter(self, name: str) -> None:
        if self.query_one("#case-search", Input).has_focus:
            return
        self.filter = name
        self._show_filters()
        self.load()

    @on(Input.Submitted, "#case-search")
    def _search(self) -> None:
        if self.query_one("#case-search", Input).value.strip():
            self.filter = "all"  # a lookup searches every case, not just the filtered ones
            self._show_filters()
        self.load()
        self.query_one("#cases", DataTable).focus()

    @on(DataTable.RowSelected, "#cases")
    def _open(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.views):
            self.app.push_screen(CaseScreen(self.views[event.cursor_row].number))

    def action_focus_search(self) -> None:
        self.query_one("#case-search", Input).focus()

    def action_to_list(self) -> None:
        self.query_one("#cases", DataTable).focus()

    def action_leave(self) -> None:
        search = self.query_one("#case-search", Input)
        if search.has_focus and search.value:
            search.value = ""
            self.load()
            return
        self.app.pop_screen()


class CaseScreen(FollowsHall, Screen):
    """One case: everything about it, and the lifecycle keys (each guarded by its service)."""

    BINDINGS = both_cases([
        Binding("b,B", "supplement", "补交材料", id="case.supplement"),
        Binding("s,S", "start", "开始", id="case.start"),
        Binding("p,P", "suspend", "挂起", id="case.suspend"),
        Binding("r,R", "resume", "恢复", id="case.resume"),
        Binding("e,E", "extend", "延期", id="case.extend"),
        Binding("c,C", "complete", "办结", id="case.complete"),
        Binding("d,D", "deliver", "送达", id="case.deliver"),
        Binding("w,W", "withdraw", "撤回", id="case.withdraw"),
        Binding("h,H", "handover", "移交", id="case.handover"),
        Binding("a,A", "acknowledge", "接收", id="case.acknowledge"),
        Binding("t,T", "print", "打印", id="case.print", tooltip="打印或补打本办件的文书"),
        Binding("escape", "leave", "返回", id="case.leave"),
    ])

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number
        self.view = None

    def compose(self) -> ComposeResult:
        yield StatusBar(f"办件 {self.number}")
        with VerticalScroll(id="case-detail"):
            yield Static("正在载入……", id="case-body")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.load()
        self.follow()  # a handover taken, a step done at another terminal

    @work(thread=True, exit_on_error=False, exclusive=True)
    def load(self) -> None:
        from clerk_tui.services.cases import get_case

        try:
            view = get_case(self.app.engine, self.number, case_rules(self.app))
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.query_one("#case-body", Static).update, Text(error_text(exc)))
            return
        self.app.call_from_thread(self.show, view)

    def check_action(self, action: str, parameters) -> bool | None:
        """Only the steps the case's status allows are offered (the services check again)."""
        from clerk_tui.domain.cases import SUPPLEMENT_PENDING, TRANSITIONS
        from clerk_tui.domain.roles import allowed

        if action == "leave":
            return True
        if self.view is None:
            return False
        actor = self.app.actor
        if action == "print":
            return bool(self._papers())
        if action == "acknowledge":  # only the receiver takes a handover
            return bool(self.view.handover_to) and actor is not None and self.view.handover_to.endswith(f"（{actor.number}）")
        if actor is None or not allowed(actor.role, "case.handle"):
            return False  # an administrator looks, a window clerk or supervisor works the case
        if action == "supplement":
            return self.view.status == SUPPLEMENT_PENDING
        if action in TRANSITIONS:
            return self.view.status in TRANSITIONS[action][0]
        return True

    def show(self, v) -> None:
        from clerk_tui.services.cases import DELIVERY_NAMES, FORMS, RESULT_NAMES

        self.view = v
        self.refresh_bindings()
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")  # a long name wraps and is shown whole, never cut with …
        status = Text(v.status_name, style="bold")
        if v.warning != "none":
            status.append(f"  {v.warning_name}", style=WARNING_STYLES[v.warning])
        rows = [("状态", status), ("事项", Text(f"{v.item_name}（{v.item_code}） {v.department}")),
                ("申请人", Text(f"{v.applicant_name}  {v.applicant_id_masked}  {v.applicant_phone}"))]
        if v.agent_name:
            rows.append(("代办人", Text(v.agent_name)))
        if v.id_override:
            rows.append(("证件授权", Text(v.id_override, style="yellow")))
        rows.append(("收件 / 受理", Text(f"{v.received_on} / {v.accepted_on or '—'}" + (f"   号票 {v.ticket}" if v.ticket else ""))))
        if v.due_date:
            due = Text(f"{v.due_date}（承诺{v.promised_days}个工作日" + (f"，延期{v.extension_days}日" if v.extension_days else "") + "）")
            if v.provisional:
                due.append("  暂定：所涉年度放假安排尚未公布", style="yellow")
            rows.append(("承诺办结", due))
        if v.remaining_workdays is not None:
            rows.append(("剩余工作日", Text(remaining_text(v.remaining_workdays, long=True),
                                          style=WARNING_STYLES.get(v.warning, ""))))
        if v.suspended_reason:
            rows.append(("挂起原因", Text(v.suspended_reason)))
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
            mats.add_row(Text(m.name), "必需" if m.required else "可选",
                         Text("✓", style="green") if m.received else Text("✗ 缺少", style="red"),
                         f"{FORMS.get(m.form, m.form)} {m.copies}份" + (f" {m.pages}页" if m.pages else "") if m.received else "",
                         Text(m.note))
        from rich.console import Group

        from clerk_tui.ui.widgets.guide_view import Wrapped

        # Each step wrapped by the Chinese rules, hanging under its text: a date or a case number is
        # never split across lines, as Rich's own wrapping would.
        history = [Wrapped(Text(f"{at:%m-%d %H:%M}  {what}  {by}"), 13) for at, what, by in v.history]
        self.query_one("#case-body", Static).update(
            Group(grid, Text(""), mats, Text("\n办理经过", style="bold"), *history))

    # -------------------------------------------------------------- the lifecycle keys

    def _step(self, title: str, fields, call, *, body: str = "", choices=None, choices_label: str = "",
              single: bool = False) -> None:
        from clerk_tui.ui.dialogs.case import CaseActionDialog

        if self.view is None:
            return
        app, number = self.app, self.view.number

        def act(values: dict, override):
            view = call(app, number, values, override)
            if view.handover_to:
                said = f"已移交{view.handover_to}，待对方接收（接收前首办人仍为{view.owner_name}）"
            else:
                said = f"{view.status_name}" + (f"，承诺办结日期 {view.due_date}"
                                                if view.due_date and view.status in ("accepted", "in_progress") else "")
            still = [m.name for m in view.missing if m.required] if view.status == "supplement_pending" else []
            if still:
                said += "\n仍缺：" + "、".join(still)
            return Text(f"{title}完成：办件 {view.number} {said}\n按 Enter 或 Esc 关闭")

        app.push_screen(CaseActionDialog(title, Text(body or f"办件 {number}  {self.view.item_name}"), fields, act,
                                         choices=choices, choices_label=choices_label, single=single),
                        lambda _: self.load())

    def action_supplement(self) -> None:
        from clerk_tui.services import cases

        if self.view is None:
            return
        missing = [(m.name, f"{m.name}{'' if m.required else '（可选）'}") for m in self.view.materials if not m.received]
        def call(app, n, v, o):
            if not v.get("selected"):
                from clerk_tui.services.errors import ServiceError

                raise ServiceError("请用空格勾选申请人本次带来的材料")
            view = cases.supplement(app.engine, app.actor, n, v.get("selected") or [], override=o,
                                    case_rules=case_rules(app))
            paper = "receipt" if view.status == "accepted" else "supplement-notice"
            app.call_from_thread(app.print_paper, paper, view.number)
            return view

        self._step("补交材料", [], call,
            body="勾选申请人本次带来的材料；必需材料齐全即当日受理，期限从今天起算。",
            choices=missing, choices_label="本次收到（空格勾选）")

    def action_start(self) -> None:
        from clerk_tui.services import cases

        self._step("开始办理", [], lambda app, n, v, o: cases.start(app.engine, app.actor, n, case_rules(app)))

    def action_suspend(self) -> None:
        from clerk_tui.services import cases

        def call(app, n, v, o):
            return cases.suspend(app.engine, app.actor, n, reason=v["reason"], days=_int(v["days"], "预计天数"),
                                 case_rules=case_rules(app))

        self._step("挂起（第四十五条，期间不计入办理时限）",
                   [("reason", "挂起原因", "例如 现场核查、检验检测、专家评审"), ("days", "预计需要的工作日", "例如 5")], call)

    def action_resume(self) -> None:
        from clerk_tui.services import cases

        self._step("恢复办理", [], lambda app, n, v, o: cases.resume(app.engine, app.actor, n, case_rules(app)))

    def action_extend(self) -> None:
        from clerk_tui.services import cases

        def call(app, n, v, o):
            return cases.extend(app.engine, app.actor, n, days=_int(v["days"], "延期天数"), reason=v["reason"],
                                override=o, case_rules=case_rules(app))

        self._step("延期（第四十二条，需带班领导批准）",
                   [("days", "延长的工作日", "最多10日"), ("reason", "延期理由（告知申请人）", "例如 需专家论证")], call)

    def action_complete(self) -> None:
        from clerk_tui.services import cases
        from clerk_tui.services.errors import ServiceError

        def call(app, n, v, o):
            selected = v.get("selected") or []
            if len(selected) != 1:
                raise ServiceError("请用空格选中“准予许可”或“不予许可”中的一项")
            return cases.complete(app.engine, app.actor, n, result=selected[0], reason=v["reason"],
                                  case_rules=case_rules(app))

        def call_and_print(app, n, v, o):
            view = call(app, n, v, o)
            app.call_from_thread(app.print_paper, "completion-notice", view.number)
            return view

        self._step("办结", [("reason", "不予许可的理由", "准予时可留空")], call_and_print,
                   choices=[("approved", "准予许可"), ("denied", "不予许可")], choices_label="结果（空格选中）", single=True)

    def action_deliver(self) -> None:
        from clerk_tui.services import cases
        from clerk_tui.services.errors import ServiceError

        def call(app, n, v, o):
            selected = v.get("selected") or []
            if len(selected) != 1:
                raise ServiceError("请用空格选中一种送达方式")
            return cases.deliver(app.engine, app.actor, n, method=selected[0], tracking=v.get("tracking", ""),
                                 case_rules=case_rules(app))

        self._step("送达", [("tracking", "邮寄单号（邮寄送达时填写）", "例如 EMS 1234567890123")], call, choices=[("collect", "窗口领取"), ("mail", "邮寄送达")], choices_label="送达方式（空格选中）",
                   single=True)

    def action_withdraw(self) -> None:
        from clerk_tui.services import cases

        self._step("申请人撤回", [("reason", "撤回原因", "例如 申请人决定暂不办理")], lambda app, n, v, o: cases.withdraw(
            app.engine, app.actor, n, reason=v["reason"], case_rules=case_rules(app)))

    def action_handover(self) -> None:
        from clerk_tui.services import cases

        self._step("移交办件（对方确认接收后生效）", [("to", "接收人工号", "例如 1003"), ("reason", "移交原因", "例如 调岗")],
                   lambda app, n, v, o: cases.handover(app.engine, app.actor, n, to=v["to"], reason=v["reason"],
                                                       case_rules=case_rules(app)))

    def action_acknowledge(self) -> None:
        from clerk_tui.services import cases

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
        from clerk_tui.ui.dialogs.ticket import PickDialog

        if self.view is None:
            return
        number = self.view.number

        def chosen(document: str | None) -> None:
            if document:
                self.app.print_paper(document, number, asked=True)

        self.app.push_screen(PickDialog(f"打印 {number}（已打过的将标明补打）", self._papers()), chosen)

    def action_leave(self) -> None:
        self.app.pop_screen()


def remaining_text(days: int | None, long: bool = False) -> str:
    """Working days left, or 超期 N once the promised date has passed."""
    if days is None:
        return ""
    if days < 0:
        return f"超期{-days}个工作日" if long else f"超期{-days}"
    return f"{days}个工作日" if long else str(days)


def _int(text: str, what: str) -> int:
    from clerk_tui.services.errors import ServiceError

    try:
        return int(text)
    except ValueError as exc:
        raise ServiceError(f"{what}请填写整数") from exc
