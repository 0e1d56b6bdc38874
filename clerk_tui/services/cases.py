"""办件: lawful intake (即办, 受理, 补正, 不予受理), the lifecycle, the deadline watch, the case owner
(首办人) and handover, and lookup. Every change is one transaction with an event row whose subject
is the case number; the rules themselves live in domain/cases.py.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from sqlalchemy import func, union
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain import cases as rules
from clerk_tui.domain.calendar import WorkdayCalendar
from clerk_tui.domain.ids import check_resident_id, check_uscc, mask_id
from clerk_tui.domain.roles import SUPERVISOR, allowed
from clerk_tui.services import events
from clerk_tui.services.catalog import get_hall, item_by_code
from clerk_tui.services.catalog_file import FORM_NAMES
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import (
    NotFound,
    OverrideRequired,
    PermissionDenied,
    ServiceError,
    person_phone,
    phone_forms,
    typed_text,
)
from clerk_tui.services.queue import ticket_by_number
from clerk_tui.services.staff import check_override_pin
from clerk_tui.services.tx import transaction
from clerk_tui.services.workdays import session_schedules
from clerk_tui.store.counters import next_case_seq
from clerk_tui.store.dialect import starts_with
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import (
    CaseMaterial,
    CaseSuspension,
    Department,
    Event,
    Material,
    ServiceCase,
    ServiceItem,
    Staff,
    Ticket,
)

T = TypeVar("T")

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
    # Set by _check_override once ``pin`` was verified: the stored hash it matched (never a PIN).
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
        return {"name": self.name, "required": self.required, "received": self.received, "form": self.form,
                "copies": self.copies, "pages": self.pages, "note": self.note}


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
        out = {
            "case_number": self.number, "status": self.status, "status_name": self.status_name, "kind": self.kind,
            "item": self.item_code, "item_name": self.item_name, "department": self.department,
            "applicant_kind": self.applicant_kind, "applicant_name": self.applicant_name,
            "applicant_id_number": self.applicant_id_masked, "applicant_phone": self.applicant_phone,
            "received_on": self.received_on.isoformat(),
            "accepted_on": self.accepted_on.isoformat() if self.accepted_on else None,
            "promised_days": self.promised_days, "extension_days": self.extension_days,
            "promised_date": self.due_date.isoformat() if self.due_date else None, "provisional": self.provisional,
            "remaining_workdays": self.remaining_workdays, "warning": self.warning, "owner": self.owner_number,
            "owner_name": self.owner_name, "handover_to": self.handover_to or None, "result": self.result or None,
            "reason": self.reason or None, "supplement_notices": self.supplement_notices,
            "ticket": self.ticket or None,
        }
        if full:
            out["materials"] = [m.as_json() for m in self.materials]
            out["history"] = [{"at": at.isoformat(timespec="seconds"), "what": what, "by": by}
                              for at, what, by in self.history]
            if self.competent_department:
                out["competent_department"] = self.competent_department
                out["competent_phone"] = self.competent_phone
        return out


# ---------------------------------------------------------------- helpers


def _calendar(session: Session, case_rules: CaseRules) -> WorkdayCalendar:
    return WorkdayCalendar(session_schedules(session), count_from_same_day=case_rules.count_from_same_day)


_text = typed_text



def _authorize(session: Session, actor: Actor, override: Override | None, what: str) -> Staff:
    """The supervisor who authorises ``what``: the actor when they are one, else ``override.by``."""
    if override is None:
        raise OverrideRequired(f"{what}需要带班领导授权（填写授权原因，并由带班领导输入工号和 PIN）")
    if not (override.reason or "").strip():
        raise ServiceError(f"{what}需要填写授权原因")
    if not override.by:
        if allowed(actor.role, "case.override"):
            return session.get(Staff, actor.staff_id)
        raise OverrideRequired(f"{what}需要带班领导授权：请带班领导输入工号和 PIN")
    staff = session.exec(select(Staff).where(Staff.number == (override.by or "").strip())).first()
    verified = override.verified_hash
    if staff is None or not staff.active or staff.locked or verified is None or not hmac.compare_digest(verified, staff.pin_hash):
        raise PermissionDenied(f"{what}的授权未通过：带班领导工号或 PIN 不正确")
    if staff.role != SUPERVISOR:
        raise PermissionDenied(f"{what}只能由带班领导授权，{staff.name}不是带班领导")
    return staff


def _check_override(engine: Engine, override: Override | None) -> Override | None:
    """A supervisor's number and PIN typed at this terminal are checked first, on their own, so a
    wrong PIN counts towards the supervisor's lockout even though the step is then refused. Returns
    the override marked with the hash its PIN matched, for ``_authorize`` in the step's transaction."""
    if override is not None and (override.by or "").strip():
        matched = check_override_pin(engine, override.by, override.pin, "带班领导授权")
        return replace(override, verified_hash=matched)
    return override


