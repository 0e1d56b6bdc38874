"""Reading cases: one case with its history, the notice's materials, the filtered list and the
clerk's deadline risks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import CompoundSelect, func, union
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain import cases as rules
from clerk_tui.domain.calendar import WorkdayCalendar
from clerk_tui.services.access import record_lookup, record_open_case
from clerk_tui.services.cases.model import (
    DECISIONS,
    DELIVERY_NAMES,
    RESULT_NAMES,
    SUPPLEMENT,
    CaseRules,
    CaseView,
    MaterialLine,
)
from clerk_tui.services.cases.steps import case_by_number, case_calendar
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import ServiceError, phone_forms, unknown_staff
from clerk_tui.store.dialect import name_of as dialect_name
from clerk_tui.store.dialect import starts_with
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import (
    CaseMaterial,
    CaseSuspension,
    Department,
    Event,
    ServiceCase,
    ServiceItem,
    Staff,
    Ticket,
)

# ---------------------------------------------------------------- reading


_NAMES: dict[str, str] = {
    "case.intake": "收件",
    "case.accept": "补正后受理",
    "case.supplement_notice": "再次补正告知（带班领导授权）",
    "case.start": "开始办理",
    "case.suspend": "挂起",
    "case.resume": "恢复办理",
    "case.extend": "延期",
    "case.complete": "办结",
    "case.deliver": "送达",
    "case.withdraw": "撤回",
    "case.handover": "移交",
    "case.acknowledge": "接收移交",
    "case.recomputed": "日历更新后重算期限",
    "case.send_back": "送后场审批",
    "case.returned": "后场审批返回",
}


@dataclass
class _Refs:
    """Items, departments and staff a list of cases names, fetched once per list (not per row)."""

    items: dict[int | None, ServiceItem] = field(default_factory=dict)
    departments: dict[int | None, Department] = field(default_factory=dict)
    staff: dict[int | None, Staff | None] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, cases: Sequence[ServiceCase]) -> _Refs:
        refs = cls()
        item_ids = {c.item_id for c in cases}
        dept_ids = {c.department_id for c in cases}
        staff_ids = {c.owner_id for c in cases} | {
            other for c in cases for other in (c.handover_to_id, c.agency_staff_id) if other
        }
        if item_ids:
            refs.items = {i.id: i for i in session.exec(select(ServiceItem).where(ServiceItem.id.in_(item_ids)))}
            refs.departments = {d.id: d for d in session.exec(select(Department).where(Department.id.in_(dept_ids)))}
            refs.staff = {s.id: s for s in session.exec(select(Staff).where(Staff.id.in_(staff_ids)))}
        return refs


def _detail(event: Event) -> str:
    """What a history line should say beyond its name: reasons, days, who approved, what is missing."""
    p = json.loads(event.payload or "{}")
    parts = []
    if event.kind == "case.intake":
        parts.append(DECISIONS.get(p.get("decision"), ""))
        if p.get("decision") == "supplement" and p.get("missing"):
            parts.append("一次性告知缺：" + "、".join(p["missing"]))
        if p.get("override_by"):
            parts.append(f"证件校验经{p['override_by']}授权：{p.get('override_reason', '')}")
        parts.extend(p.get("modes", []))
    if event.kind == "case.supplement_notice" and p.get("missing"):
        parts.append("仍缺：" + "、".join(p["missing"]))
        parts.append(f"授权：{p.get('override_by', '')} {p.get('override_reason', '')}".rstrip())
    if p.get("received"):
        parts.append("补交：" + "、".join(p["received"]))
    for key, label in (
        ("reason", "原因"),
        ("expected_days", "预计天数"),
        ("days", "天数"),
        ("approved_by", "批准人"),
        ("approval_reason", "批准意见"),
        ("to", "移交给"),
        ("note", "送审说明"),
        ("stay", "后场用时"),
        ("tracking", "邮寄单号"),
    ):
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


def case_view(
    session: Session,
    case: ServiceCase,
    case_rules: CaseRules,
    *,
    full: bool = True,
    calendar: WorkdayCalendar | None = None,
    refs: _Refs | None = None,
) -> CaseView:
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
        span = session.exec(
            select(CaseSuspension).where(CaseSuspension.case_id == case.id, CaseSuspension.end.is_(None))
        ).first()
        suspended_reason = span.reason if span else ""
    if case.due_date is not None and case.status in rules.OPEN_STATUSES:
        calendar = calendar or case_calendar(session, case_rules)
        w = rules.watch(
            calendar,
            case.due_date,
            clock.today(),
            yellow_days=case_rules.yellow_days,
            suspended=case.status == rules.SUSPENDED,
        )
        remaining, warning, provisional = w.remaining_workdays, w.warning, provisional or w.provisional
    materials: tuple[MaterialLine, ...] = ()
    history: tuple = ()
    ticket, appointment = "", False
    if full:
        materials = tuple(
            MaterialLine(m.name, m.required, m.received, m.form, m.copies, m.pages, m.note)
            for m in session.exec(
                select(CaseMaterial)
                .where(CaseMaterial.case_id == case.id)
                .order_by(CaseMaterial.position, CaseMaterial.id)
            )
        )
        rows = session.exec(
            select(Event).where(Event.subject == case.number, Event.kind.like("case.%")).order_by(Event.id)
        ).all()
        history = tuple(
            (e.at, _NAMES.get(e.kind, e.kind) + _detail(e), (person(e.staff_id).name if e.staff_id else ""))
            for e in rows
        )
        if case.ticket_id:
            row = session.get_one(Ticket, case.ticket_id)
            ticket, appointment = row.number, row.appointment_id is not None
    return CaseView(
        number=case.number,
        status=case.status,
        kind=case.kind,
        item_code=item.code,
        item_name=item.name,
        department=dept.name if dept else "",
        applicant_kind=case.applicant_kind,
        applicant_name=case.applicant_name,
        applicant_id_number=case.applicant_id_number,
        applicant_phone=case.applicant_phone,
        agent_name=case.agent_name,
        received_on=case.received_on,
        accepted_on=case.accepted_on,
        promised_days=case.promised_days,
        extension_days=case.extension_days,
        due_date=case.due_date,
        provisional=provisional,
        remaining_workdays=remaining,
        warning=warning,
        owner_number=owner.number,
        owner_name=owner.name,
        handover_to=f"{receiver.name}（{receiver.number}）" if receiver else "",
        handover_reason=case.handover_reason,
        result=case.result,
        reason=case.reason,
        competent_department=case.competent_department,
        competent_phone=case.competent_phone,
        supplement_notices=case.supplement_notices,
        delivery_method=case.delivery_method,
        suspended_reason=suspended_reason,
        ticket=ticket,
        id_override=case.id_override,
        materials=materials,
        history=history,
        service_mode=case.service_mode,
        agency_staff=f"{agent.name}（{agent.number}）" if (agent := person(case.agency_staff_id)) else "",
        visit_address=case.visit_address,
        visit_at=case.visit_at,
        after_hours=case.after_hours,
        appointment=appointment,
        back_office=bool(dept and dept.back_office),
        back_office_since=case.back_office_since,
        back_office_minutes=case.back_office_minutes
        + (rules.back_office_minutes(case.back_office_since, clock.now()) if case.back_office_since else 0),
        back_office_sends=case.back_office_sends,
    )


def notice_materials(engine: Engine, number: str) -> list[str]:
    """The materials the case's latest one-time notice (一次性告知书) listed, as recorded when it
    was issued; empty when the case never had one."""
    with read_session(engine) as session:
        case = case_by_number(session, number)
        for e in session.exec(
            select(Event)
            .where(Event.subject == case.number, Event.kind.in_(("case.intake", "case.supplement_notice")))
            .order_by(Event.id.desc())
        ):
            p = json.loads(e.payload or "{}")
            if e.kind == "case.supplement_notice" or p.get("decision") == SUPPLEMENT:
                return list(p.get("notice") or p.get("missing") or [])
    return []


def read_case(engine: Engine, number: str, case_rules: CaseRules = CaseRules()) -> CaseView:
    """A case, for a service that has checked its caller's right already (printing its papers)."""
    with read_session(engine) as session:
        return case_view(session, case_by_number(session, number), case_rules)


