"""The service guide of one item, rendered as literal text (names are never markup)."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from clerk_tui.printing.layout import text_width, wrap
from clerk_tui.services.catalog import ItemGuide
from clerk_tui.services.guide import limits_text, material_line


class Wrapped:
    """A styled paragraph wrapped by the hall's Chinese rules (the paper's: a line never starts
    with closing punctuation such as 】 or ，, and never splits a number or a code) at whatever
    width the pane has; continuation lines hang by ``indent`` columns."""

    def __init__(self, text: Text, indent: int = 0) -> None:
        self.text, self.indent = text, indent

    @property
    def plain(self) -> str:
        return self.text.plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        plain = self.text.plain
        lead = len(plain) - len(plain.lstrip(" "))  # a leading indent is kept on every line
        width = max(options.max_width - lead, 4)
        indent = self.indent if self.indent <= width // 2 else 0
        pos = lead
        for i, line in enumerate(wrap(plain[lead:], width, indent)):
            body = line[indent:] if i and indent else line
            start = plain.find(body, pos)
            if start < 0:  # the lines are runs of the text, so this is only a safety net
                piece = Text(" " * lead + line)
            else:
                piece = Text(" " * (lead + len(line) - len(body))) + self.text[start : start + len(body)]
                pos = start + len(body)
            piece.no_wrap, piece.overflow = True, "crop"
            yield piece


def render_guide(g: ItemGuide | None, empty: str = "在上方输入事项名称、拼音首字母或编码查找事项") -> Group | Text:
    if g is None:
        return Text(empty, style="dim")
    windows = "、".join(f"{n}号" for n in g.windows) or "无"

    def row(label: str, value: str, style: str = "") -> Wrapped:
        t = Text(f"{label}：", style="bold")
        t.append(value or "—", style=style)
        return Wrapped(t, text_width(f"{label}："))

    parts = [
        Wrapped(Text(g.name, style="bold reverse")),
        row("事项编码", g.code),
        row("实施部门", g.department),
        row("排队取号", f"{g.queue} {g.queue_name}  办理窗口：{windows}"),
        row("办件类型", limits_text(g), "green" if g.kind == "immediate" else "yellow"),
        row("收费标准", g.fee or "（未填写，请咨询）"),
        row("设定依据", g.legal_basis),
        row("受理条件", g.conditions),
        Wrapped(Text(f"申请材料（共{len(g.materials)}项，请一次备齐）：", style="bold")),
    ]
    for i, m in enumerate(g.materials, start=1):
        line = material_line(i, m)
        number = line.split("、", 1)[0] + "、"
        parts.append(Wrapped(Text("  " + line, style="" if m.required else "dim"), text_width(number)))
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
        self.plain = "\n".join(t.plain for t in parts)
        self.query_one("#guide-body", Static).update(body)
        self.scroll_home(animate=False)