def _check_identity(kind: str, raw: str, who: str) -> tuple[str, str | None]:
    """(normalised value, problem or None). A person's ID number or an organisation's USCC."""
    if not (raw or "").strip():
        return "", f"请填写{who}的{'统一社会信用代码' if kind == ORGANISATION else '身份证号'}"
    check = check_uscc(raw) if kind == ORGANISATION else check_resident_id(raw, clock.today())
    return (check.value if check.ok else (raw or "").strip().upper()[:18]), (None if check.ok else f"{who}：{check.reason}")


def _case(session: Session, number: str, *, lock: bool = False) -> ServiceCase:
    number = (number or "").strip().upper()
    stmt = select(ServiceCase).where(ServiceCase.number == number)
    if lock:
        stmt = stmt.with_for_update()
    case = session.exec(stmt).first()
    if case is None:
        raise NotFound(f"没有编号为 {number} 的办件，请核对办件编号（如 YX202611260007）")
    return case


def _may_handle(session: Session, actor: Actor, case: ServiceCase) -> None:
    """The case owner works the case; a supervisor may step in. Others are told who owns it."""
    require(actor, "case.handle")
    if case.owner_id != actor.staff_id and actor.role != SUPERVISOR:
        if case.handover_to_id == actor.staff_id:
            raise PermissionDenied(f"办件 {case.number} 已移交给您，请先确认接收（a 接收 / case acknowledge），再办理")
        owner = session.get(Staff, case.owner_id)
        raise PermissionDenied(f"办件 {case.number} 的首办人是{owner.name}（{owner.number}），请由首办人办理，"
                               f"或由首办人移交给您")


def _record(session: Session, actor: Actor, case: ServiceCase, kind: str, **payload) -> None:
    case.updated_at = clock.now()
    session.add(case)
    session.flush()
    events.record(session, f"case.{kind}", actor=actor, subject=case.number, **payload)


def _set_due(session: Session, case: ServiceCase, calendar: WorkdayCalendar) -> None:
    spans = [rules.Suspension(s.start, s.end) for s in session.exec(
        select(CaseSuspension).where(CaseSuspension.case_id == case.id))]
    deadline = rules.due_date(calendar, case.accepted_on, case.promised_days, extension_days=case.extension_days,
                              suspensions=spans, today=clock.today())
    case.due_date, case.due_provisional = deadline.date, deadline.provisional


def _item(session: Session, code: str) -> ServiceItem:
    return item_by_code(session, code)


def _checklist(session: Session, item: ServiceItem, request: IntakeRequest) -> list[CaseMaterial]:
    """The item's materials, each received or missing as the clerk said. Names not in the catalog
    are refused: a typo must not turn a received paper into a missing one."""
    catalog = list(session.exec(select(Material).where(Material.item_id == item.id).order_by(Material.position)))
    names = {m.name for m in catalog}
    given: dict[str, MaterialEntry] = {}
    if request.materials is not None:
        given = {e.name.strip(): e for e in request.materials}
    elif request.materials_received is not None:  # names only: as the catalog asks (form, copies)
        forms = {m.name: m for m in catalog}
        given = {n.strip(): MaterialEntry(n.strip(), True, forms[n.strip()].form, forms[n.strip()].copies)
                 if n.strip() in forms else MaterialEntry(n.strip(), True) for n in request.materials_received}
    if unknown := [n for n in given if n not in names]:
        raise ServiceError(f"“{item.name}”没有这些材料：{'、'.join(unknown)}；材料名称应为：{'、'.join(names)}")
    lines = []
    for m in catalog:
        e = given.get(m.name, MaterialEntry(m.name, False))
        if e.form not in FORMS:
            raise ServiceError(f"材料“{m.name}”的形式 {e.form!r} 无效，可用：" + "、".join(f"{k}（{v}）" for k, v in FORMS.items()))
        if not (0 <= e.copies <= 99 and 0 <= e.pages <= 9999):
            raise ServiceError(f"材料“{m.name}”的份数应为 0–99、页数应为 0–9999")
        lines.append(CaseMaterial(position=m.position, name=m.name, required=m.required, received=e.received,
                                  form=e.form if e.received else m.form, copies=e.copies if e.received else m.copies,
                                  pages=e.pages, note=_text(e.note, 200, f"材料“{m.name}”的备注")))
    return lines


def _missing_required(lines: Sequence[CaseMaterial]) -> list[str]:
    return [m.name for m in lines if m.required and not m.received]


# ---------------------------------------------------------------- intake


