"""The case's lifecycle after intake: supplements, start, suspension, extension, completion,
delivery, withdrawal, handover (首办人) and acknowledgement, and recomputing provisional
deadlines after a calendar is loaded. Each step is one guarded transaction with its event row."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain import cases as rules
from clerk_tui.domain.calendar import WorkdayCalendar
from clerk_tui.domain.roles import allowed
from clerk_tui.services import events
from clerk_tui.services.cases.lookups import case_view
from clerk_tui.services.cases.model import DELIVERY_NAMES, DENIED, RESULT_NAMES, CaseRules, CaseView, Override
from clerk_tui.services.cases.steps import (
    authorize_override,
    case_by_number,
    case_calendar,
    check_override,
    may_handle,
    missing_required,
    record_step,
    set_due,
)
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import (
    NotFound,
    PermissionDenied,
    ServiceError,
    typed_text,
)
from clerk_tui.services.tx import transaction
from clerk_tui.store.models import (
    CaseMaterial,
    CaseSuspension,
    Department,
    ServiceCase,
    ServiceItem,
    Staff,
)

# ---------------------------------------------------------------- the lifecycle


def _transition(
    engine: Engine,
    actor: Actor | None,
    number: str,
    action: str,
    change: Callable[[Session, ServiceCase, WorkdayCalendar], dict],
    case_rules: CaseRules,
) -> CaseView:
    """One guarded step: lock the case, check the owner and the state machine, apply, record."""
    require(actor, "case.handle")

    def work(session: Session) -> CaseView:
        case = case_by_number(session, number, lock=True)
        may_handle(session, actor, case)
        try:
            target = rules.next_status(case.status, action)
        except rules.CaseRuleError as exc:
            raise ServiceError(f"办件 {case.number}：{exc}") from exc
        before = case.status
        payload = change(session, case, case_calendar(session, case_rules)) or {}
        case.status = target
        record_step(session, actor, case, action, before=before, after=case.status, **payload)
        return case_view(session, case, case_rules)

    return transaction(engine, work)


def supplement(
    engine: Engine,
    actor: Actor | None,
    number: str,
    received: Sequence[str],
    *,
    override: Override | None = None,
    case_rules: CaseRules = CaseRules(),
) -> CaseView:
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
            raise ServiceError(
                f"办件 {case.number} 的材料清单中没有：{'、'.join(unknown)}；"
                f"缺少的材料是：{'、'.join(m.name for m in lines if not m.received)}"
            )
        for n in names:
            by_name[n].received = True
            session.add(by_name[n])
        still = missing_required(lines)
        if still:
            by = authorize_override(session, actor, override, "第二次补正告知违反一次性告知制，出具")
            case.supplement_notices += 1
            return rules.SUPPLEMENT_PENDING, {
                "received": names,
                "missing": still,
                "notice": [m.name for m in lines if not m.received],
                "second_notice": True,
                "override_by": by.number,
                "override_reason": override.reason.strip(),
            }
        case.accepted_on = clock.today()
        set_due(session, case, calendar)
        return rules.ACCEPTED, {"received": names, "accepted_on": case.accepted_on, "due": case.due_date}

    require(actor, "case.handle")

    def work(session: Session) -> CaseView:
        case = case_by_number(session, number, lock=True)
        may_handle(session, actor, case)
        if case.status != rules.SUPPLEMENT_PENDING:
            raise ServiceError(f"办件 {case.number} 当前为“{rules.STATUS_NAMES[case.status]}”，不在等待补正")
        case.status, payload = change(session, case, case_calendar(session, case_rules))
        kind = "supplement_notice" if case.status == rules.SUPPLEMENT_PENDING else "accept"
        record_step(session, actor, case, kind, **payload)
        return case_view(session, case, case_rules)

    override = check_override(engine, override)
    return transaction(engine, work)


def start(engine: Engine, actor: Actor | None, number: str, case_rules: CaseRules = CaseRules()) -> CaseView:
    return _transition(engine, actor, number, "start", lambda s, c, cal: {}, case_rules)


def suspend(
    engine: Engine, actor: Actor | None, number: str, *, reason: str, days: int, case_rules: CaseRules = CaseRules()
) -> CaseView:
    """挂起 (art. 45: hearing, inspection, testing, expert review …): the clock stops."""
    reason = typed_text(reason, 200, "挂起原因（如 现场核查、检验检测、专家评审）", required=True)
    if not 1 <= days <= 365:
        raise ServiceError("预计挂起天数应为 1–365 个工作日（告知申请人所需时间）")

    def change(session, case, calendar):
        session.add(CaseSuspension(case_id=case.id, start=clock.today(), reason=reason, expected_days=days))
        return {"reason": reason, "expected_days": days}

    return _transition(engine, actor, number, "suspend", change, case_rules)


def resume(engine: Engine, actor: Actor | None, number: str, case_rules: CaseRules = CaseRules()) -> CaseView:
    def change(session, case, calendar):
        span = session.exec(
            select(CaseSuspension).where(CaseSuspension.case_id == case.id, CaseSuspension.end.is_(None))
        ).first()
        if span is not None:
            span.end = clock.today()
            session.add(span)
            session.flush()
        before = case.due_date
        set_due(session, case, calendar)
        return {"due_before": before, "due": case.due_date}

    return _transition(engine, actor, number, "resume", change, case_rules)


def extend(
    engine: Engine,
    actor: Actor | None,
    number: str,
    *,
    days: int,
    reason: str,
    override: Override | None = None,
    case_rules: CaseRules = CaseRules(),
) -> CaseView:
    """延期 (art. 42): +N working days with a supervisor's approval; the applicant is told why."""
    reason = typed_text(reason, 200, "延期理由（将告知申请人）", required=True)
    if not 1 <= days <= 15:
        raise ServiceError("延期天数应为 1–10 个工作日（行政许可法第四十二条；联合办理最多15日）")

    def change(session, case, calendar):
        item = session.get(ServiceItem, case.item_id)
        cap = 15 if item.legal_limit_days >= 45 else 10  # art. 42: +10 days; art. 26 joint handling: +15
        if case.extension_days + days > cap:
            raise ServiceError(
                f"累计延期将达 {case.extension_days + days} 个工作日，超过行政许可法第四十二条"
                f"允许的 {cap} 个工作日（已延期 {case.extension_days} 日）"
            )
        if case.due_date is not None and case.due_date < clock.today():
            raise ServiceError(
                f"办件 {case.number} 已超过承诺办结日期（{case.due_date}），延期须在期限内决定；"
                f"请尽快办结，并由带班领导处理超期"
            )
        approval = override or Override(reason)
        by = authorize_override(session, actor, approval, "延期")
        before = case.due_date
        case.extension_days += days
        set_due(session, case, calendar)
        payload = {
            "days": days,
            "reason": reason,
            "approved_by": by.number,
            "due_before": before,
            "due": case.due_date,
            "applicant_told": True,
        }
        if approval.reason.strip() != reason:
            payload["approval_reason"] = approval.reason.strip()
        return payload

    override = check_override(engine, override)
    return _transition(engine, actor, number, "extend", change, case_rules)


