"""首问负责制: inquiries (首问登记) with their allowed outcomes, referrals by ticket, and the alerts the
rules engine (domain/responsibility.py) derives from inquiries, tickets and cases. Alerts are not
stored: they hold while their facts hold, and end by the action they ask for or a dismissal
with a reason (stored, with an event)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select as columns  # Core select: rows of plain columns, nullable ones included
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain import responsibility as rules
from clerk_tui.domain.calendar import WorkdayCalendar
from clerk_tui.domain.cases import RUNNING_STATUSES, warning_bounds
from clerk_tui.domain.queueing import REFERRAL, QueuePolicy
from clerk_tui.services import events
from clerk_tui.services.cases import CaseRules
from clerk_tui.services.catalog import get_hall, item_by_code
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import (
    NotFound,
    PermissionDenied,
    ServiceError,
    person_phone,
    typed_text,
    unknown_inquiry,
    unknown_staff,
    unknown_window,
)
from clerk_tui.services.patrol import absence_facts
from clerk_tui.services.queue import issue_in, transfer_in, window_by_number, window_state
from clerk_tui.services.tx import transaction
from clerk_tui.services.workdays import session_schedules
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import (
    AlertDismissal,
    Department,
    Event,
    FollowUp,
    Inquiry,
    Queue,
    Rating,
    ServiceCase,
    ServiceItem,
    Staff,
    Ticket,
    Window,
    WindowQueue,
)

STATUS_NAMES = {"open": "待处理", "handed_over": "已转交待接收", "closed": "已办结"}


@dataclass(frozen=True)
class InquiryView:
    id: int
    opened_at: dt.datetime
    responder: str
    responder_name: str
    window: int | None
    asker_name: str
    asker_phone: str
    matter: str
    item: str
    status: str
    outcome: str | None
    detail: str
    ticket: str
    acknowledged: bool

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)

    @property
    def outcome_name(self) -> str:
        return rules.OUTCOMES[self.outcome][0] if self.outcome else "—"

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "opened_at": self.opened_at.isoformat(timespec="seconds"),
            "responder": self.responder,
            "window": self.window,
            "name": self.asker_name or None,
            "phone": self.asker_phone or None,
            "matter": self.matter,
            "item": self.item or None,
            "status": self.status,
            "outcome": self.outcome,
            "detail": self.detail or None,
            "ticket": self.ticket or None,
            "acknowledged": self.acknowledged,
        }


def _acknowledged(session: Session, q: Inquiry) -> dt.datetime | None:
    """A referral is taken when the receiving window calls its ticket; an absent-handler handover
    when a clerk of that department takes it."""
    if q.acknowledged_at is not None:
        return q.acknowledged_at
    if q.outcome == "referred" and q.ticket_id is not None:
        t = session.get(Ticket, q.ticket_id)
        if (
            t.called_at is not None
            and t.called_at >= q.handed_over_at
            and (q.to_window is None or t.window_number == q.to_window)
        ):
            return t.called_at
    return None


def _view(session: Session, q: Inquiry) -> InquiryView:
    staff = session.get(Staff, q.responder_id)
    item = session.get(ServiceItem, q.item_id) if q.item_id else None
    ticket = session.get(Ticket, q.ticket_id).number if q.ticket_id else ""
    detail = {
        "answered": q.note,
        "referred": (f"{q.to_window}号窗口" if q.to_window else f"{q.to_queue} 队列")
        + (f"，号票 {ticket}" if ticket else ""),
        "absent": f"{q.department_name} {q.contact_name} {q.contact_phone}",
        "external": f"{q.department_name} {q.contact_phone}",
        "appointment": f"{q.appointment_at:%Y-%m-%d %H:%M}" if q.appointment_at else "",
    }.get(q.outcome or "", "")
    ack = _acknowledged(session, q)
    status = "closed" if q.status == "handed_over" and ack else q.status
    return InquiryView(
        q.id,
        q.opened_at,
        staff.number,
        staff.name,
        q.window_number,
        q.asker_name,
        q.asker_phone,
        q.matter,
        item.code if item else "",
        status,
        q.outcome,
        detail,
        ticket,
        ack is not None,
    )


_text = typed_text


def _phone(value: str) -> str:
    value = _text(value, 40, "联系电话")
    if not value or not all(c.isdigit() or c in "-（）() " for c in value) or sum(c.isdigit() for c in value) < 3:
        raise ServiceError(f"联系电话“{value}”无效：请填写数字（可含区号和“-”），如 0579-80001234 或 12345")
    return value


def open_inquiry(
    engine: Engine,
    actor: Actor | None,
    *,
    matter: str,
    item: str | None = None,
    name: str = "",
    phone: str = "",
    window: int | None = None,
) -> InquiryView:
    """首问登记: any role, from any screen. The one logged in is the first responder."""
    require(actor, "inquiry")
    matter = _text(matter, 400, "咨询事项（当事人要办什么）", required=True)
    name, phone = _text(name, 40, "姓名"), person_phone(phone)

    def work(session: Session) -> InquiryView:
        item_id = None
        if item:
            item_id = item_by_code(session, item).id
        w = window if window is not None else actor.window
        if w is not None and session.exec(select(Window).where(Window.number == w)).first() is None:
            raise unknown_window(w)
        q = Inquiry(
            hall_id=get_hall(session).id,
            opened_at=clock.now(),
            responder_id=actor.staff_id,
            window_number=w,
            asker_name=name,
            asker_phone=phone,
            matter=matter,
            item_id=item_id,
        )
        session.add(q)
        session.flush()
        events.record(session, "inquiry.opened", actor=actor, subject=f"inquiry:{q.id}", matter=matter, item=item)
        return _view(session, q)

    return transaction(engine, work)


def _open(session: Session, actor: Actor, inquiry_id: int) -> Inquiry:
    q = session.exec(select(Inquiry).where(Inquiry.id == inquiry_id).with_for_update()).first()
    if q is None:
        raise unknown_inquiry(inquiry_id)
    if q.outcome is not None:
        raise ServiceError(f"首问 #{q.id} 已有处理结果（{rules.OUTCOMES[q.outcome][0]}），不能重复处理")
    if q.responder_id != actor.staff_id and actor.role != "supervisor":  # 首问负责制: the owner, or a supervisor
        owner = session.get(Staff, q.responder_id)
        raise PermissionDenied(f"首问 #{q.id} 的首问责任人是{owner.name}（{owner.number}），请由其本人或带班领导处理")
    return q


def _outcome(engine: Engine, actor: Actor | None, inquiry_id: int, outcome: str, fields: dict, apply) -> InquiryView:
    require(actor, "inquiry")
    try:
        rules.check_outcome(outcome, fields)
    except rules.OutcomeError as exc:
        raise ServiceError(str(exc)) from exc

    def work(session: Session) -> InquiryView:
        q = _open(session, actor, inquiry_id)
        payload = apply(session, q) or {}
        q.outcome = outcome
        now = clock.now()
        if outcome in rules.HANDOVER_OUTCOMES:
            q.status, q.handed_over_at = "handed_over", now
        else:
            q.status, q.closed_at = "closed", now
        session.add(q)
        session.flush()
        events.record(session, f"inquiry.{outcome}", actor=actor, subject=f"inquiry:{q.id}", **payload)
        return _view(session, q)

    return transaction(engine, work)


def answer(engine: Engine, actor: Actor | None, inquiry_id: int, *, note: str) -> InquiryView:
    note = _text(note, 400, "答复内容")

    def apply(session, q):
        q.note = note
        return {"note": note}

    return _outcome(engine, actor, inquiry_id, "answered", {"note": note}, apply)


def refer(
    engine: Engine,
    actor: Actor | None,
    inquiry_id: int,
    *,
    to_window: int | None = None,
    to_queue: str | None = None,
    ticket: str | None = None,
    policy: QueuePolicy = QueuePolicy(),
) -> InquiryView:
    """引导: the person's ticket is transferred there (or a new one issued) with referral priority,
    so they do not queue from the end. Taken when the receiving window calls it."""
    if (to_window is None) == (not to_queue):
        raise ServiceError("请指定引导去的窗口（--to-window）或队列（--to-queue），二者选一")
    to = f"{to_window}号窗口" if to_window is not None else f"{to_queue} 队列"

    def apply(session: Session, q: Inquiry):
        # The ticket's transfer reason points at the inquiry, which keeps the whole matter: a matter
        # longer than the reason's 200 characters is shortened with a visible "…", never silently.
        reason = f"首问引导（咨询 #{q.id}）：{q.matter}"
        if len(reason) > 200:
            reason = reason[:199] + "…"
        if to_window is not None and to_window == actor.window:
            raise ServiceError(f"{to_window}号窗口就是本窗口：本窗口能办的请直接办理，选“当场答复”或收件受理")
        if ticket:
            t = transfer_in(
                session,
                actor,
                ticket,
                reason=reason,
                to_queue=to_queue,
                to_window=to_window,
                policy=policy,
                priority=REFERRAL,
            )
        else:
            queue = to_queue
            item_code = None
            if to_window is not None:
                w = window_by_number(session, to_window)
                first = session.exec(
                    select(Queue)
                    .join(WindowQueue, WindowQueue.queue_id == Queue.id)
                    .where(WindowQueue.window_id == w.id)
                    .order_by(WindowQueue.position)
                ).first()
                if first is None:
                    raise ServiceError(f"{to_window}号窗口不服务任何队列，请改为引导到队列")
                queue = first.prefix
            tid = issue_in(
                session,
                actor,
                item_code=item_code,
                queue=queue,
                priority=REFERRAL,
                id_number=None,
                policy=policy,
                note=reason,
            )
            t = session.get_one(Ticket, tid)
            if to_window is not None:
                if window_state(session, w).status == "closed":
                    raise ServiceError(f"{to_window}号窗口未开窗，请引导到其他窗口或队列")
                t.target_window = to_window
                session.add(t)
        q.ticket_id, q.to_window, q.to_queue = t.id, to_window, (to_queue or "").upper()
        return {"to": to, "ticket": t.number}

    return _outcome(engine, actor, inquiry_id, "referred", {"to": to}, apply)


def absent(
    engine: Engine, actor: Actor | None, inquiry_id: int, *, department: str, contact: str, phone: str
) -> InquiryView:
    """经办人不在: the unit, contact, phone and matter recorded; that department's clerks take it."""
    fields = {"department": department, "contact": contact, "phone": phone}

    def apply(session: Session, q: Inquiry):
        dept = session.exec(select(Department).where(Department.name == department.strip())).first()
        if dept is None:
            raise NotFound(f"本厅没有名为“{department}”的部门；不属本厅的事项请选“不属本厅，告知有权部门”")
        q.department_id, q.department_name = dept.id, dept.name
        q.contact_name, q.contact_phone = _text(contact, 40, "联系人"), _phone(phone)
        return {"department": dept.name, "contact": q.contact_name, "phone": q.contact_phone}

    return _outcome(engine, actor, inquiry_id, "absent", fields, apply)


