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

    @property
    def status_name(self) -> str:
        return rules.STATUS_NAMES.get(self.status, self.status)

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
        }
        if full:
            out["materials"] = [m.as_json() for m in self.materials]
            out["history"] = [
                {"at": at.isoformat(timespec="seconds"), "what": what, "by": by} for at, what, by in self.history
            ]
            if self.competent_department:
                out["competent_department"] = self.competent_department
                out["competent_phone"] = self.competent_phone
        return out