def intake(engine: Engine, actor: Actor | None, request: IntakeRequest,
           case_rules: CaseRules = CaseRules()) -> CaseView:
    """收件 and the decision in one transaction: the case, its checklist and its event."""
    require(actor, "case.handle")
    decision = request.decision
    if decision not in DECISIONS:
        raise ServiceError(f"决定 {decision!r} 无效，可用：" + "、".join(f"{k}（{v}）" for k, v in DECISIONS.items()))
    a = request.applicant
    if a.kind not in (PERSON, ORGANISATION):
        raise ServiceError(f"申请人类型 {a.kind!r} 无效，可用：person（个人）、organisation（单位）")
    name = _text(a.name, 100, "申请人姓名或单位名称", required=True)
    phone = person_phone(a.phone)
    representative = _text(a.representative, 40, "法定代表人")
    contact = _text(a.contact, 40, "联系人")
    if a.kind == ORGANISATION and not representative:
        raise ServiceError("单位申请请填写法定代表人")
    id_number, problems = _check_identity(a.kind, a.id_number, "申请人")
    problems = [problems] if problems else []
    agent_name = agent_id = ""
    if request.agent is not None and (request.agent.name.strip() or request.agent.id_number.strip()):
        agent_name = _text(request.agent.name, 40, "代办人姓名", required=True)
        agent_id, problem = _check_identity(PERSON, request.agent.id_number, "代办人")
        if problem:
            problems.append(problem)
    if not id_number:
        raise ServiceError(problems[0])
    result, reason = request.result, _text(request.reason, 400, "原因")
    if decision == IMMEDIATE:
        if result not in RESULT_NAMES:
            raise ServiceError("即办请选择结果：approved（准予许可）或 denied（不予许可）")
        if result == DENIED and not reason:
            raise ServiceError("不予许可必须填写理由")
    elif decision == REJECT and not reason:
        raise ServiceError("不予受理必须填写理由（如不属于本机关职权范围，请同时填写有权机关及电话）")
    competent = _text(request.competent_department, 100, "有权机关名称")
    competent_phone = person_phone(request.competent_phone)
    if competent_phone and not competent:
        raise ServiceError("填写了有权机关电话，请同时填写有权机关名称")

    def work(session: Session) -> CaseView:
        item = _item(session, request.item_code)
        lines = _checklist(session, item, request)
        missing = _missing_required(lines)
        override_by = None
        if problems:
            override_by = _authorize(session, actor, request.id_override, "证件号码未通过校验（" + "；".join(problems) + "），继续办理")
        if decision in (IMMEDIATE, ACCEPT) and missing:
            raise ServiceError(f"必需材料缺少：{'、'.join(missing)}。材料不齐不能{DECISIONS[decision]}，"
                               f"请出具一次性告知（补正）")
        if decision == SUPPLEMENT and not missing:
            raise ServiceError("必需材料已经齐全，无需补正，请直接受理或即办")
        if decision == ACCEPT and item.kind == IMMEDIATE:
            raise ServiceError(f"“{item.name}”是即办事项（承诺时限0个工作日），请按即办当场办结")
        ticket_id = None
        if request.ticket:
            ticket_id = ticket_by_number(session, request.ticket).id
        hall = get_hall(session)
        now, today = clock.now(), clock.today()
        number = rules.case_number(hall.code, today, next_case_seq(session, hall.id, today))
        status = {IMMEDIATE: rules.COMPLETED, ACCEPT: rules.ACCEPTED, SUPPLEMENT: rules.SUPPLEMENT_PENDING,
                  REJECT: rules.REJECTED}[decision]
        case = ServiceCase(
            hall_id=hall.id, number=number, item_id=item.id, department_id=item.department_id, ticket_id=ticket_id,
            window_number=actor.window,
            kind=IMMEDIATE if decision == IMMEDIATE or item.kind == IMMEDIATE else "promised", status=status,
            applicant_kind=a.kind, applicant_name=name, applicant_id_number=id_number, applicant_phone=phone,
            representative=representative, contact=contact, agent_name=agent_name, agent_id_number=agent_id,
            id_override=(request.id_override.reason.strip()[:200] if override_by else ""),
            id_override_by=override_by.id if override_by else None, received_on=today,
            promised_days=item.promised_limit_days, supplement_notices=int(decision == SUPPLEMENT),
            result=result if decision == IMMEDIATE else "", reason=reason,
            competent_department=competent if decision == REJECT else "",
            competent_phone=competent_phone if decision == REJECT else "", owner_id=actor.staff_id,
            created_at=now, updated_at=now, completed_at=now if decision == IMMEDIATE else None)
        if decision in (IMMEDIATE, ACCEPT):
            case.accepted_on = today
        if decision == ACCEPT:
            _set_due(session, case, _calendar(session, case_rules))
        session.add(case)
        session.flush()
        for line in lines:
            line.case_id = case.id
            session.add(line)
        payload = {"item": item.code, "decision": decision, "missing": missing}
        if decision == SUPPLEMENT:  # what the one-time notice lists, so it can be reprinted after acceptance
            payload["notice"] = [m.name for m in lines if not m.received]
        if override_by:
            payload.update(override_by=override_by.number, override_reason=case.id_override, id_problems=problems)
        if decision == IMMEDIATE:
            payload["result"] = result
        if decision == REJECT:
            payload.update(reason=reason, competent=competent)
        _record(session, actor, case, "intake", **payload)
        return _view(session, case, case_rules)

    request = replace(request, id_override=_check_override(engine, request.id_override))
    return transaction(engine, work)