def external(engine: Engine, actor: Actor | None, inquiry_id: int, *, department: str, phone: str) -> InquiryView:
    """不属本厅: the competent department's name and phone, told to the person."""

    def apply(session: Session, q: Inquiry):
        name = _text(department, 100, "有权部门")
        if session.exec(select(Department).where(Department.name == name)).first() is not None:
            raise ServiceError(f"“{name}”是本厅的进驻部门：请引导至其窗口，或选“经办人不在，登记转交”")
        q.department_name, q.contact_phone = name, _phone(phone)
        return {"department": q.department_name, "phone": q.contact_phone}

    return _outcome(engine, actor, inquiry_id, "external", {"department": department, "phone": phone}, apply)


def appointment(engine: Engine, actor: Actor | None, inquiry_id: int, *, at: str) -> InquiryView:
    try:
        when = dt.datetime.fromisoformat((at or "").strip().replace(" ", "T"))
    except ValueError as exc:
        raise ServiceError(f"预约时间 {at!r} 无效，请写成 2026-12-01T09:30") from exc

    def apply(session: Session, q: Inquiry):
        if when < clock.now():
            raise ServiceError("预约时间已过，请填写将来的时间")

        if not WorkdayCalendar(session_schedules(session)).workday(when.date())[0]:
            raise ServiceError(f"{when:%Y-%m-%d} 不是工作日，大厅不办公：请预约工作日")
        if not dt.time(8, 0) <= when.time() <= dt.time(18, 0):
            raise ServiceError("预约时间应在办公时间 08:00–18:00 之内")
        q.appointment_at = when
        return {"at": when}

    return _outcome(engine, actor, inquiry_id, "appointment", {"at": at}, apply)


