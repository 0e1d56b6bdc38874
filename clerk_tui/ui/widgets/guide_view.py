"""The service guide of one item, rendered as literal text (names are never markup)."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from clerk_tui.services.catalog import ItemGuide
from clerk_tui.services.guide import limits_text, material_line


def render_guide(g: ItemGuide | None, empty: str = "在上方输入事项名称、拼音首字母或编码查找事项") -> Group | Text:
    if g is None:
        return Text(empty, style="dim")
    windows = "、".join(f"{n}号" for n in g.windows) or "无"

    def row(label: str, value: str, style: str = "") -> Text:
        t = Text(f"{label}：", style="bold")
        t.append(value or "—", style=style)
        return t

    parts = [
        Text(g.name, style="bold reverse"),
        row("事项编码", g.code),
        row("实施部门", g.department),
        row("排队取号", f"{g.queue} {g.queue_name}  办理窗口：{windows}"),
        row("办件类型", limits_text(g), "green" if g.kind == "immediate" else "yellow"),
        row("收费标准", g.fee or "（未填写，请咨询）"),
        row("设定依据", g.legal_basis),
        row("受理条件", g.conditions),
        Text(f"申请材料（共{len(g.materials)}项，请一次备齐）：", style="bold"),
    ]
    for i, m in enumerate(g.materials, start=1):
        parts.append(Text("  " + material_line(i, m), style="" if m.required else "dim"))
    parts += [row("咨询电话", g.consultation_phone), row("监督电话", g.supervision_phone)]
    return Group(*parts)


class GuideView(VerticalScroll):
    """A scrollable service guide."""

    can_focus = True

    def compose(self):
        yield Static(render_guide(None), id="guide-body")

    plain: str = ""

    def show(self, guide: ItemGuide | None) -> None:
        body = render_guide(guide)
        parts = body.renderables if isinstance(body, Group) else [body]
        self.plain = "\n".join(t.plain for t in parts if isinstance(t, Text))
        self.query_one("#guide-body", Static).update(body)
        self.scroll_home(animate=False)
