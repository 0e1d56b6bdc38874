"""收件: lawful intake and its decision (即办, 受理, 补正, 不予受理) in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain import cases as rules
from clerk_tui.services.cases.lookups import case_view
from clerk_tui.services.cases.model import (
    ACCEPT,
    DECISIONS,
    DENIED,
    IMMEDIATE,
    ORGANISATION,
    PERSON,
    REJECT,
    RESULT_NAMES,
    SUPPLEMENT,
    CaseRules,
    CaseView,
    IntakeRequest,
)
from clerk_tui.services.cases.steps import (
    authorize_override,
    case_calendar,
    check_identity,
    check_override,
    material_checklist,
    missing_required,
    record_step,
    set_due,
)
from clerk_tui.services.catalog import get_hall, item_by_code
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import (
    NotFound,
    ServiceError,
    person_phone,
    typed_text,
)
from clerk_tui.services.queue import ticket_by_number
from clerk_tui.services.tx import transaction
from clerk_tui.store.counters import next_case_seq
from clerk_tui.store.models import (
    ServiceCase,
    Staff,
    id_of,
)

# ---------------------------------------------------------------- intake


def intake(
    engine: Engine, actor: Actor | None, request: IntakeRequest, case_rules: CaseRules = CaseRules()
) -> CaseView:
    """收件 and the decision in one transaction: the case, its checklist and its event."""
    require(actor, "case.handle")
    decision = request.decision
    if decision not in DECISIONS:
        raise ServiceError(f"决定 {decision!r} 无效，可用：" + "、".join(f"{k}（{v}）" for k, v in DECISIONS.items()))
    a = request.applicant
    if a.kind not in (PERSON, ORGANISATION):
        raise ServiceError(f"申请人类型 {a.kind!r} 无效，可用：person（个人）、organisation（单位）")
    name = typed_text(a.name, 100, "申请人姓名或单位名称", required=True)
    phone = person_phone(a.phone)
    representative = typed_text(a.representative, 40, "法定代表人")
    contact = typed_text(a.contact, 40, "联系人")
    if a.kind == ORGANISATION and not representative:
        raise ServiceError("单位申请请填写法定代表人")
    id_number, applicant_problem = check_identity(a.kind, a.id_number, "申请人")
    problems = [applicant_problem] if applicant_problem else []
    agent_name = agent_id = ""
    if request.agent is not None and (request.agent.name.strip() or request.agent.id_number.strip()):
        agent_name = typed_text(request.agent.name, 40, "代办人姓名", required=True)
        agent_id, problem = check_identity(PERSON, request.agent.id_number, "代办人")
        if problem:
            problems.append(problem)
    if not id_number:
        raise ServiceError(problems[0])
    result, reason = request.result, typed_text(request.reason, 400, "原因")
    if decision == IMMEDIATE:
        if result not in RESULT_NAMES:
            raise ServiceError("即办请选择结果：approved（准予许可）或 denied（不予许可）")
        if result == DENIED and not reason:
            raise ServiceError("不予许可必须填写理由")
    elif decision == REJECT and not reason:
        raise ServiceError("不予受理必须填写理由（如不属于本机关职权范围，请同时填写有权机关及电话）")
    mode = _mode(request)
    competent = typed_text(request.competent_department, 100, "有权机关名称")
    competent_phone = person_phone(request.competent_phone)
    if competent_phone and not competent:
        raise ServiceError("填写了有权机关电话，请同时填写有权机关名称")

    def work(session: Session) -> CaseView:
        item = item_by_code(session, request.item_code)
        lines = material_checklist(session, item, request)
        missing = missing_required(lines)
        override_by = None
        if problems:
            override_by = authorize_override(
                session, actor, request.id_override, "证件号码未通过校验（" + "；".join(problems) + "），继续办理"
            )
        if decision in (IMMEDIATE, ACCEPT) and missing:
            raise ServiceError(
                f"必需材料缺少：{'、'.join(missing)}。材料不齐不能{DECISIONS[decision]}，请出具一次性告知（补正）"
            )
        if decision == SUPPLEMENT and not missing:
            raise ServiceError("必需材料已经齐全，无需补正，请直接受理或即办")
        if decision == ACCEPT and item.kind == IMMEDIATE:
            raise ServiceError(f"“{item.name}”是即办事项（承诺时限0个工作日），请按即办当场办结")
        ticket_id = None
        if request.ticket:
            ticket_id = ticket_by_number(session, request.ticket).id
        hall = get_hall(session)
        now, today = clock.now(), clock.today()
        agency_staff = _agency_staff(session, request.agency_staff) if mode.mode == rules.AGENCY else None
        served_at = mode.visit_at or now
        workday = case_calendar(session, case_rules).workday(served_at.date())[0]
        after_hours = request.after_hours or rules.after_hours(served_at, case_rules.opens, case_rules.closes, workday)
        number = rules.case_number(hall.code, today, next_case_seq(session, hall.id, today))
        status = {
            IMMEDIATE: rules.COMPLETED,
            ACCEPT: rules.ACCEPTED,
            SUPPLEMENT: rules.SUPPLEMENT_PENDING,
            REJECT: rules.REJECTED,
        }[decision]
        case = ServiceCase(
            hall_id=hall.id,
            number=number,
            item_id=item.id,
            department_id=item.department_id,
            ticket_id=ticket_id,
            window_number=actor.window,
            kind=IMMEDIATE if decision == IMMEDIATE or item.kind == IMMEDIATE else "promised",
            status=status,
            applicant_kind=a.kind,
            applicant_name=name,
            applicant_id_number=id_number,
            applicant_phone=phone,
            representative=representative,
            contact=contact,
            agent_name=agent_name,
            agent_id_number=agent_id,
            id_override=(typed_text(request.id_override.reason, 200, "身份证件授权原因") if override_by else ""),
            id_override_by=override_by.id if override_by else None,
            received_on=today,
            promised_days=item.promised_limit_days,
            supplement_notices=int(decision == SUPPLEMENT),
            result=result if decision == IMMEDIATE else "",
            reason=reason,
            competent_department=competent if decision == REJECT else "",
            competent_phone=competent_phone if decision == REJECT else "",
            owner_id=actor.staff_id,
            created_at=now,
            updated_at=now,
            completed_at=now if decision == IMMEDIATE else None,
            service_mode=mode.mode,
            agency_staff_id=agency_staff.id if agency_staff else None,
            visit_address=mode.visit_address,
            visit_at=mode.visit_at,
            after_hours=after_hours,
        )
        if decision in (IMMEDIATE, ACCEPT):
            case.accepted_on = today
        if decision == ACCEPT:
            set_due(session, case, case_calendar(session, case_rules))
        session.add(case)
        session.flush()
        for line in lines:
            line.case_id = id_of(case)
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
        if names := rules.mode_names(mode.mode, after_hours):
            payload["modes"] = names
        if agency_staff:
            payload["agency_staff"] = agency_staff.number
        if mode.mode == rules.VISIT:
            payload.update(visit_address=mode.visit_address, visit_at=mode.visit_at)
        record_step(session, actor, case, "intake", **payload)
        return case_view(session, case, case_rules)

    request = replace(request, id_override=check_override(engine, request.id_override))
    return transaction(engine, work)


@dataclass(frozen=True)
class _Mode:
    mode: str
    visit_address: str = ""
    visit_at: dt.datetime | None = None


def _mode(request: IntakeRequest) -> _Mode:
    """The request's service mode, checked: 全程代办 names who carries it; 上门服务 has no ticket, and
    says where and when (not later than now: it is recorded at or after the visit)."""
    mode = (request.mode or "").strip()
    if mode not in rules.MODE_NAMES:
        raise ServiceError(f"服务方式 {mode!r} 无效，可用：agency（全程代办）、visit（上门服务），窗口办理不填")
    if mode == rules.AGENCY and not (request.agency_staff or "").strip():
        raise ServiceError("全程代办请填写代办人员的工号（--agency-staff）")
    if mode != rules.AGENCY and (request.agency_staff or "").strip():
        raise ServiceError("填写了代办人员工号，请同时选择服务方式 agency（全程代办）")
    if mode != rules.VISIT:
        if (request.visit_address or "").strip() or (request.visit_at or "").strip():
            raise ServiceError("填写了上门地址或时间，请同时选择服务方式 visit（上门服务）")
        return _Mode(mode)
    if request.ticket:
        raise ServiceError("上门服务不取号：请去掉号票号码")
    address = typed_text(request.visit_address, 200, "上门服务地址", required=True)
    raw = (request.visit_at or "").strip()
    try:
        at = dt.datetime.fromisoformat(raw.replace("T", " ")) if raw else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is not None:
        raise ServiceError(f"上门服务时间 {raw!r} 无效，请写成 2026-12-01 15:30 的形式")
    if at > clock.now():
        raise ServiceError("上门服务时间不能晚于现在：上门办理之后再登记")
    return _Mode(mode, address, at.replace(second=0, microsecond=0))


def _agency_staff(session: Session, number: str) -> Staff:
    staff = session.exec(select(Staff).where(Staff.number == number.strip())).first()
    if staff is None or not staff.active:
        raise NotFound(f"没有工号为 {number.strip()} 的在岗人员，请核对全程代办人员的工号")
    return staff