def close(engine: Engine, actor: Actor | None, inquiry_id: int) -> InquiryView:
    """A bare close is refused: an inquiry ends only by one of the allowed outcomes."""
    require(actor, "inquiry")
    with read_session(engine) as session:
        q = session.get(Inquiry, inquiry_id)
        if q is None:
            raise unknown_inquiry(inquiry_id)
        if q.outcome is None:
            names = "、".join(
                f"{v[0]}（inquiry {k.replace('answered', 'answer').replace('referred', 'refer')}）"
                for k, v in rules.OUTCOMES.items()
            )
            raise ServiceError(f"首问 #{q.id} 没有处理结果，不能直接关闭（没有“不归我管”）；请选择：{names}")
        return _view(session, q)


def acknowledge(engine: Engine, actor: Actor | None, inquiry_id: int) -> InquiryView:
    """A clerk of the department takes an absent-handler handover."""
    require(actor, "inquiry")

    def work(session: Session) -> InquiryView:
        q = session.get(Inquiry, inquiry_id)
        if q is None:
            raise unknown_inquiry(inquiry_id)
        if q.outcome != "absent" or q.acknowledged_at is not None:
            raise ServiceError(f"首问 #{q.id} 没有待接收的转交")
        if actor.department_id != q.department_id and actor.role != "supervisor":
            raise PermissionDenied(f"首问 #{q.id} 转交给{q.department_name}，请由该部门人员接收")
        q.acknowledged_at, q.acknowledged_by, q.status, q.closed_at = clock.now(), actor.staff_id, "closed", clock.now()
        session.add(q)
        events.record(session, "inquiry.acknowledged", actor=actor, subject=f"inquiry:{q.id}")
        return _view(session, q)

    return transaction(engine, work)


