"""The hall's papers (DOMAIN §8) as documents, from the views the services return, and the
templates a hall adjusts without touching code (data/templates/papers.toml)."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

from clerk_tui.domain.catalog import FORM_NAMES
from clerk_tui.domain.ids import mask_id
from clerk_tui.domain.words import read_failed_words, toml_words
from clerk_tui.paths import DataMissing, data_dir
from clerk_tui.printing.layout import QR, Document, Field, Rule, Text

KINDS = {
    "ticket": "排队号票",
    "receipt": "受理通知书",
    "supplement-notice": "一次性告知书",
    "rejection-notice": "不予受理通知书",
    "completion-notice": "办结通知书",
    "item-notice": "一次性告知单",
}
FIELDS = ("hall_name", "hall_code", "hall_address", "hall_phone", "supervision_phone", "today")
REMEDY = (
    "如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，"
    "或者自收到本通知书之日起六个月内依法向人民法院提起行政诉讼。"
)
ART45 = (
    "依法需要听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审的，所需时间不计算在办理期限内（行政许可法第四十五条）。"
)


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class HallInfo:
    name: str
    code: str
    address: str
    phone: str
    supervision_phone: str


def default_templates_path() -> Path:
    return data_dir() / "templates" / "papers.toml"


class Templates:
    """Title, header, footer and seal lines per document, with the hall's fields filled in."""

    def __init__(self, path: str | Path | None = None) -> None:
        try:
            self.path = Path(path) if path else default_templates_path()
        except DataMissing as exc:
            raise TemplateError(str(exc)) from exc
        try:
            with self.path.open("rb") as fh:
                self.data = tomllib.load(fh)
        except OSError as exc:
            raise TemplateError(read_failed_words("版式文件", self.path, exc)) from exc
        except tomllib.TOMLDecodeError as exc:
            raise TemplateError(f"版式文件 {self.path} 格式错误，{toml_words(exc)}：请修正后重试") from exc
        if unknown := sorted(set(self.data) - set(KINDS) - {"common"}):
            raise TemplateError(
                f"版式文件 {self.path} 中有未知的文书：{'、'.join(unknown)}（可用：{'、'.join(KINDS)}）"
            )
        for section, table in self.data.items():  # check every text now, not at the counter
            for key, value in table.items():
                for text in value if isinstance(value, list) else [value]:
                    if isinstance(text, str):
                        self._fill(text, f"[{section}].{key}", _sample())

    def _fill(self, text: str, where: str, hall: HallInfo) -> str:
        values = {
            "hall_name": hall.name,
            "hall_code": hall.code,
            "hall_address": hall.address,
            "hall_phone": hall.phone or "—",
            "supervision_phone": hall.supervision_phone or "—",
            "today": dt.date.today().isoformat(),
        }
        try:
            return text.format_map(values)
        except KeyError as exc:
            raise TemplateError(
                f"版式文件 {self.path} 的 {where} 用了不存在的字段 {{{exc.args[0]}}}，"
                f"可用：{'、'.join('{' + f + '}' for f in FIELDS)}"
            ) from exc
        except (ValueError, IndexError) as exc:
            raise TemplateError(f"版式文件 {self.path} 的 {where} 中花括号不成对：{text!r}") from exc

    def get(self, kind: str, key: str, hall: HallInfo, default=None):
        value = self.data.get(kind, {}).get(key, self.data.get("common", {}).get(key, default))
        if isinstance(value, list):
            return [self._fill(v, f"[{kind}].{key}", hall) for v in value]
        if isinstance(value, str):
            return self._fill(value, f"[{kind}].{key}", hall)
        return value


def _sample() -> HallInfo:
    return HallInfo("样例", "YX", "", "", "")


def _head(doc: Document, t: Templates, hall: HallInfo) -> Document:
    for line in t.get(doc.kind, "header", hall, []):
        doc.add(Text(line, align="center"))
    doc.add(Text(t.get(doc.kind, "title", hall, KINDS[doc.kind]), align="center", size=2, bold=True))
    if doc.reprint:
        doc.add(Text(f"补打（第{doc.reprint}次）", align="center", bold=True))
    return doc


def _tail(doc: Document, t: Templates, hall: HallInfo, *, seal: bool = True) -> Document:
    doc.add(Rule())
    for line in t.get(doc.kind, "footer", hall, []):
        doc.add(Text(line))
    if seal:
        doc.add(
            Text(""),
            Text(t.get(doc.kind, "seal", hall, hall.name), align="right"),
            Text(f"{dt.date.today():%Y年%m月%d日}", align="right"),
        )
    return doc