# ---------------------------------------------------------------- the lifecycle


def _transition(engine: Engine, actor: Actor | None, number: str, action: str,
                change: Callable[[Session, ServiceCase, WorkdayCalendar], dict], case_rules: CaseRules) -> CaseView:
    """One guarded step: lock the case, check the owner and the state machine, apply, record."""
    require(actor, "case.handle")

    def work(session: Session) -> CaseView:
        case = _case(session, number, lock=True)
        _may_handle(session, actor, case)
        try:
            target = rules.next_status(case.status, action)
        except rules.CaseRuleError as exc:
            raise ServiceError(f"办件 {case.number}：{exc}") from exc
        before = case.status
        payload = change(session, case, _calendar(session, case_rules)) or {}
        case.status = target
        _record(session, actor, case, action, before=before, after=case.status, **payload)
        return _view(session, case, case_rules)

    return transaction(engine, work)


def supplement(engine: Engine, actor: Actor | None, number: str, received: Sequence[str], *,
               override: Override | None = None, case_rules: CaseRules = CaseRules()) -> CaseView:
    """The applicant came back with papers. Complete → accepted today, the deadline counts from
    today. Still incomplete → a second notice, which the one-time rule allows only with a
    supervisor's override."""
    names = [n.strip() for n in received if n.strip()]
    if not names:
        raise ServiceError("请指明本次补交的材料（材料清单中的名称）")

    def change(session: Session, case: ServiceCase, calendar: WorkdayCalendar) -> tuple[str, dict]:
        """(the case's new status, the event's payload)."""
        lines = list(session.exec(select(CaseMaterial).where(CaseMaterial.case_id == case.id)))
        by_name = {m.name: m for m in lines}
        if unknown := [n for n in names if n not in by_name]:
            raise ServiceError(f"办件 {case.number} 的材料清单中没有：{'、'.join(unknown)}；"
                               f"缺少的材料是：{'、'.join(m.name for m in lines if not m.received)}")
        for n in names:
            by_name[n].received = True
            session.add(by_name[n])
        still = _missing_required(lines)
        if still:
            by = _authorize(session, actor, override, "第二次补正告知违反一次性告知制，出具")
            case.supplement_notices += 1
            return rules.SUPPLEMENT_PENDING, {"received": names, "missing": still,
                                              "notice": [m.name for m in lines if not m.received],
                                              "second_notice": True, "override_by": by.number,
                                              "override_reason": override.reason.strip()}
        case.accepted_on = clock.today()
        _set_due(session, case, calendar)
        return rules.ACCEPTED, {"received": names, "accepted_on": case.accepted_on, "due": case.due_date}

    require(actor, "case.handle")

    def work(session: Session) -> CaseView:
        case = _case(session, number, lock=True)
        _may_handle(session, actor, case)
        if case.status != rules.SUPPLEMENT_PENDING:
            raise ServiceError(f"办件 {case.number} 当前为“{rules.STATUS_NAMES[case.status]}”，不在等待补正")
        case.status, payload = change(session, case, _calendar(session, case_rules))
        kind = "supplement_notice" if case.status == rules.SUPPLEMENT_PENDING else "accept"
        _record(session, actor, case, kind, **payload)
        return _view(session, case, case_rules)

    override = _check_override(engine, override)
    return transaction(engine, work)


def start(engine: Engine, actor: Actor | None, number: str, case_rules: CaseRules = CaseRules()) -> CaseView:
    return _transition(engine, actor, number, "start", lambda s, c, cal: {}, case_rules)


def suspend(engine: Engine, actor: Actor | None, number: str, *, reason: str, days: int,
            case_rules: CaseRules = CaseRules()) -> CaseView:
    """挂起 (art. 45: hearing, inspection, testing, expert review …): the clock stops."""
    reason = _text(reason, 200, "挂起原因（如 现场核查、检验检测、专家评审）", required=True)
    if not 1 <= days <= 365:
        raise ServiceError("预计挂起天数应为 1–365 个工作日（告知申请人所需时间）")

    def change(session, case, calendar):
        session.add(CaseSuspension(case_id=case.id, start=clock.today(), reason=reason, expected_days=days))
        return {"reason": reason, "expected_days": days}

    return _transition(engine, actor, number, "suspend", change, case_rules)


def resume(engine: Engine, actor: Actor | None, number: str, case_rules: CaseRules = CaseRules()) -> CaseView:
    def change(session, case, calendar):
        span = session.exec(select(CaseSuspension).where(CaseSuspension.case_id == case.id,
                                                         CaseSuspension.end.is_(None))).first()
        if span is not None:
            span.end = clock.today()
            session.add(span)
            session.flush()
        before = case.due_date
        _set_due(session, case, calendar)
        return {"due_before": before, "due": case.due_date}

    return _transition(engine, actor, number, "resume", change, case_rules)