def list_inquiries(
    engine: Engine, actor: Actor | None, *, open_only: bool = False, staff: str | None = None, limit: int = 200
) -> list[InquiryView]:
    require(actor, "inquiry.read")
    with read_session(engine) as session:
        stmt = select(Inquiry)
        if open_only:
            stmt = stmt.where(Inquiry.status.in_(("open", "handed_over")))
        if staff:
            s = session.exec(select(Staff).where(Staff.number == staff.strip())).first()
            if s is None:
                raise unknown_staff(staff)
            stmt = stmt.where(Inquiry.responder_id == s.id)
        views = [_view(session, q) for q in session.exec(stmt.order_by(Inquiry.id.desc()).limit(limit))]
    return [v for v in views if not open_only or v.status != "closed"]


# ---------------------------------------------------------------- alerts


def _facts(session: Session, rules_: rules.Rules, case_rules) -> tuple[list, list, list, list]:
    numbers = {s.id: s.number for s in session.exec(select(Staff))}
    inquiries = []
    for q in session.exec(select(Inquiry).where(Inquiry.status.in_(("open", "handed_over")))):
        ack = _acknowledged(session, q)
        dept_staff: tuple[str, ...] = ()
        if q.outcome == "absent" and q.department_id:
            dept_staff = tuple(
                s.number
                for s in session.exec(
                    select(Staff).where(
                        Staff.department_id == q.department_id, Staff.active.is_(True), Staff.role == "clerk"
                    )
                )
            )
        view = _view(session, q)
        inquiries.append(
            rules.InquiryFact(
                q.id,
                numbers[q.responder_id],
                q.opened_at,
                q.matter,
                q.outcome,
                q.handed_over_at,
                ack,
                view.detail.split("，")[0] if q.outcome == "referred" else q.department_name,
                view.ticket,
                dept_staff,
            )
        )
    today = clock.today()
    tickets = []
    for t in session.exec(select(Ticket).where(Ticket.business_date == today, Ticket.transfers > 0)):
        last = session.exec(
            select(Event)
            .where(  # who transferred it last, and when
                Event.subject == t.number,
                Event.kind == "ticket.transferred",
                Event.at >= dt.datetime.combine(today, dt.time()),
            )
            .order_by(Event.id.desc())
        ).first()
        tickets.append(
            rules.TicketFact(
                t.number,
                t.business_date,
                t.transfers,
                numbers.get(last.staff_id, "") if last else numbers.get(t.staff_id, ""),
                last.at if last else None,
            )
        )
    cases = []
    # yellow and red straight from the (status, due_date) index: numbers and owners, not whole views
    calendar = WorkdayCalendar(session_schedules(session), count_from_same_day=case_rules.count_from_same_day)
    red_until, yellow_before = warning_bounds(calendar, today, case_rules.yellow_days)
    for number, owner_id, due in session.execute(
        columns(ServiceCase.number, ServiceCase.owner_id, ServiceCase.due_date).where(
            ServiceCase.status.in_(RUNNING_STATUSES), ServiceCase.due_date < yellow_before
        )
    ):
        cases.append(rules.CaseFact(number, numbers[owner_id], "red" if due <= red_until else "yellow", due))
    for c in session.exec(
        select(ServiceCase).where(ServiceCase.handover_to_id > 0)
    ):  # "> 0", not "IS NOT NULL": an index range
        cases.append(
            rules.CaseFact(c.number, numbers[c.owner_id], "none", None, numbers[c.handover_to_id], c.handover_at)
        )
    followups = []
    for f in session.exec(select(FollowUp).where(FollowUp.status == "open", FollowUp.due_date < today)):
        rating = session.get_one(Rating, f.rating_id)
        t = session.get_one(Ticket, rating.ticket_id)
        followups.append(
            rules.FollowUpFact(
                f.id, numbers[f.owner_id], f.due_date, f"差评整改 #{f.id}（{t.number}，{rating.window_number}号窗口）"
            )
        )
    return inquiries, tickets, cases, followups