def ticket_document(ticket, hall: HallInfo, t: Templates, reprint: int = 0, status_url: str | None = None) -> Document:
    """The ticket; its QR code (template ``qr``) carries ``status_url``, the ticket's status page,
    or where there is none (no key file) the hall, day and number."""
    doc = _head(Document("ticket", KINDS["ticket"], ticket.number, reprint=reprint), t, hall)
    doc.add(
        Text(ticket.number, align="center", size=2, bold=True), Field("队列", f"{ticket.queue} {ticket.queue_name}")
    )
    if ticket.item_name:
        doc.add(Field("事项", ticket.item_name))
    if ticket.priority != "none":
        doc.add(Field("优先", ticket.priority_name))
    doc.add(Field("前面等候", f"{ticket.waiting_ahead} 人"), Field("取号时间", f"{ticket.issued_at:%Y-%m-%d %H:%M}"))
    if t.get("ticket", "qr", hall, False):
        doc.add(QR(status_url or f"{hall.code}:{ticket.business_date:%Y%m%d}:{ticket.number}"))
        if status_url:
            doc.add(Text("扫码查看排队进度（当天有效）", align="center"))
    return _tail(doc, t, hall, seal=False)


def _case_head(doc: Document, case, item) -> None:
    doc.add(
        Field(
            "文书编号",
            f"{case.number}-{ {'receipt': 'SL', 'supplement-notice': 'BZ', 'rejection-notice': 'BY', 'completion-notice': 'BJ'}[doc.kind] }",
        ),
        Field("办件编号", case.number),
        Field("申请人", case.applicant_name),
        Field("证件号码", mask_id(case.applicant_id_number)),
        Field("事项", f"{case.item_name}（{case.item_code}）"),
    )


def receipt_document(case, item, hall: HallInfo, t: Templates, reprint: int = 0) -> Document:
    doc = _head(Document("receipt", KINDS["receipt"], case.number, reprint=reprint), t, hall)
    _case_head(doc, case, item)
    doc.add(
        Field("设定依据", item.legal_basis or "—"),
        Field("收件日期", f"{case.received_on:%Y年%m月%d日}"),
        Field("受理日期", f"{case.accepted_on:%Y年%m月%d日}" if case.accepted_on else "—"),
    )
    if case.kind == "immediate" or (case.status == "completed" and not case.due_date):
        doc.add(Field("办理方式", "即办件，当场办结"))
        if case.result:
            doc.add(Field("办理结果", "准予许可" if case.result == "approved" else f"不予许可：{case.reason}"))
    else:
        doc.add(
            Field("法定时限", f"{item.legal_limit_days}个工作日"),
            Field(
                "承诺时限",
                f"{case.promised_days}个工作日"
                + (f"（延期{case.extension_days}个工作日）" if case.extension_days else ""),
            ),
        )
        due = f"{case.due_date:%Y年%m月%d日}" if case.due_date else "—"
        if case.provisional:
            due += "（暂定：所涉年度放假安排尚未公布，公布后以重新计算的日期为准）"
        doc.add(Field("承诺办结日期", due), Text(ART45))
    received = [m for m in case.materials if m.received]
    doc.add(Text("已收材料：", bold=True))
    for i, m in enumerate(received, 1):
        doc.add(
            Text(
                f"{i}. {m.name}（{FORM_NAMES.get(m.form, m.form)}{m.copies}份"
                + (f"，{m.pages}页" if m.pages else "")
                + "）",
                indent=3,
            )
        )
    doc.add(
        Field("受理单位", case.department),
        Field("首办人", case.owner_name),
        Field("收费", item.fee or "不收费"),
        Field("进度查询", "凭办件编号或身份证号到导办台、拨打咨询电话查询"),
        Field("结果送达", "窗口领取或邮寄送达"),
        Field("咨询电话", item.consultation_phone or hall.phone or "—"),
        Field("监督电话", item.supervision_phone or hall.supervision_phone or "—"),
        Text("申请人（代办人）签字：＿＿＿＿＿＿"),
    )
    return _tail(doc, t, hall)


