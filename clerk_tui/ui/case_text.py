"""Words and rules the case screens share (办件): the case rules from settings, the warning
colours, the days left, what the clerk tells the applicant after a decision."""

from __future__ import annotations

from rich.text import Text

from clerk_tui.services.cases import CaseRules
from clerk_tui.services.errors import ServiceError

WARNING_STYLES = {"yellow": "bold yellow", "red": "bold red"}


def case_rules(app):
    settings = app.settings
    return CaseRules(
        count_from_same_day=settings.count_from_same_day,
        yellow_days=settings.yellow_days,
        opens=settings.opens,
        closes=settings.closes,
    )


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


def remaining_text(days: int | None, long: bool = False) -> str:
    """Working days left, or 超期 N once the promised date has passed."""
    if days is None:
        return ""
    if days < 0:
        return f"超期{-days}个工作日" if long else f"超期{-days}"
    return f"{days}个工作日" if long else str(days)


def whole_number(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise ServiceError(f"{what}请填写整数") from exc