def extend(engine: Engine, actor: Actor | None, number: str, *, days: int, reason: str,
           override: Override | None = None, case_rules: CaseRules = CaseRules()) -> CaseView:
    """延期 (art. 42): +N working days with a supervisor's approval; the applicant is told why."""
    reason = _text(reason, 200, "延期理由（将告知申请人）", required=True)
    if not 1 <= days <= 15:
        raise ServiceError("延期天数应为 1–10 个工作日（行政许可法第四十二条；联合办理最多15日）")

    def change(session, case, calendar):
        item = session.get(ServiceItem, case.item_id)
        cap = 15 if item.legal_limit_days >= 45 else 10  # art. 42: +10 days; art. 26 joint handling: +15
        if case.extension_days + days > cap:
            raise ServiceError(f"累计延期将达 {case.extension_days + days} 个工作日，超过行政许可法第四十二条"
                               f"允许的 {cap} 个工作日（已延期 {case.extension_days} 日）")
        if case.due_date is not None and case.due_date < clock.today():
            raise ServiceError(f"办件 {case.number} 已超过承诺办结日期（{case.due_date}），延期须在期限内决定；"
                               f"请尽快办结，并由带班领导处理超期")
        approval = override or Override(reason)
        by = _authorize(session, actor, approval, "延期")
        before = case.due_date
        case.extension_days += days
        _set_due(session, case, calendar)
        payload = {"days": days, "reason": reason, "approved_by": by.number, "due_before": before, "due": case.due_date,
                   "applicant_told": True}
        if approval.reason.strip() != reason:
            payload["approval_reason"] = approval.reason.strip()
        return payload

    override = _check_override(engine, override)
    return _transition(engine, actor, number, "extend", change, case_rules)


def complete(engine: Engine, actor: Actor | None, number: str, *, result: str, reason: str = "",
             case_rules: CaseRules = CaseRules()) -> CaseView:
    if result not in RESULT_NAMES:
        raise ServiceError("办结结果应为 approved（准予许可）或 denied（不予许可）")
    reason = _text(reason, 400, "不予许可理由", required=result == DENIED)

    def change(session, case, calendar):
        case.result, case.reason, case.completed_at = result, reason, clock.now()
        on_time = case.due_date is None or clock.today() <= case.due_date
        return {"result": result, "reason": reason, "due": case.due_date, "on_time": on_time,
                "early": case.due_date is not None and clock.today() < case.due_date}

    return _transition(engine, actor, number, "complete", change, case_rules)


def deliver(engine: Engine, actor: Actor | None, number: str, *, method: str, tracking: str = "",
            case_rules: CaseRules = CaseRules()) -> CaseView:
    """送达: collected at the window, or mailed with the waybill number (kept in the history)."""
    if method not in DELIVERY_NAMES:
        raise ServiceError("送达方式应为 collect（窗口领取）或 mail（邮寄送达）")
    tracking = _text(tracking, 40, "邮寄单号", required=method == "mail")

    def change(session, case, calendar):
        case.delivery_method = method
        return {"method": method, "tracking": tracking} if tracking else {"method": method}

    return _transition(engine, actor, number, "deliver", change, case_rules)


def withdraw(engine: Engine, actor: Actor | None, number: str, *, reason: str,
             case_rules: CaseRules = CaseRules()) -> CaseView:
    reason = _text(reason, 400, "撤回原因", required=True)

    def change(session, case, calendar):
        open_span = session.exec(select(CaseSuspension).where(CaseSuspension.case_id == case.id,
                                                              CaseSuspension.end.is_(None))).first()
        if open_span is not None:
            open_span.end = clock.today()
            session.add(open_span)
        case.reason = reason
        return {"reason": reason}

    return _transition(engine, actor, number, "withdraw", change, case_rules)


def handover(engine: Engine, actor: Actor | None, number: str, *, to: str, reason: str,
             case_rules: CaseRules = CaseRules()) -> CaseView:
    """移交: the owner (or a supervisor) names the receiver; ownership moves only when the receiver
    acknowledges, so the case never has nobody."""
    reason = _text(reason, 200, "移交原因", required=True)

    def change(session, case, calendar):
        receiver = session.exec(select(Staff).where(Staff.number == (to or "").strip())).first()
        if receiver is None or not receiver.active:
            raise NotFound(f"没有工号为 {to} 的在岗人员")
        if not allowed(receiver.role, "case.handle"):
            raise ServiceError(f"{receiver.name}不是窗口人员或带班领导，不能接收办件")
        if receiver.id == case.owner_id:
            raise ServiceError(f"{receiver.name}已经是此办件的首办人")
        case.handover_to_id, case.handover_reason, case.handover_at = receiver.id, reason, clock.now()
        return {"to": receiver.number, "reason": reason}

    return _transition(engine, actor, number, "handover", change, case_rules)


