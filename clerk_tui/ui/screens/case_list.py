"""办件列表: the case list with its filters and lookup."""

from __future__ import annotations

from dataclasses import replace

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from clerk_tui.services.cases import list_cases
from clerk_tui.ui.calls import ServiceCalls
from clerk_tui.ui.case_text import WARNING_STYLES, case_rules, remaining_text
from clerk_tui.ui.keys import both_cases
from clerk_tui.ui.screens.case import CaseScreen
from clerk_tui.ui.widgets.columns import Column, cell, set_columns
from clerk_tui.ui.widgets.footer import Footer
from clerk_tui.ui.widgets.status_bar import StatusBar

FILTER_KEYS = [
    ("1", "all"),
    ("2", "mine"),
    ("3", "department"),
    ("4", "yellow"),
    ("5", "red"),
    ("6", "suspended"),
    ("7", "supplement"),
    ("8", "handover"),
]
SHORT = {
    "all": "全部",
    "mine": "我的",
    "department": "本部门",
    "yellow": "黄色",
    "red": "红色",
    "suspended": "挂起",
    "supplement": "待补正",
    "handover": "待接收",
}


class CaseListScreen(ServiceCalls, Screen):
    """办件列表: one search box (case number, ID number, phone, name) and filters by number key."""

    BINDINGS = both_cases(
        [
            *[Binding(key, f"filter('{name}')", show=False, id=f"cases.filter_{name}") for key, name in FILTER_KEYS],
            Binding("escape", "leave", "返回", id="cases.leave"),
            Binding("slash,ctrl+f", "focus_search", "查找", id="cases.find"),
            Binding("down", "to_list", show=False),  # from the search box (the list takes ↓ itself once focused)
        ]
    )

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

    COLUMNS = [
        Column("办件编号", 8),
        Column("状态", 8),
        Column("事项", 10, 3),
        Column("申请人", 6, 2),
        Column("承诺", 9),
        Column("剩余", 6),
        Column("首办人", 6, 1),
    ]

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

    def load(self, *, submitted: bool = False) -> None:
        """The list for the search box and filter; a lookup typed and submitted (Enter) is an audit
        event, a reload of the same list (a filter, the screen coming back) is not."""
        query, app = self.query_one("#case-search", Input).value, self.app
        self.call_service(
            "cases",
            lambda: list_cases(
                app.engine,
                app.actor,
                filter=self.filter,
                query=query,
                limit=300,
                case_rules=case_rules(app),
                audit=submitted,
            ),
            exclusive=True,
        )

    def cases_done(self, views) -> None:
        self._show(views)

    def _columns(self) -> list[Column]:
        def widest(values) -> int | None:
            return max((cell_len(x) for x in values), default=None)

        wants = {
            "办件编号": widest(v.number for v in self.views),
            "事项": widest(v.item_name for v in self.views),
            "申请人": widest(v.applicant_name for v in self.views),
            "首办人": widest(v.owner_name for v in self.views),
        }
        return [
            replace(c, width=wants[c.label] or c.width)
            if c.label == "办件编号"
            else replace(c, want=wants.get(c.label))
            for c in self.COLUMNS
        ]

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
            table.add_row(
                v.number,
                Text(v.status_name, style=WARNING_STYLES.get(v.warning, "")),
                cell(v.item_name, item_w),
                cell(v.applicant_name, applicant_w),
                due,
                left,
                cell(v.owner_name, owner_w),
            )
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
        self.load(submitted=True)
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
