"""What the case use cases take and give: the decisions' names, the intake request and its parts, a
supervisor's override, the rules' settings and the case view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from clerk_tui.domain import cases as rules
from clerk_tui.domain.catalog import FORM_NAMES
from clerk_tui.domain.ids import mask_id

PERSON, ORGANISATION = "person", "organisation"
IMMEDIATE, ACCEPT, SUPPLEMENT, REJECT = "immediate", "accept", "supplement", "reject"
DECISIONS = {IMMEDIATE: "即办", ACCEPT: "受理", SUPPLEMENT: "补正（一次性告知）", REJECT: "不予受理"}
APPROVED, DENIED = "approved", "denied"
RESULT_NAMES = {APPROVED: "准予许可", DENIED: "不予许可"}
DELIVERY_NAMES = {"collect": "窗口领取", "mail": "邮寄送达"}
FORMS = FORM_NAMES  # the catalog's material forms and their names


@dataclass(frozen=True)
class CaseRules:
    """The hall's settings the case services apply."""

    count_from_same_day: bool = False
    yellow_days: int = 2
    opens: dt.time = dt.time(8, 30)  # the hall's hours: a case taken in outside them is 延时服务
    closes: dt.time = dt.time(17, 30)


@dataclass(frozen=True)
class Applicant:
    kind: str  # person | organisation
    name: str
    id_number: str  # resident ID number (person) or USCC (organisation)
    phone: str = ""
    representative: str = ""  # 法定代表人 (organisation)
    contact: str = ""  # 联系人 (organisation)


@dataclass(frozen=True)
class Agent:
    name: str
    id_number: str


@dataclass(frozen=True)
class MaterialEntry:
    """One checklist line as the clerk filled it in."""

    name: str
    received: bool
    form: str = "original"
    copies: int = 1
    pages: int = 0
    note: str = ""


@dataclass(frozen=True)
class Override:
    """主管授权: a supervisor lets through what the rules stop, with a reason. ``by``/``pin`` are the
    supervisor's staff number and PIN when the acting clerk is not a supervisor."""

    reason: str
    by: str = ""
    pin: str = ""
    # Set by check_override once ``pin`` was verified: the stored hash it matched (never a PIN).
    verified_hash: str | None = None


@dataclass
class IntakeRequest:
    item_code: str
    applicant: Applicant
    decision: str
    materials: Sequence[MaterialEntry] | None = None  # the full checklist, or
    materials_received: Sequence[str] | None = None  # just the names received (the rest missing)
    agent: Agent | None = None
    ticket: str | None = None  # today's ticket number this visit came with
    result: str = ""  # immediate: approved | denied
    reason: str = ""
    competent_department: str = ""
    competent_phone: str = ""
    id_override: Override | None = None
    mode: str = ""  # "" at the window | agency (全程代办) | visit (上门服务)
    agency_staff: str = ""  # 全程代办: the staff number of who carries the matter
    visit_address: str = ""  # 上门服务: where
    visit_at: str = ""  # 上门服务: when, "YYYY-MM-DD HH:MM"
    after_hours: bool = False  # 延时服务 marked by the clerk (also derived from the hall's hours)


@dataclass(frozen=True)
class MaterialLine:
    name: str
    required: bool
    received: bool
    form: str
    copies: int
    pages: int
    note: str

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "required": self.required,
            "received": self.received,
            "form": self.form,
            "copies": self.copies,
            "pages": self.pages,
            "note": self.note,
        }