def acknowledge(engine: Engine, actor: Actor | None, number: str, case_rules: CaseRules = CaseRules()) -> CaseView:
    """接收: the receiver of a handover becomes the case owner."""
    require(actor, "case.handle")

    def work(session: Session) -> CaseView:
        case = _case(session, number, lock=True)
        if case.handover_to_id is None:
            raise ServiceError(f"办件 {case.number} 没有待接收的移交")
        if case.handover_to_id != actor.staff_id:
            receiver = session.get(Staff, case.handover_to_id)
            raise PermissionDenied(f"办件 {case.number} 移交给了{receiver.name}（{receiver.number}），只有接收人可以确认接收")
        previous = session.get(Staff, case.owner_id)
        case.owner_id, case.handover_to_id, case.handover_at = actor.staff_id, None, None
        _record(session, actor, case, "acknowledge", previous_owner=previous.number, reason=case.handover_reason)
        return _view(session, case, case_rules)

    return transaction(engine, work)


def recompute_provisional(session: Session, actor: Actor | None, calendar: WorkdayCalendar) -> int:
    """After a calendar is loaded: every open case whose date was provisional gets its date again."""
    count = 0
    for case in session.exec(select(ServiceCase).where(ServiceCase.due_provisional.is_(True),
                                                        ServiceCase.status.in_(rules.OPEN_STATUSES))):
        before = case.due_date
        _set_due(session, case, calendar)
        session.add(case)
        events.record(session, "case.recomputed", actor=actor, subject=case.number, due_before=before,
                      due=case.due_date, provisional=case.due_provisional)
        count += 1
    return count


# ---------------------------------------------------------------- reading


_NAMES: dict[str, str] = {
    "case.intake": "收件", "case.accept": "补正后受理", "case.supplement_notice": "再次补正告知（带班领导授权）",
    "case.start": "开始办理", "case.suspend": "挂起", "case.resume": "恢复办理", "case.extend": "延期",
    "case.complete": "办结", "case.deliver": "送达", "case.withdraw": "撤回", "case.handover": "移交",
    "case.acknowledge": "接收移交", "case.recomputed": "日历更新后重算期限",
}


@dataclass
class _Refs:
    """Items, departments and staff a list of cases names, fetched once per list (not per row)."""

    items: dict[int, ServiceItem] = field(default_factory=dict)
    departments: dict[int, Department] = field(default_factory=dict)
    staff: dict[int, Staff] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, cases: Sequence[ServiceCase]) -> _Refs:
        refs = cls()
        item_ids = {c.item_id for c in cases}
        dept_ids = {c.department_id for c in cases}
        staff_ids = {c.owner_id for c in cases} | {c.handover_to_id for c in cases if c.handover_to_id}
        if item_ids:
            refs.items = {i.id: i for i in session.exec(select(ServiceItem).where(ServiceItem.id.in_(item_ids)))}
            refs.departments = {d.id: d for d in session.exec(select(Department).where(Department.id.in_(dept_ids)))}
            refs.staff = {s.id: s for s in session.exec(select(Staff).where(Staff.id.in_(staff_ids)))}
        return refs


def _detail(event: Event) -> str:
    """What a history line should say beyond its name: reasons, days, who approved, what is missing."""
    import json

    p = json.loads(event.payload or "{}")
    parts = []
    if event.kind == "case.intake":
        parts.append(DECISIONS.get(p.get("decision"), ""))
        if p.get("decision") == "supplement" and p.get("missing"):
            parts.append("一次性告知缺：" + "、".join(p["missing"]))
        if p.get("override_by"):
            parts.append(f"证件校验经{p['override_by']}授权：{p.get('override_reason', '')}")
    if event.kind == "case.supplement_notice" and p.get("missing"):
        parts.append("仍缺：" + "、".join(p["missing"]))
        parts.append(f"授权：{p.get('override_by', '')} {p.get('override_reason', '')}".rstrip())
    if p.get("received"):
        parts.append("补交：" + "、".join(p["received"]))
    for key, label in (("reason", "原因"), ("expected_days", "预计天数"), ("days", "天数"), ("approved_by", "批准人"),
                       ("approval_reason", "批准意见"), ("to", "移交给"), ("tracking", "邮寄单号")):
        if p.get(key) not in (None, ""):
            parts.append(f"{label}：{p[key]}")
    if p.get("method"):
        parts.append(DELIVERY_NAMES.get(p["method"], p["method"]))
    if p.get("result"):
        parts.append(RESULT_NAMES.get(p["result"], p["result"]))
    if p.get("due"):
        parts.append(f"承诺日期：{p['due']}")
    text = "；".join(x for x in parts if x)
    return f"（{text}）" if text else ""