def get_case(
    engine: Engine, actor: Actor | None, number: str, case_rules: CaseRules = CaseRules(), *, audit: bool = True
) -> CaseView:
    """A case, for someone who may read cases; the opening is an audit event unless ``audit`` is
    False (a screen reloading the case it shows)."""
    actor = require(actor, "case.read")
    view = read_case(engine, number, case_rules)
    if audit:
        record_open_case(engine, actor, view.number)
    return view


FILTERS = {
    "all": "全部",
    "mine": "我的",
    "department": "本部门",
    "yellow": "黄色预警",
    "red": "红色预警",
    "suspended": "挂起",
    "supplement": "待补正",
    "handover": "待我接收",
}


def list_cases(
    engine: Engine,
    actor: Actor | None = None,
    *,
    status: str | None = None,
    warning: str | None = None,
    owner: str | None = None,
    filter: str = "all",
    query: str = "",
    limit: int = 200,
    case_rules: CaseRules = CaseRules(),
    audit: bool = True,
) -> list[CaseView]:
    """Cases for the list screen and ``case list``: by status, warning, owner, one of FILTERS, or a
    lookup (case number, ID number or USCC, phone, or name). Indexed; newest first, at most ``limit``.
    A lookup is an audit event unless ``audit`` is False (a screen reloading the same lookup)."""
    actor = require(actor, "case.read")
    found = _list_cases(
        engine,
        actor,
        status=status,
        warning=warning,
        owner=owner,
        filter=filter,
        query=query,
        limit=limit,
        case_rules=case_rules,
    )
    if audit and query.strip():
        record_lookup(engine, actor, "cases", query)
    return found