def complete(
    engine: Engine,
    actor: Actor | None,
    number: str,
    *,
    result: str,
    reason: str = "",
    case_rules: CaseRules = CaseRules(),
) -> CaseView:
    reason = _decision_reason(result, reason, "办结结果")
    return _transition(
        engine, actor, number, "complete", lambda s, case, cal: _decide(case, result, reason), case_rules
    )


def _decision_reason(result: str, reason: str, what: str) -> str:
    """A decision's result checked, and its reason (required for a denial) through the text policy."""
    if result not in RESULT_NAMES:
        raise ServiceError(f"{what}应为 approved（准予许可）或 denied（不予许可）")
    return typed_text(reason, 400, "不予许可理由", required=result == DENIED)


def _decide(case: ServiceCase, result: str, reason: str) -> dict:
    """办结: the decision on the case, and the event's payload (on time, early)."""
    case.result, case.reason, case.completed_at = result, reason, clock.now()
    on_time = case.due_date is None or clock.today() <= case.due_date
    return {
        "result": result,
        "reason": reason,
        "due": case.due_date,
        "on_time": on_time,
        "early": case.due_date is not None and clock.today() < case.due_date,
    }


def _leave_back_office(case: ServiceCase) -> int:
    """The case leaves the back office now: its stay is added to its total. Returns the stay's minutes."""
    if case.back_office_since is None:
        return 0
    stay = rules.back_office_minutes(case.back_office_since, clock.now())
    case.back_office_minutes += stay
    case.back_office_since = None
    return stay