def _view(session: Session, case: ServiceCase, case_rules: CaseRules, *, full: bool = True,
          calendar: WorkdayCalendar | None = None, refs: _Refs | None = None) -> CaseView:
    refs = refs or _Refs()
    item = refs.items.get(case.item_id) or session.get(ServiceItem, case.item_id)
    dept = refs.departments.get(case.department_id) or session.get(Department, case.department_id)
    people = refs.staff

    def person(staff_id: int | None) -> Staff | None:
        if staff_id is None:
            return None
        if staff_id not in people:
            people[staff_id] = session.get(Staff, staff_id)
        return people[staff_id]

    owner, receiver = person(case.owner_id), person(case.handover_to_id)
    remaining, warning, provisional = None, rules.NONE, case.due_provisional
    suspended_reason = ""
    if case.status == rules.SUSPENDED:
        span = session.exec(select(CaseSuspension).where(CaseSuspension.case_id == case.id,
                                                         CaseSuspension.end.is_(None))).first()
        suspended_reason = span.reason if span else ""
    if case.due_date is not None and case.status in rules.OPEN_STATUSES:
        calendar = calendar or _calendar(session, case_rules)
        w = rules.watch(calendar, case.due_date, clock.today(), yellow_days=case_rules.yellow_days,
                        suspended=case.status == rules.SUSPENDED)
        remaining, warning, provisional = w.remaining_workdays, w.warning, provisional or w.provisional
    materials: tuple[MaterialLine, ...] = ()
    history: tuple = ()
    ticket = ""
    if full:
        materials = tuple(MaterialLine(m.name, m.required, m.received, m.form, m.copies, m.pages, m.note)
                          for m in session.exec(select(CaseMaterial).where(CaseMaterial.case_id == case.id)
                                                .order_by(CaseMaterial.position, CaseMaterial.id)))
        rows = session.exec(select(Event).where(Event.subject == case.number, Event.kind.like("case.%"))
                            .order_by(Event.id)).all()
        history = tuple((e.at, _NAMES.get(e.kind, e.kind) + _detail(e), (person(e.staff_id).name if e.staff_id else ""))
                        for e in rows)
        if case.ticket_id:
            ticket = session.get(Ticket, case.ticket_id).number
    return CaseView(
        number=case.number, status=case.status, kind=case.kind, item_code=item.code, item_name=item.name,
        department=dept.name if dept else "", applicant_kind=case.applicant_kind, applicant_name=case.applicant_name,
        applicant_id_number=case.applicant_id_number, applicant_phone=case.applicant_phone,
        agent_name=case.agent_name, received_on=case.received_on, accepted_on=case.accepted_on,
        promised_days=case.promised_days, extension_days=case.extension_days, due_date=case.due_date,
        provisional=provisional, remaining_workdays=remaining, warning=warning,
        owner_number=owner.number, owner_name=owner.name,
        handover_to=f"{receiver.name}（{receiver.number}）" if receiver else "", handover_reason=case.handover_reason,
        result=case.result, reason=case.reason, competent_department=case.competent_department,
        competent_phone=case.competent_phone, supplement_notices=case.supplement_notices,
        delivery_method=case.delivery_method, suspended_reason=suspended_reason, ticket=ticket,
        id_override=case.id_override, materials=materials, history=history)


def notice_materials(engine: Engine, number: str) -> list[str]:
    """The materials the case's latest one-time notice (一次性告知书) listed, as recorded when it
    was issued; empty when the case never had one."""
    import json

    with read_session(engine) as session:
        case = _case(session, number)
        for e in session.exec(select(Event).where(Event.subject == case.number,
                                                  Event.kind.in_(("case.intake", "case.supplement_notice")))
                              .order_by(Event.id.desc())):
            p = json.loads(e.payload or "{}")
            if e.kind == "case.supplement_notice" or p.get("decision") == SUPPLEMENT:
                return list(p.get("notice") or p.get("missing") or [])
    return []


def get_case(engine: Engine, number: str, case_rules: CaseRules = CaseRules()) -> CaseView:
    with read_session(engine) as session:
        return _view(session, _case(session, number), case_rules)


FILTERS = {
    "all": "全部", "mine": "我的", "department": "本部门", "yellow": "黄色预警", "red": "红色预警",
    "suspended": "挂起", "supplement": "待补正", "handover": "待我接收",
}


