"""Issuing tickets (取号): for an item or a queue, at the desk, at check-in or by a referral."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from clerk_tui import clock
from clerk_tui.domain.ids import check_resident_id
from clerk_tui.domain.queueing import (
    PRIORITIES,
    PRIORITY_NAMES,
    WAITING,
    QueuePolicy,
    format_number,
)
from clerk_tui.services import events
from clerk_tui.services.context import Actor, require_staff_or_device
from clerk_tui.services.errors import PermissionDenied, ServiceError, typed_text, unknown_item
from clerk_tui.services.queue.rows import (
    ACTIVE_FOR_ID,
    INSERT_TICKET,
    ITEM_BY_CODE,
    QUEUE_BY_PREFIX,
    ChangedRow,
    TicketView,
    ahead_of,
    queue_by_prefix,
    row_view,
)
from clerk_tui.services.tx import transaction
from clerk_tui.store.counters import next_ticket_seq


def _check_issue(priority: str, id_number: str | None) -> str | None:
    if priority not in PRIORITIES:
        raise ServiceError(
            f"优先类型 {priority!r} 无效，可用：" + "、".join(f"{k}（{v}）" for k, v in PRIORITY_NAMES.items())
        )
    if not id_number:
        return None
    check = check_resident_id(id_number, clock.today())
    if not check.ok:
        raise ServiceError(check.reason)
    return check.value


def issue_in(
    session: Session,
    actor: Actor,
    *,
    item_code: str | None,
    queue: str | None,
    priority: str,
    id_number: str | None,
    policy: QueuePolicy,
    note: str = "",
    appointment_id: int | None = None,
) -> int:
    """Issue a ticket inside the caller's transaction (issuing, check-in, referrals); its id."""
    return _issue_row(
        session,
        actor,
        item_code=item_code,
        queue=queue,
        priority=priority,
        id_number=id_number,
        policy=policy,
        note=note,
        appointment_id=appointment_id,
    ).id


def _issue_row(
    session: Session,
    actor: Actor,
    *,
    item_code: str | None,
    queue: str | None,
    priority: str,
    id_number: str | None,
    policy: QueuePolicy,
    note: str = "",
    appointment_id: int | None = None,
):
    """Issue a ticket inside the caller's transaction; the row as written (with its queue's and
    item's names), which ``issue_ticket`` turns into a view without reading it back."""
    checked_id = _check_issue(priority, id_number)
    note = typed_text(note, 200, "备注")
    if not item_code and not queue:
        raise ServiceError("请指定事项（--item）或队列（--queue）")
    item = None
    if item_code:
        item = ITEM_BY_CODE.run(session, {"code": item_code.strip()}).first()
        if item is None:
            raise unknown_item(item_code)
    if queue:
        q = QUEUE_BY_PREFIX.run(session, {"prefix": queue.strip().upper()}).first()
        if q is None:
            queue_by_prefix(session, queue)  # raises with the list of queues
        if item is not None and item.queue_id != q.id:  # a ticket's item is served in its own queue only
            raise ServiceError(
                f"事项 {item.code}（{item.name}）在 {item.prefix} {item.q_name} 队列办理，不在 {q.prefix} 队列："
                f"只按事项取号即可（不指定队列），或改为 {item.prefix} 队列"
            )
    else:
        q = ChangedRow({"id": item.queue_id, "prefix": item.prefix, "name": item.q_name, "hall_id": item.hall_id}, {})
    now, day = clock.now(), clock.today()
    if checked_id:
        active = ACTIVE_FOR_ID.run(session, {"id_number": checked_id, "day": day}).scalar_one()
        if active >= policy.max_active_per_id:
            raise ServiceError(
                f"该身份证号今天已有{active}张未办结的号（上限{policy.max_active_per_id}张），请先办结或过号后再取"
            )
    seq = next_ticket_seq(session, q.hall_id, q.id, day)
    number = format_number(q.prefix, seq)
    values = {
        "hall_id": q.hall_id,
        "business_date": day,
        "number_queue_id": q.id,
        "seq": seq,
        "number": number,
        "queue_id": q.id,
        "target_window": None,
        "item_id": item.id if item else None,
        "priority": priority,
        "id_number": checked_id,
        "status": WAITING,
        "issued_at": now,
        "queued_at": now,
        "issued_by": actor.staff_ref,
        "window_number": None,
        "staff_id": None,
        "called_at": None,
        "started_at": None,
        "finished_at": None,
        "no_show_at": None,
        "recalls": 0,
        "transfers": 0,
        "transferred_from": None,
        "transfer_reason": "",
        "appointment_id": appointment_id,
        "note": note,
    }
    tid = INSERT_TICKET.run(session, values).scalar_one()
    events.record(
        session,
        "ticket.issued",
        actor=actor,
        subject=number,
        ticket_id=tid,
        queue=q.prefix,
        priority=priority,
        item=item.code if item else None,
    )
    return ChangedRow(
        values,
        {
            "id": tid,
            "q_prefix": q.prefix,
            "q_name": q.name,
            "i_code": item.code if item else None,
            "i_name": item.name if item else None,
        },
    )


def issue_ticket(
    engine: Engine,
    actor: Actor | None,
    *,
    item_code: str | None = None,
    queue: str | None = None,
    priority: str = "none",
    id_number: str | None = None,
    policy: QueuePolicy = QueuePolicy(),
    note: str = "",
) -> TicketView:
    """取号 for an item (its queue) or a queue directly. A self-service kiosk issues ordinary
    tickets only: priorities are checked by a person at the guide desk."""
    require_staff_or_device(actor, "ticket.issue", "kiosk.issue")
    if actor is not None and actor.device is not None and priority != "none":
        raise PermissionDenied("优先号（老年人、残疾人、孕妇、军人等）请到导办台（导办员处）办理，自助取号机只取普通号")
    _check_issue(priority, id_number)  # refuse bad input before opening a transaction

    def work(session: Session) -> TicketView:
        row = _issue_row(
            session,
            actor,
            item_code=item_code,
            queue=queue,
            priority=priority,
            id_number=id_number,
            policy=policy,
            note=note,
        )
        return row_view(row, ahead_of(session, row))

    return transaction(engine, work)