def list_alerts(
    engine: Engine,
    actor: Actor | None,
    *,
    staff: str | None = None,
    rules_: rules.Rules = rules.Rules(),
    case_rules=None,
) -> list[rules.Alert]:
    """The alerts that hold now; for one staff member (the ones they must act on) or all."""
    require(actor, "alert.read")
    return _alerts(engine, staff=staff, rules_=rules_, case_rules=case_rules)


def _alerts(engine: Engine, *, staff: str | None, rules_: rules.Rules, case_rules) -> list[rules.Alert]:
    case_rules = case_rules or CaseRules()
    with read_session(engine) as session:
        dismissed = frozenset(d.key for d in session.exec(select(AlertDismissal)))
        if staff and session.exec(select(Staff).where(Staff.number == staff.strip())).first() is None:
            raise unknown_staff(staff)
        inquiries, tickets, cases, followups = _facts(session, rules_, case_rules)
        absences = absence_facts(session, clock.today())  # 大厅巡查: windows found empty with people waiting
    alerts = rules.evaluate(clock.now(), rules_, inquiries, tickets, cases, dismissed, followups, absences)
    return [a for a in alerts if not staff or a.responsible == staff.strip()]


def dismiss_alert(
    engine: Engine, actor: Actor | None, key: str, *, reason: str, rules_: rules.Rules = rules.Rules(), case_rules=None
) -> None:
    """Set an alert aside with a reason (recorded). Only its responsible person or a supervisor."""
    require(actor, "inquiry")
    reason = _text(reason, 200, "消除原因", required=True)
    current = {a.key: a for a in _alerts(engine, staff=None, rules_=rules_, case_rules=case_rules)}
    alert = current.get((key or "").strip())
    if alert is None:
        raise NotFound(f"没有编号为 {key} 的提醒（可能已处理）：请用 clerk-tui alerts list 查看")
    if alert.responsible != actor.number and actor.role != "supervisor":
        raise PermissionDenied(f"提醒 {key} 的责任人是 {alert.responsible}，只有责任人或带班领导可以消除")

    def work(session: Session) -> None:
        session.add(AlertDismissal(key=alert.key, reason=reason, staff_id=actor.staff_id, at=clock.now()))
        events.record(
            session,
            "alert.dismissed",
            actor=actor,
            subject=alert.key,
            alert_kind=alert.kind,
            reason=reason,
            responsible=alert.responsible,
        )

    transaction(engine, work)