def list_cases(engine: Engine, actor: Actor | None = None, *, status: str | None = None, warning: str | None = None,
               owner: str | None = None, filter: str = "all", query: str = "", limit: int = 200,
               case_rules: CaseRules = CaseRules()) -> list[CaseView]:
    """Cases for the list screen and ``case list``: by status, warning, owner, one of FILTERS, or a
    lookup (case number, ID number or USCC, phone, or name). Indexed; newest first, at most ``limit``."""
    if status and status not in rules.STATUS_NAMES:
        raise ServiceError(f"状态 {status!r} 无效，可用：" + "、".join(f"{k}（{v}）" for k, v in rules.STATUS_NAMES.items()))
    if warning and warning not in rules.WARNING_NAMES:
        raise ServiceError(f"预警 {warning!r} 无效，可用：none、yellow、red")
    if filter not in FILTERS:
        raise ServiceError(f"筛选 {filter!r} 无效，可用：" + "、".join(FILTERS))
    if filter in ("mine", "department", "handover") and actor is None:
        raise ServiceError("按“我的/本部门”筛选需要登录")
    with read_session(engine) as session:
        calendar = _calendar(session, case_rules)
        stmt = select(ServiceCase)
        if status:
            stmt = stmt.where(ServiceCase.status == status)
        if owner:
            staff = session.exec(select(Staff).where(Staff.number == owner.strip())).first()
            if staff is None:
                raise NotFound(f"没有工号为 {owner} 的人员")
            stmt = stmt.where(ServiceCase.owner_id == staff.id)
        level = warning or {"yellow": rules.YELLOW, "red": rules.RED}.get(filter)
        if level:
            red_until, yellow_before = rules.warning_bounds(calendar, clock.today(), case_rules.yellow_days)
            stmt = stmt.where(ServiceCase.status.in_((rules.ACCEPTED, rules.IN_PROGRESS)))
            if level == rules.RED:
                stmt = stmt.where(ServiceCase.due_date <= red_until)
            elif level == rules.YELLOW:
                stmt = stmt.where(ServiceCase.due_date > red_until, ServiceCase.due_date < yellow_before)
            else:
                stmt = stmt.where(ServiceCase.due_date >= yellow_before)
        if filter == "mine":
            stmt = stmt.where(ServiceCase.owner_id == actor.staff_id)
        elif filter == "department":
            stmt = stmt.where(ServiceCase.department_id == actor.department_id)
        elif filter == "suspended":
            stmt = stmt.where(ServiceCase.status == rules.SUSPENDED)
        elif filter == "supplement":
            stmt = stmt.where(ServiceCase.status == rules.SUPPLEMENT_PENDING)
        elif filter == "handover":
            stmt = stmt.where(ServiceCase.handover_to_id == actor.staff_id)
        if q := (query or "").strip():
            stmt = stmt.where(_lookup(q, session.get_bind().dialect.name))
        order = ServiceCase.due_date if level else ServiceCase.id.desc()
        found = list(session.exec(stmt.order_by(order).limit(limit)))
        refs = _Refs.load(session, found)
        return [_view(session, c, case_rules, full=False, calendar=calendar, refs=refs) for c in found]


def _lookup(q: str, dialect: str):
    """One search box: a case number, an ID number or USCC, a phone number, or a name. Each is an
    index seek; an ID number is looked for as the applicant's and as the agent's (a union, so
    that neither index is given up for a scan)."""
    upper = q.upper().replace(" ", "")
    if len(upper) >= 12 and upper[:2].isalpha() and upper[2:].isdigit():
        return ServiceCase.number == upper
    if len(upper) == 18:
        ids = union(select(ServiceCase.id).where(ServiceCase.applicant_id_number == upper),
                    select(ServiceCase.id).where(ServiceCase.agent_id_number == upper))
        return ServiceCase.id.in_(select(ids.subquery().c.id))
    digits = upper.replace("-", "")
    if digits.isdigit():  # a phone is kept as typed: look for the usual ways of typing it
        return ServiceCase.applicant_phone.in_(phone_forms(q))
    return starts_with(dialect, ServiceCase.applicant_name, q.strip())


@dataclass(frozen=True)
class RiskSummary:
    yellow: int
    red: int
    handovers: int
    cases: tuple[CaseView, ...]


def my_risks(engine: Engine, actor: Actor, case_rules: CaseRules = CaseRules(), limit: int = 5) -> RiskSummary:
    """The window console's corner: the clerk's own cases at yellow and red, and handovers to take."""
    red = list_cases(engine, actor, filter="mine", warning=rules.RED, limit=limit, case_rules=case_rules)
    yellow = list_cases(engine, actor, filter="mine", warning=rules.YELLOW, limit=limit, case_rules=case_rules)
    with read_session(engine) as session:
        counts = {}
        calendar = _calendar(session, case_rules)
        red_until, yellow_before = rules.warning_bounds(calendar, clock.today(), case_rules.yellow_days)
        base = select(func.count()).select_from(ServiceCase).where(
            ServiceCase.owner_id == actor.staff_id, ServiceCase.status.in_((rules.ACCEPTED, rules.IN_PROGRESS)))
        counts["red"] = session.exec(base.where(ServiceCase.due_date <= red_until)).one()
        counts["yellow"] = session.exec(base.where(ServiceCase.due_date > red_until,
                                                   ServiceCase.due_date < yellow_before)).one()
        counts["handovers"] = session.exec(select(func.count()).select_from(ServiceCase).where(
            ServiceCase.handover_to_id == actor.staff_id)).one()
    return RiskSummary(counts["yellow"], counts["red"], counts["handovers"], tuple((red + yellow)[:limit]))
