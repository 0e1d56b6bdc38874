"""The service guide (办事指南) as lines of plain text: the CLI prints it, the TUI renders it."""

from __future__ import annotations

from clerk_tui.services.catalog import ItemGuide


def limits_text(g: ItemGuide) -> str:
    if g.kind == "immediate":
        return "即办件：材料齐全当场办结"
    return f"承诺件：法定时限 {g.legal_limit_days} 个工作日，承诺时限 {g.promised_limit_days} 个工作日"


def material_line(i: int, m) -> str:
    tag = "必需" if m.required else "视情形"
    copies = f"{m.copies}份" if m.copies else ""
    note = f"（{m.notes}）" if m.notes else ""
    return f"{i}、{m.name}【{tag}·{m.form_name}{copies}】{note}"


def guide_lines(g: ItemGuide) -> list[str]:
    windows = "、".join(f"{n}号" for n in g.windows) or "无"
    lines = [
        f"{g.name}",
        f"事项编码：{g.code}",
        f"实施部门：{g.department}",
        f"排队：{g.queue} {g.queue_name}（办理窗口：{windows}）",
        f"办件类型：{limits_text(g)}",
        f"收费：{g.fee or '（未填写，请咨询）'}",
        f"设定依据：{g.legal_basis or '—'}",
        f"受理条件：{g.conditions or '—'}",
        f"申请材料（共{len(g.materials)}项）：",
    ]
    lines += [f"  {material_line(i, m)}" for i, m in enumerate(g.materials, start=1)]
    lines += [f"咨询电话：{g.consultation_phone or '—'}", f"监督电话：{g.supervision_phone or '—'}"]
    return lines