@dataclass(frozen=True)
class CaseView:
    number: str
    status: str
    kind: str
    item_code: str
    item_name: str
    department: str
    applicant_kind: str
    applicant_name: str
    applicant_id_number: str  # whole: only papers that need it (the receipt) use it
    applicant_phone: str
    agent_name: str
    received_on: dt.date
    accepted_on: dt.date | None
    promised_days: int
    extension_days: int
    due_date: dt.date | None
    provisional: bool
    remaining_workdays: int | None
    warning: str
    owner_number: str
    owner_name: str
    handover_to: str
    handover_reason: str
    result: str
    reason: str
    competent_department: str
    competent_phone: str
    supplement_notices: int
    delivery_method: str
    suspended_reason: str
    ticket: str
    id_override: str
    materials: tuple[MaterialLine, ...] = ()
    history: tuple[tuple[dt.datetime, str, str], ...] = field(default=())  # (at, what, by)
    service_mode: str = ""
    agency_staff: str = ""  # 全程代办: "name（number）"
    visit_address: str = ""
    visit_at: dt.datetime | None = None
    after_hours: bool = False
    appointment: bool = False  # 预约服务: came with an appointment's ticket
    back_office: bool = False  # the department decides in its back office (前店后场)
    back_office_since: dt.datetime | None = None  # in the back office now, since then
    back_office_minutes: int = 0  # minutes spent there in all (the current stay up to now included)
    back_office_sends: int = 0

    @property
    def status_name(self) -> str:
        return rules.STATUS_NAMES.get(self.status, self.status)

    @property
    def mode_names(self) -> list[str]:
        """The service modes (便民服务措施) this case was handled in, in the hall's words."""
        return rules.mode_names(self.service_mode, self.after_hours, self.appointment)

    @property
    def back_office_text(self) -> str:
        """Where a 前店后场 case is and how long it has been there (empty for other cases)."""
        if self.back_office_since is not None:
            return (
                f"在后场审批（{self.department}），已 {rules.stay_words(self.back_office_minutes)}"
                f"（{self.back_office_since:%Y-%m-%d %H:%M} 送出）"
            )
        if self.back_office_sends:
            return f"已从后场返回，后场共用 {rules.stay_words(self.back_office_minutes)}"
        return ""

    @property
    def warning_name(self) -> str:
        return rules.WARNING_NAMES.get(self.warning, self.warning)

    @property
    def applicant_id_masked(self) -> str:
        return mask_id(self.applicant_id_number)

    @property
    def missing(self) -> list[MaterialLine]:
        return [m for m in self.materials if not m.received]

    def as_json(self, *, full: bool = False) -> dict:
        out: dict[str, object] = {
            "case_number": self.number,
            "status": self.status,
            "status_name": self.status_name,
            "kind": self.kind,
            "item": self.item_code,
            "item_name": self.item_name,
            "department": self.department,
            "applicant_kind": self.applicant_kind,
            "applicant_name": self.applicant_name,
            "applicant_id_number": self.applicant_id_masked,
            "applicant_phone": self.applicant_phone,
            "received_on": self.received_on.isoformat(),
            "accepted_on": self.accepted_on.isoformat() if self.accepted_on else None,
            "promised_days": self.promised_days,
            "extension_days": self.extension_days,
            "promised_date": self.due_date.isoformat() if self.due_date else None,
            "provisional": self.provisional,
            "remaining_workdays": self.remaining_workdays,
            "warning": self.warning,
            "owner": self.owner_number,
            "owner_name": self.owner_name,
            "handover_to": self.handover_to or None,
            "result": self.result or None,
            "reason": self.reason or None,
            "supplement_notices": self.supplement_notices,
            "ticket": self.ticket or None,
            "service_mode": self.service_mode or None,
            "modes": self.mode_names,
            "agency_staff": self.agency_staff or None,
            "after_hours": self.after_hours,
            "in_back_office": self.back_office_since is not None,
            "back_office_since": self.back_office_since.isoformat(timespec="minutes")
            if self.back_office_since
            else None,
            "back_office_minutes": self.back_office_minutes,
        }
        if self.service_mode == rules.VISIT:
            out["visit_address"] = self.visit_address
            out["visit_at"] = self.visit_at.isoformat(timespec="minutes") if self.visit_at else None
        if full:
            out["materials"] = [m.as_json() for m in self.materials]
            out["history"] = [
                {"at": at.isoformat(timespec="seconds"), "what": what, "by": by} for at, what, by in self.history
            ]
            if self.competent_department:
                out["competent_department"] = self.competent_department
                out["competent_phone"] = self.competent_phone
        return out
