"""导办台事项检索: find an item as you type (Chinese, pinyin, initials, code) and read its guide."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from clerk_tui import clock
from clerk_tui.domain.search import CatalogIndex
from clerk_tui.services.appointments import add_appointment
from clerk_tui.services.appointments import check_in as do_check_in
from clerk_tui.services.catalog import ItemGuide, load_index
from clerk_tui.services.printing import preview
from clerk_tui.services.queue import hall_board
from clerk_tui.services.queue import rejoin as do_rejoin
from clerk_tui.ui.calls import CallFailed, ServiceCalls
from clerk_tui.ui.dialogs.case import CaseActionDialog
from clerk_tui.ui.dialogs.ticket import FormDialog, IssueTicketDialog, PickDialog, ticket_text
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.messages import clip
from clerk_tui.ui.screens.case_list import CaseListScreen
from clerk_tui.ui.widgets.footer import Footer
from clerk_tui.ui.widgets.guide_view import GuideView
from clerk_tui.ui.widgets.status_bar import StatusBar

MAX_ROWS = 40


class CatalogBrowser(ServiceCalls, Screen):
    """The guide desk's main screen; other roles open it with F2."""

    BINDINGS = both_cases(
        [
            Binding("slash,ctrl+f", "focus_search", "检索", id="guide.focus_search", tooltip="光标回到检索框"),
            Binding("escape", "clear_search", "清空", id="guide.clear", tooltip="清空检索框并回到检索", show=False),
            Binding("f3", "focus_guide", "指南", id="guide.focus_guide", tooltip="光标移到办事指南，可上下滚动"),
            Binding("f5", "issue_item", "取号", id="guide.issue_item", tooltip="为选中的事项取号"),
            Binding("f6", "issue_queue", "队列", id="guide.issue_queue", tooltip="不选事项，直接按队列取号"),
            Binding("f7", "check_in", "签到", id="guide.check_in", tooltip="预约签到：时段内得预约优先号"),
            Binding("f8", "rejoin", "过号返回", id="guide.rejoin", tooltip="过号后在规定时间内返回，恢复排队"),
            Binding("f9", "book", "预约", id="guide.book", tooltip="为选中的事项登记预约"),
            Binding("f10", "cases", "办件", id="guide.cases", tooltip="按办件编号、身份证号、电话或姓名查办件"),
            Binding(
                "f11", "notice", "告知单", id="guide.notice", tooltip="勾选缺少的材料，打印一次性告知单", show=False
            ),
        ]
    )

    def __init__(self, *, closable: bool = False, picker: bool = False) -> None:
        super().__init__()
        self.closable = closable or picker
        self.picker = picker  # choosing an item for intake: Enter returns its code
        self.index: CatalogIndex | None = None
        self.guides: dict[str, ItemGuide] = {}
        self.shown: list[str] = []

    def compose(self) -> ComposeResult:
        yield StatusBar(
            "选择事项（Enter 选定，检索框为空时按 Esc 返回）"
            if self.picker
            else "事项检索（检索框为空时按 Esc 返回）"
            if self.closable
            else "导办台 · 事项检索"
        )
        with Horizontal(id="browser"):
            with Vertical(id="browser-left"):
                yield Input(placeholder="输入事项名称、拼音首字母（如 jhdj）或事项编码", id="search")
                yield Static("正在载入事项目录……", id="match-count")
                yield DataTable(id="matches", cursor_type="row", zebra_stripes=True)
            yield GuideView(id="guide")
        yield Footer(compact=True, show_command_palette=False)

    def on_resize(self) -> None:
        # Below 100 columns the guide goes under the matches instead of beside them.
        narrow = self.size.width < 100
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self.refresh_matches()

    def on_mount(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")

        table = self.query_one("#matches", DataTable)
        table.add_column("事项名称", key="name")
        table.add_column("部门", key="dept")
        table.add_column("队列/窗口", key="queue")
        table.add_column("类型", key="kind")
        table.add_column("承诺", key="limit")
        self.query_one("#search", Input).focus()
        self.load_catalog()

    def load_catalog(self) -> None:
        self.call_service("catalog", lambda: load_index(self.app.engine), exclusive=True)

    def catalog_failed(self, failure: CallFailed) -> None:
        self.query_one("#match-count", Static).update(Text(f"事项目录载入失败：{failure.text}"))

    def catalog_done(self, loaded: tuple[CatalogIndex, dict[str, ItemGuide]]) -> None:
        self.index, self.guides = loaded
        self.refresh_matches()

    def refresh_matches(self) -> None:
        if self.index is None:
            return
        query = self.query_one("#search", Input).value
        found = self.index.search(query)
        table = self.query_one("#matches", DataTable)
        table.clear()
        self.shown = []
        narrow = self.size.width < 100
        for entry in found[:MAX_ROWS]:
            g = self.guides[entry.code]
            windows = ",".join(str(n) for n in g.windows[:4]) + ("…" if len(g.windows) > 4 else "")
            limit = "当场" if g.kind == "immediate" else f"{g.promised_limit_days}日"
            name, dept = g.name, g.department
            if narrow:  # the guide below shows the whole name; keep the queue and limit in sight
                name, dept = clip(name, 30), clip(dept, 16)
            table.add_row(
                Text(name), Text(dept), Text(f"{g.queue} {windows}号"), Text(g.kind_name), Text(limit), key=g.code
            )
            self.shown.append(g.code)
        count = self.query_one("#match-count", Static)
        if not self.index:
            count.update(Text("事项目录为空：请管理员用 clerk-tui catalog import 导入目录"))
        elif not found:
            count.update(Text(f"没有找到“{query.strip()}”，请换个说法或用拼音首字母试试"))
        elif query.strip():
            more = f"，显示前{MAX_ROWS}项" if len(found) > MAX_ROWS else ""
            count.update(Text(f"找到 {len(found)} 项{more}（↑↓选择，F3 查看指南）"))
        else:
            count.update(Text(f"共 {len(self.index)} 个事项（↑↓选择，F3 查看指南）"))
        self.show_guide(self.shown[0] if self.shown else None)

    def show_guide(self, code: str | None) -> None:
        self.query_one("#guide", GuideView).show(self.guides.get(code) if code else None)

    @property
    def selected(self) -> ItemGuide | None:
        table = self.query_one("#matches", DataTable)
        if not self.shown or table.cursor_row is None or table.cursor_row >= len(self.shown):
            return None
        return self.guides.get(self.shown[table.cursor_row])

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        self.refresh_matches()

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        if self.picker and self.selected is not None:
            self.dismiss(self.selected.code)
        elif self.shown:
            self.query_one("#matches", DataTable).focus()

    @on(DataTable.RowHighlighted, "#matches")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_guide(event.row_key.value if event.row_key else None)

    @on(DataTable.RowSelected, "#matches")
    def _selected(self) -> None:
        if self.picker and self.selected is not None:
            self.dismiss(self.selected.code)
            return
        self.action_focus_guide()

    def on_key(self, event) -> None:
        """Up/Down in the search box move the selection, so a guide can type and pick."""
        search = self.query_one("#search", Input)
        if search.has_focus and event.key in ("down", "up") and self.shown:
            table = self.query_one("#matches", DataTable)
            table.move_cursor(
                row=max(0, min(len(self.shown) - 1, table.cursor_row + (1 if event.key == "down" else -1)))
            )
            event.stop()
            event.prevent_default()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus and not search.value and self.closable:
            self.app.pop_screen()
            return
        search.value = ""
        search.focus()

    def check_action(self, action: str, parameters) -> bool | None:
        """Choosing an item for intake: only searching and choosing, not the guide desk's keys."""
        if self.picker and action in ("issue_item", "issue_queue", "check_in", "rejoin", "book", "cases", "notice"):
            return False
        return True

    def action_cases(self) -> None:
        self.app.push_screen(CaseListScreen())

    def action_focus_guide(self) -> None:
        self.query_one("#guide", GuideView).focus()

    def action_issue_item(self) -> None:
        g = self.selected
        if g is None:
            self.app.notify("请先检索并选中一个事项，或按 F6 按队列取号", severity="warning")
            return
        self.app.push_screen(
            IssueTicketDialog(item_code=g.code, title=f"{g.name}（{g.queue} {g.queue_name}）"), self._issued
        )

    def _issued(self, view) -> None:
        if view is not None:
            self.app.notify(f"已取号 {view.number}，前面等候 {view.waiting_ahead} 人", markup=False)
            self.app.print_paper("ticket", view.number)

    def action_issue_queue(self) -> None:
        self.pick_queue()

    def pick_queue(self) -> None:
        self.call_service("queues", lambda: hall_board(self.app.engine))

    def queues_done(self, board) -> None:
        options = [(q.prefix, f"{q.prefix} {q.name}（等候 {q.waiting} 人）") for q in board.queues]
        names = dict(options)

        def chosen(prefix: str | None) -> None:
            if prefix:
                self.app.push_screen(IssueTicketDialog(queue=prefix, title=names[prefix]), self._issued)

        self.app.push_screen(PickDialog("按队列取号：选择队列", options), chosen)

    def action_check_in(self) -> None:
        app = self.app

        def check_in(id_number: str):
            return do_check_in(app.engine, app.actor, id_number, app.settings.queue)

        def checked_in(result):
            app.print_paper("ticket", result.ticket.number)
            return ticket_text(result.ticket, result.message)

        app.push_screen(
            FormDialog("预约签到", [("id_number", "身份证号", "预约时登记的身份证号")], check_in, after=checked_in)
        )

    def action_rejoin(self) -> None:
        app = self.app

        def rejoin(number: str):
            return ticket_text(do_rejoin(app.engine, app.actor, number, app.settings.queue), "已恢复排队")

        app.push_screen(FormDialog("过号返回", [("number", "号码", "例如 A012")], rejoin))

    def action_book(self) -> None:
        g = self.selected
        if g is None:
            self.app.notify("请先检索并选中要预约的事项", severity="warning")
            return
        app = self.app

        def book(id_number: str, name: str, phone: str, day: str, start: str, end: str) -> str:
            view = add_appointment(
                app.engine,
                app.actor,
                id_number=id_number,
                item_code=g.code,
                day=day or clock.today().isoformat(),
                start=start,
                end=end,
                name=name,
                phone=phone,
            )
            return (
                f"已预约：{view.item_name}\n{view.day} {view.slot_start:%H:%M}-{view.slot_end:%H:%M}"
                f"（预约编号 {view.id}）\n请于时段内到导办台凭身份证签到"
            )

        app.push_screen(
            FormDialog(
                f"预约登记：{g.name}",
                [
                    ("id_number", "身份证号", "18位身份证号"),
                    ("name", "姓名", "申请人姓名"),
                    ("phone", "联系电话", "手机号"),
                    ("day", "日期（默认今天）", clock.today().isoformat()),
                    ("start", "开始时间", "例如 14:00"),
                    ("end", "结束时间", "例如 14:30"),
                ],
                book,
            )
        )

    def action_notice(self) -> None:
        """一次性告知单: tick what the person lacks; the paper lists it with everything the item needs."""
        g = self.selected
        if g is None:
            self.app.notify("请先检索并选中一个事项", severity="warning")
            return
        app = self.app

        def act(values: dict, override) -> tuple[list[str], str | None]:
            missing = values.get("selected") or []
            cfg = app.settings.printing
            if not (cfg.ticket or cfg.receipt):
                return missing, preview(app.engine, app.actor, "item-notice", g.code, None, cfg, missing=missing)
            return missing, None

        def printed(result) -> str:
            missing, text = result
            if text is not None:
                return "本终端未配置打印机，告知单内容如下：\n\n" + text
            app.print_paper("item-notice", g.code, missing=missing)
            return f"已发送打印：{g.name} 一次性告知单（缺少 {len(missing)} 项）\n按 Enter 关闭"

        choices = [(m.name, f"{m.name}{'' if m.required else '（可选）'}") for m in g.materials]
        app.push_screen(
            CaseActionDialog(
                f"一次性告知单：{g.name}",
                "勾选申请人还缺少的材料（空格），Enter 打印。",
                [],
                act,
                choices=choices,
                choices_label="缺少的材料",
                after=printed,
            )
        )

    def palette_commands(self):
        yield SystemCommand("一次性告知单", "勾选缺少的材料并打印告知单（F11）", self.action_notice)
        yield SystemCommand("预约登记", "为选中的事项登记预约（F9）", self.action_book)
        yield SystemCommand("取号", "为选中的事项取号（F5）", self.action_issue_item)
        yield SystemCommand("按队列取号", "直接按队列取号（F6）", self.action_issue_queue)
        yield SystemCommand("预约签到", "预约签到（F7）", self.action_check_in)
        yield SystemCommand("过号返回", "过号后恢复排队（F8）", self.action_rejoin)
        yield SystemCommand("检索事项", "光标回到检索框（/ 或 Ctrl+F）", self.action_focus_search)
        yield SystemCommand("清空检索", "清空检索框（Esc）", self.action_clear_search)
        yield SystemCommand("查看办事指南", "光标移到办事指南（F3）", self.action_focus_guide)