def supplement_document(
    case, item, hall: HallInfo, t: Templates, reprint: int = 0, listed: list[str] | None = None
) -> Document:
    """The one-time notice: the materials not received, or ``listed`` (what an earlier notice
    listed, for a reprint after they were supplied)."""
    doc = _head(Document("supplement-notice", KINDS["supplement-notice"], case.number, reprint=reprint), t, hall)
    _case_head(doc, case, item)
    doc.add(
        Field("收件日期", f"{case.received_on:%Y年%m月%d日}"),
        Text("您提交的申请材料不齐全，现一次性告知需要补正的全部材料：", bold=True),
    )
    if listed is None:
        missing = [m for m in case.materials if not m.received]
    else:
        missing = [m for m in case.materials if m.name in set(listed)]
    for i, m in enumerate(missing, 1):
        note = f"；{m.note}" if m.note else ""
        doc.add(
            Text(
                f"{i}. {m.name}（{FORM_NAMES.get(m.form, m.form)}{m.copies}份"
                + ("" if m.required else "，可选")
                + f"{note}）",
                indent=3,
            )
        )
    doc.add(
        Field("设定依据", item.legal_basis or "—"),
        Field("受理条件", item.conditions or "—"),
        Field("收费", item.fee or "不收费"),
        Field("承诺时限", f"材料齐全受理后{item.promised_limit_days}个工作日"),
        Text("补齐材料后请携带本告知书到窗口办理，受理日期自材料齐全之日起算。"),
        Field("经办人", case.owner_name),
        Field("咨询电话", item.consultation_phone or hall.phone or "—"),
        Field("监督电话", item.supervision_phone or hall.supervision_phone or "—"),
    )
    return _tail(doc, t, hall)


def rejection_document(case, item, hall: HallInfo, t: Templates, reprint: int = 0) -> Document:
    doc = _head(Document("rejection-notice", KINDS["rejection-notice"], case.number, reprint=reprint), t, hall)
    _case_head(doc, case, item)
    doc.add(Field("收件日期", f"{case.received_on:%Y年%m月%d日}"), Field("不予受理理由", case.reason))
    if case.competent_department:
        doc.add(Field("有权机关", case.competent_department), Field("联系电话", case.competent_phone or "—"))
    doc.add(
        Text(REMEDY),
        Field("经办人", case.owner_name),
        Field("监督电话", item.supervision_phone or hall.supervision_phone or "—"),
    )
    return _tail(doc, t, hall)


def completion_document(case, item, hall: HallInfo, t: Templates, reprint: int = 0) -> Document:
    doc = _head(Document("completion-notice", KINDS["completion-notice"], case.number, reprint=reprint), t, hall)
    _case_head(doc, case, item)
    doc.add(Field("办理结果", "准予许可" if case.result == "approved" else "不予许可"))
    if case.result == "denied":
        doc.add(Field("理由", case.reason), Text(REMEDY))
    if case.due_date:
        doc.add(Field("承诺办结日期", f"{case.due_date:%Y年%m月%d日}"))
    doc.add(
        Field("领取方式", {"collect": "窗口领取", "mail": "邮寄送达"}.get(case.delivery_method, "窗口领取或邮寄送达")),
        Text(
            "办理结果已邮寄送达，请注意查收。"
            if case.delivery_method == "mail"
            else "请携带本人身份证件（代领的另带代领人身份证件）和本通知书领取结果。"
        ),
        Field("首办人", case.owner_name),
        Field("咨询电话", item.consultation_phone or hall.phone or "—"),
    )
    return _tail(doc, t, hall)


def item_notice_document(item, missing: list[str], hall: HallInfo, t: Templates) -> Document:
    """At the guide desk, before any case: the item's requirements with what this person lacks."""
    doc = _head(Document("item-notice", KINDS["item-notice"], item.code), t, hall)
    doc.add(
        Field("事项", f"{item.name}（{item.code}）"),
        Field("办理部门", item.department),
        Field("设定依据", item.legal_basis or "—"),
        Field("受理条件", item.conditions or "—"),
    )
    if missing:
        doc.add(Text("您还需要准备（一次性告知）：", bold=True))
        for i, name in enumerate(missing, 1):
            doc.add(Text(f"{i}. {name}", indent=3))
    doc.add(Text("全部申请材料：", bold=True))
    for i, m in enumerate(item.materials, 1):
        doc.add(
            Text(
                f"{i}. {m.name}（{'必需' if m.required else '可选'}，{FORM_NAMES.get(m.form, m.form)}{m.copies}份）",
                indent=3,
            )
        )
    doc.add(
        Field("收费", item.fee or "不收费"),
        Field(
            "办理时限",
            "即办"
            if item.kind == "immediate"
            else f"承诺{item.promised_limit_days}个工作日（法定{item.legal_limit_days}个）",
        ),
        Field("咨询电话", item.consultation_phone or hall.phone or "—"),
        Field("监督电话", item.supervision_phone or hall.supervision_phone or "—"),
    )
    return _tail(doc, t, hall, seal=False)