def _list_cases(
    engine: Engine,
    actor: Actor | None,
    *,
    status: str | None,
    warning: str | None,
    owner: str | None,
    filter: str,
    query: str,
    limit: int,
    case_rules: CaseRules,
) -> list[CaseView]:
    if status and status not in rules.STATUS_NAMES:
        raise ServiceError(
            f"状态 {status!r} 无效，可用：" + "、".join(f"{k}（{v}）" for k, v in rules.STATUS_NAMES.items())
        )
    if warning and warning not in rules.WARNING_NAMES:
        raise ServiceError(f"预警 {warning!r} 无效，可用：none、yellow、red")
    if filter not in FILTERS:
        raise ServiceError(f"筛选 {filter!r} 无效，可用：" + "、".join(FILTERS))
    if filter in ("mine", "department", "handover") and actor is None:
        raise ServiceError("按“我的/本部门”筛选需要登录")
    with read_session(engine) as session:
        calendar = case_calendar(session, case_rules)
        stmt = select(ServiceCase)
        if status:
            stmt = stmt.where(ServiceCase.status == status)
        if owner:
            staff = session.exec(select(Staff).where(Staff.number == owner.strip())).first()
            if staff is None:
                raise unknown_staff(owner)
            stmt = stmt.where(ServiceCase.owner_id == staff.id)
        level = warning or {"yellow": rules.YELLOW, "red": rules.RED}.get(filter)
        if level:
            red_until, yellow_before = rules.warning_bounds(calendar, clock.today(), case_rules.yellow_days)
            stmt = stmt.where(ServiceCase.status.in_(rules.RUNNING_STATUSES))
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
            stmt = stmt.where(_lookup(q, dialect_name(session)))
        order = ServiceCase.due_date if level else ServiceCase.id.desc()
        found = list(session.exec(stmt.order_by(order).limit(limit)))
        refs = _Refs.load(session, found)
        return [case_view(session, c, case_rules, full=False, calendar=calendar, refs=refs) for c in found]


def _lookup(q: str, dialect: str):
    """One search box: a case number, an ID number or USCC, a phone number, or a name. Each is an
    index seek; an ID number is looked for as the applicant's and as the agent's (a union, so
    that neither index is given up for a scan)."""
    upper = q.upper().replace(" ", "")
    if len(upper) >= 12 and upper[:2].isalpha() and upper[2:].isdigit():
        return ServiceCase.number == upper
    if len(upper) == 18:
        ids: CompoundSelect = union(
            select(ServiceCase.id).where(ServiceCase.applicant_id_number == upper),
            select(ServiceCase.id).where(ServiceCase.agent_id_number == upper),
        )
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
    actor = require(actor, "case.read")
    red, yellow = (
        _list_cases(
            engine,
            actor,
            status=None,
            warning=level,
            owner=None,
            filter="mine",
            query="",
            limit=limit,
            case_rules=case_rules,
        )
        for level in (rules.RED, rules.YELLOW)
    )
    with read_session(engine) as session:
        counts = {}
        calendar = case_calendar(session, case_rules)
        red_until, yellow_before = rules.warning_bounds(calendar, clock.today(), case_rules.yellow_days)
        base = (
            select(func.count())
            .select_from(ServiceCase)
            .where(ServiceCase.owner_id == actor.staff_id, ServiceCase.status.in_(rules.RUNNING_STATUSES))
        )
        counts["red"] = session.exec(base.where(ServiceCase.due_date <= red_until)).one()
        counts["yellow"] = session.exec(
            base.where(ServiceCase.due_date > red_until, ServiceCase.due_date < yellow_before)
        ).one()
        counts["handovers"] = session.exec(
            select(func.count()).select_from(ServiceCase).where(ServiceCase.handover_to_id == actor.staff_id)
        ).one()
    return RiskSummary(counts["yellow"], counts["red"], counts["handovers"], tuple((red + yellow)[:limit]))