def send_back(
    engine: Engine, actor: Actor | None, number: str, *, note: str = "", case_rules: CaseRules = CaseRules()
) -> CaseView:
    """前店后场: the window took the papers; the department decides in its back office. The case keeps
    its owner and its promised date, and the window sees how long it has been there."""
    note = typed_text(note, 200, "送审说明")

    def change(session, case, calendar):
        dept = session.get_one(Department, case.department_id)
        if not dept.back_office:
            raise ServiceError(
                f"{dept.name}在窗口审批，办件 {case.number} 无需送后场；"
                "如该部门确实在后场审批，请系统管理员在事项目录中为它标注 back_office = true"
            )
        case.back_office_since = clock.now()
        case.back_office_sends += 1
        return {"department": dept.name, "note": note} if note else {"department": dept.name}

    return _transition(engine, actor, number, "send_back", change, case_rules)


def returned(
    engine: Engine,
    actor: Actor | None,
    number: str,
    *,
    result: str,
    reason: str = "",
    case_rules: CaseRules = CaseRules(),
) -> CaseView:
    """后场审批返回: the back office's decision comes back to the window, which records it and then
    delivers the result (``deliver``)."""
    reason = _decision_reason(result, reason, "后场审批结果")

    def change(session, case, calendar):
        stay = _leave_back_office(case)
        return {**_decide(case, result, reason), "stay_minutes": stay, "stay": rules.stay_words(stay)}

    return _transition(engine, actor, number, "returned", change, case_rules)


def deliver(
    engine: Engine,
    actor: Actor | None,
    number: str,
    *,
    method: str,
    tracking: str = "",
    case_rules: CaseRules = CaseRules(),
) -> CaseView:
    """送达: collected at the window, or mailed with the waybill number (kept in the history)."""
    if method not in DELIVERY_NAMES:
        raise ServiceError("送达方式应为 collect（窗口领取）或 mail（邮寄送达）")
    tracking = typed_text(tracking, 40, "邮寄单号", required=method == "mail")

    def change(session, case, calendar):
        case.delivery_method = method
        return {"method": method, "tracking": tracking} if tracking else {"method": method}

    return _transition(engine, actor, number, "deliver", change, case_rules)


def withdraw(
    engine: Engine, actor: Actor | None, number: str, *, reason: str, case_rules: CaseRules = CaseRules()
) -> CaseView:
    reason = typed_text(reason, 400, "撤回原因", required=True)

    def change(session, case, calendar):
        open_span = session.exec(
            select(CaseSuspension).where(CaseSuspension.case_id == case.id, CaseSuspension.end.is_(None))
        ).first()
        if open_span is not None:
            open_span.end = clock.today()
            session.add(open_span)
        case.reason = reason
        stay = _leave_back_office(case)
        return {"reason": reason, "stay_minutes": stay} if stay else {"reason": reason}

    return _transition(engine, actor, number, "withdraw", change, case_rules)


def handover(
    engine: Engine, actor: Actor | None, number: str, *, to: str, reason: str, case_rules: CaseRules = CaseRules()
) -> CaseView:
    """移交: the owner (or a supervisor) names the receiver; ownership moves only when the receiver
    acknowledges, so the case never has nobody."""
    reason = typed_text(reason, 200, "移交原因", required=True)

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
        case = case_by_number(session, number, lock=True)
        if case.handover_to_id is None:
            raise ServiceError(f"办件 {case.number} 没有待接收的移交")
        if case.handover_to_id != actor.staff_id:
            receiver = session.get(Staff, case.handover_to_id)
            raise PermissionDenied(
                f"办件 {case.number} 移交给了{receiver.name}（{receiver.number}），只有接收人可以确认接收"
            )
        previous = session.get(Staff, case.owner_id)
        case.owner_id, case.handover_to_id, case.handover_at = actor.staff_id, None, None
        record_step(session, actor, case, "acknowledge", previous_owner=previous.number, reason=case.handover_reason)
        return case_view(session, case, case_rules)

    return transaction(engine, work)


def recompute_provisional(session: Session, actor: Actor | None, calendar: WorkdayCalendar) -> int:
    """After a calendar is loaded: every open case whose date was provisional gets its date again."""
    count = 0
    for case in session.exec(
        select(ServiceCase).where(ServiceCase.due_provisional.is_(True), ServiceCase.status.in_(rules.OPEN_STATUSES))
    ):
        before = case.due_date
        set_due(session, case, calendar)
        session.add(case)
        events.record(
            session,
            "case.recomputed",
            actor=actor,
            subject=case.number,
            due_before=before,
            due=case.due_date,
            provisional=case.due_provisional,
        )
        count += 1
    return count
