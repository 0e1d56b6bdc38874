"""Calling (叫号): the next ticket or a named one, recalls, no-shows, service, transfers and rejoining.

Calling is atomic across processes: a ticket moves from waiting to called only by
``UPDATE … WHERE id = :id AND status = 'waiting'``, and the loser of a race picks again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, literal
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain.queueing import (
    CALLED,
    DONE,
    NO_SHOW,
    PRIORITIES,
    SERVING,
    STATUS_NAMES,
    WAITING,
    Candidate,
    QueuePolicy,
    choose_next,
    is_priority,
)
from clerk_tui.services import events
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import ServiceError, typed_text
from clerk_tui.services.queue.rows import (
    CLOSED,
    OPEN,
    PAUSED,
    SET_STATE,
    SET_TICKET,
    TAKE,
    TICKET_BY_ID,
    WINDOW_QUEUES,
    TicketView,
    queue_by_prefix,
    queues_at_window,
    row_view,
    ticket_at_window,
    ticket_by_number,
    ticket_view,
    window_and_state,
    window_by_number,
    window_state,
)
from clerk_tui.services.queue.windows import require_holder
from clerk_tui.services.tx import transaction
from clerk_tui.store.models import Queue, ServiceItem, Ticket, Window, WindowState, id_of
from clerk_tui.store.prepared import Prepared

_T, _Q, _I = Ticket.__table__, Queue.__table__, ServiceItem.__table__  # the hot path's Core tables

# ------------------------------------------------------------------ calling


@dataclass(frozen=True)
class CallResult:
    ticket: TicketView | None
    why: str
    window: int
    auto_no_show: str | None = None  # a ticket marked no-show automatically before this call


def _open_state(session: Session, actor: Actor, number: int) -> tuple[Window, WindowState]:
    w = window_by_number(session, number)
    st = window_state(session, w, lock=True)
    require_holder(actor, st, number)
    if st.status == PAUSED:
        raise ServiceError(f"{number}号窗口已暂停服务（{st.pause_reason}），请先恢复服务")
    if st.status != OPEN:
        raise ServiceError(f"{number}号窗口未开窗，请先开窗")
    return w, st


_FRONT_COLUMNS = (
    _T.c.id,
    _T.c.number,
    _T.c.priority,
    _T.c.issued_at,
    _T.c.queued_at,
    _T.c.transfers,
    _T.c.target_window,
    _T.c.transferred_from,
    _T.c.business_date,
    _T.c.id_number,
    _T.c.transfer_reason,
    _T.c.note,
    _T.c.status,
    _T.c.window_number,
    _T.c.recalls,
    _T.c.called_at,
    _Q.c.prefix.label("q_prefix"),
    _Q.c.name.label("q_name"),
    _I.c.code.label("i_code"),
    _I.c.name.label("i_name"),
)


def _front(where) -> object:
    """The first waiting ticket matching ``where``, in line order (ix_ticket_front serves it)."""
    return (
        select(*_FRONT_COLUMNS)
        .join(_Q, _Q.c.id == _T.c.queue_id)
        .outerjoin(_I, _I.c.id == _T.c.item_id)
        .where(_T.c.business_date == bindparam("day"), _T.c.status == WAITING, *where)
        .order_by(_T.c.queued_at, _T.c.id)
        .limit(1)
    )


_FRONT_NORMAL = _front([_T.c.queue_id == bindparam("qid"), _T.c.priority == "none", _T.c.target_window.is_(None)])
# The priority kinds are listed (not ``!= 'none'``) so that each is an index seek, not a scan of the
# whole waiting line of the queue.
_FRONT_PRIORITY = _front(
    [
        _T.c.queue_id == bindparam("qid"),
        _T.c.priority.in_([literal(p) for p in PRIORITIES if is_priority(p)]),
        _T.c.target_window.is_(None),
    ]
)
_FRONT_SENT_HERE = _front([_T.c.target_window == bindparam("window")])
_FRONT_NORMAL, _FRONT_PRIORITY, _FRONT_SENT_HERE = map(Prepared, (_FRONT_NORMAL, _FRONT_PRIORITY, _FRONT_SENT_HERE))


def _candidates(
    session: Session,
    window_number: int,
    queue_ids: list[int],
    day: dt.date,
    policy: QueuePolicy,
    rows_out: dict | None = None,
) -> list[Candidate]:
    """The waiting tickets this window may call, reduced to the front of each line: the first
    priority and the first normal ticket of each of its queues, and the first ticket sent to it.
    The chooser only ever takes one of those, so each is one indexed lookup, however long the line.
    (A ticket's place in line is its ``queued_at``; a transfer sets it as the hall's policy says.)"""
    rows = []
    for qid in queue_ids:
        for stmt in (_FRONT_PRIORITY, _FRONT_NORMAL):
            row = stmt.run(session, {"day": day, "qid": qid}).first()
            if row is not None:
                rows.append(row)
    row = _FRONT_SENT_HERE.run(session, {"day": day, "window": window_number}).first()
    if row is not None:
        rows.append(row)
    if rows_out is not None:
        rows_out.update((r.id, r) for r in rows)
    return [
        Candidate(
            r.id,
            r.number,
            r.q_prefix,
            r.priority,
            r.issued_at,
            r.queued_at,
            r.transfers,
            r.target_window,
            r.transferred_from,
        )
        for r in rows
    ]


def _unfinished_current(session: Session, st, policy: QueuePolicy, actor: Actor, number: int) -> str | None:
    """Refuse to call on top of a called ticket, unless it may be marked no-show automatically."""
    if not st.current_ticket_id:
        return None
    cur = TICKET_BY_ID.run(session, {"tid": st.current_ticket_id}).first()
    if cur is None or cur.status not in (CALLED, SERVING) or cur.window_number != number:
        return None
    if cur.status == SERVING:
        raise ServiceError(f"{cur.number} 号正在办理，请先办结（或转办）再叫下一个号")
    if policy.auto_no_show and cur.recalls >= policy.recalls_before_no_show:
        _mark_no_show(session, session.get(Ticket, cur.id), actor, number, automatic=True)
        return cur.number
    raise ServiceError(f"{cur.number} 号已叫未到：请开始办理、重呼，或重呼{policy.recalls_before_no_show}次后标记过号")


def _take(session: Session, t_id: int, actor: Actor, number: int, now: dt.datetime) -> bool:
    """The guarded update: only a still-waiting ticket can be taken."""
    res = TAKE.run(session, {"tid": t_id, "window": number, "staff": actor.staff_id, "now": now})
    return res.rowcount == 1


def _call_in(
    session: Session, actor: Actor, number: int, policy: QueuePolicy, w, st, *, finished_current: bool = False
) -> CallResult:
    """The call itself, inside the caller's transaction, for a window the actor holds."""
    if st.status == PAUSED:
        raise ServiceError(f"{number}号窗口已暂停服务（{st.pause_reason}），请先恢复服务")
    if st.status != OPEN:
        raise ServiceError(f"{number}号窗口未开窗，请先开窗")
    auto = None if finished_current else _unfinished_current(session, st, policy, actor, number)
    queues = WINDOW_QUEUES.run(session, {"wid": w.wid}).all()
    names = {q.prefix: q.name for q in queues}
    day, now = clock.today(), clock.now()
    rows: dict = {}
    while True:
        choice = choose_next(
            _candidates(session, number, [q.id for q in queues], day, policy, rows),
            window=number,
            window_queues=[q.prefix for q in queues],
            policy=policy,
            normals_since_priority=st.normals_since_priority,
            queue_names=names,
        )
        if choice is None:
            SET_STATE.run(session, {"wid": w.wid, "current_ticket_id": None})
            return CallResult(None, "没有等候的号", number, auto)
        if _take(session, choice.ticket.id, actor, number, now):
            break  # another window took that one first: choose again
    SET_STATE.run(
        session,
        {
            "wid": w.wid,
            "current_ticket_id": choice.ticket.id,
            "normals_since_priority": 0 if choice.was_priority else st.normals_since_priority + 1,
        },
    )
    events.record(
        session,
        "ticket.called",
        actor=actor,
        subject=choice.ticket.number,
        window=number,
        ticket_id=choice.ticket.id,
        why=choice.why,
        queue=choice.ticket.queue,
        priority=choice.ticket.priority,
    )
    view = row_view(rows[choice.ticket.id], status=CALLED, window_number=number, called_at=now, recalls=0)
    return CallResult(view, choice.why, number, auto)


def call_next(engine: Engine, actor: Actor | None, number: int, policy: QueuePolicy = QueuePolicy()) -> CallResult:
    """叫号: take exactly one waiting ticket for this window, or none when nobody waits."""
    require(actor, "ticket.serve")

    def work(session: Session) -> CallResult:
        w, st = window_and_state(session, actor, number)
        return _call_in(session, actor, number, policy, w, st)

    return transaction(engine, work)


@dataclass(frozen=True)
class NextResult:
    finished: TicketView | None
    call: CallResult


def finish_and_call_next(
    engine: Engine, actor: Actor | None, number: int, policy: QueuePolicy = QueuePolicy()
) -> NextResult:
    """办结并叫号 (下一位): finish the ticket in hand, if any, and call the next, in one transaction."""
    require(actor, "ticket.serve")

    def work(session: Session) -> NextResult:
        w, st = window_and_state(session, actor, number)
        finished = None
        if st.current_ticket_id:
            cur = TICKET_BY_ID.run(session, {"tid": st.current_ticket_id}).first()
            if cur is not None and cur.status in (CALLED, SERVING) and cur.window_number == number:
                finished = _finish_in(session, actor, cur.number, number, w, st)
        return NextResult(
            finished, _call_in(session, actor, number, policy, w, st, finished_current=finished is not None)
        )

    return transaction(engine, work)


def call_specific(
    engine: Engine, actor: Actor | None, ticket_number: str, number: int, policy: QueuePolicy = QueuePolicy()
) -> CallResult:
    """指定叫号 (audited): call this waiting ticket out of turn."""
    require(actor, "ticket.serve")

    def work(session: Session) -> CallResult:
        w, st = _open_state(session, actor, number)
        auto = _unfinished_current(session, st, policy, actor, number)
        t = ticket_by_number(session, ticket_number, lock=True)
        if t.status != WAITING:
            raise ServiceError(f"{t.number} 号当前状态为“{STATUS_NAMES.get(t.status, t.status)}”，只能指定叫等候中的号")
        if t.target_window not in (None, number):
            raise ServiceError(f"{t.number} 号已转给{t.target_window}号窗口，请由该窗口办理")
        if t.target_window is None and t.queue_id not in {q.id for q in queues_at_window(session, w)}:
            q = session.get(Queue, t.queue_id)
            raise ServiceError(
                f"{t.number} 号在 {q.prefix} {q.name} 队列，本窗口不办理该队列；"
                "如确需本窗口办理，请由该队列的窗口转办过来"
            )
        if not _take(session, t.id, actor, number, clock.now()):
            raise ServiceError(f"{t.number} 号刚被其他窗口叫走")
        st.current_ticket_id = t.id
        session.add(st)
        session.refresh(t)
        why = f"{t.number}：指定叫号（已记录）"
        events.record(
            session,
            "ticket.called",
            actor=actor,
            subject=t.number,
            window=number,
            ticket_id=t.id,
            why=why,
            specific=True,
            queue=session.get(Queue, t.queue_id).prefix,
            priority=t.priority,
        )
        return CallResult(ticket_view(session, t), why, number, auto)

    return transaction(engine, work)


def _at_window(
    session: Session, actor: Actor, ticket_number: str, number: int, statuses: tuple[str, ...]
) -> tuple[Ticket, WindowState]:
    w = window_by_number(session, number)
    st = window_state(session, w, lock=True)
    require_holder(actor, st, number)
    t = ticket_by_number(session, ticket_number, lock=True)
    if t.window_number != number or t.status not in statuses:
        where = f"（当前：{STATUS_NAMES.get(t.status, t.status)}" + (
            f"，{t.window_number}号窗口）" if t.window_number else "）"
        )
        raise ServiceError(f"{t.number} 号不是本窗口正在处理的号{where}")
    return t, st


def recall(engine: Engine, actor: Actor | None, ticket_number: str, number: int) -> TicketView:
    """重呼: counted."""
    require(actor, "ticket.serve")

    def work(session: Session) -> TicketView:
        _, st = window_and_state(session, actor, number)
        row = ticket_at_window(session, ticket_number, number, (CALLED,))
        if st.status != OPEN:
            raise ServiceError(f"{number}号窗口当前不在服务状态，不能重呼")
        SET_TICKET.run(session, {"tid": row.id, "recalls": row.recalls + 1})
        events.record(
            session,
            "ticket.recalled",
            actor=actor,
            subject=row.number,
            window=number,
            ticket_id=row.id,
            recalls=row.recalls + 1,
        )
        return row_view(row, recalls=row.recalls + 1)

    return transaction(engine, work)


def _mark_no_show(session: Session, t: Ticket, actor: Actor, number: int, *, automatic: bool = False) -> None:
    t.status, t.no_show_at = NO_SHOW, clock.now()
    session.add(t)
    st = session.exec(
        select(WindowState).join(Window, Window.id == WindowState.window_id).where(Window.number == number)
    ).first()
    if st and st.current_ticket_id == t.id:
        st.current_ticket_id = None
        session.add(st)
    events.record(
        session,
        "ticket.no_show",
        actor=actor,
        subject=t.number,
        window=number,
        ticket_id=t.id,
        recalls=t.recalls,
        automatic=automatic,
    )


def mark_no_show(
    engine: Engine, actor: Actor | None, ticket_number: str, number: int, policy: QueuePolicy = QueuePolicy()
) -> TicketView:
    """过号: allowed after K recalls."""
    require(actor, "ticket.serve")

    def work(session: Session) -> TicketView:
        t, _ = _at_window(session, actor, ticket_number, number, (CALLED,))
        if t.recalls < policy.recalls_before_no_show:
            raise ServiceError(
                f"{t.number} 号已重呼{t.recalls}次，需重呼{policy.recalls_before_no_show}次后才能标记过号"
            )
        _mark_no_show(session, t, actor, number)
        return ticket_view(session, t)

    return transaction(engine, work)


def start_service(engine: Engine, actor: Actor | None, ticket_number: str, number: int) -> TicketView:
    """开始办理: the person has come to the window."""
    require(actor, "ticket.serve")

    def work(session: Session) -> TicketView:
        window_and_state(session, actor, number)
        row = ticket_at_window(session, ticket_number, number, (CALLED,))
        SET_TICKET.run(session, {"tid": row.id, "status": SERVING, "started_at": clock.now()})
        events.record(session, "ticket.started", actor=actor, subject=row.number, window=number, ticket_id=row.id)
        return row_view(row, status=SERVING)

    return transaction(engine, work)


def _finish_in(session: Session, actor: Actor, ticket_number: str, number: int, w, st) -> TicketView:
    row = ticket_at_window(session, ticket_number, number, (CALLED, SERVING))
    now = clock.now()
    started = row.started_at or now
    SET_TICKET.run(session, {"tid": row.id, "status": DONE, "finished_at": now, "started_at": started})
    if st.current_ticket_id == row.id:
        SET_STATE.run(session, {"wid": w.wid, "current_ticket_id": None})
    events.record(session, "ticket.finished", actor=actor, subject=row.number, window=number, ticket_id=row.id)
    return row_view(row, status=DONE)


def finish_service(engine: Engine, actor: Actor | None, ticket_number: str, number: int) -> TicketView:
    """办结 (of the visit; the case issue records the matter's outcome)."""
    require(actor, "ticket.serve")

    def work(session: Session) -> TicketView:
        w, st = window_and_state(session, actor, number)
        return _finish_in(session, actor, ticket_number, number, w, st)

    return transaction(engine, work)


def transfer(
    engine: Engine,
    actor: Actor | None,
    ticket_number: str,
    *,
    reason: str,
    to_queue: str | None = None,
    to_window: int | None = None,
    from_window: int | None = None,
    policy: QueuePolicy = QueuePolicy(),
) -> TicketView:
    """转办: to another queue or window, keeping the number and the original arrival time."""
    require(actor, "ticket.serve")
    reason = typed_text(reason, 200, "转办原因")
    if not reason:
        raise ServiceError("转办需要填写原因，接收窗口会看到")
    if (to_queue is None) == (to_window is None):
        raise ServiceError("请指定转往的队列（--to-queue）或窗口（--to-window），二者选一")

    return transaction(
        engine,
        lambda session: ticket_view(
            session,
            transfer_in(
                session,
                actor,
                ticket_number,
                reason=reason,
                to_queue=to_queue,
                to_window=to_window,
                from_window=from_window,
                policy=policy,
            ),
        ),
    )


def transfer_in(
    session: Session,
    actor: Actor,
    ticket_number: str,
    *,
    reason: str,
    to_queue: str | None = None,
    to_window: int | None = None,
    from_window: int | None = None,
    policy: QueuePolicy = QueuePolicy(),
    priority: str | None = None,
) -> Ticket:
    """Transfer inside the caller's transaction (the window's F10, and a 首问 referral, which also
    gives the ticket the referral priority)."""
    t = ticket_by_number(session, ticket_number, lock=True)
    # The window it leaves: the one holding it, else (a waiting ticket) the window of whoever moved it.
    here = (
        from_window if from_window is not None else (t.window_number if t.window_number is not None else actor.window)
    )
    if t.status not in (WAITING, CALLED, SERVING):
        raise ServiceError(f"{t.number} 号当前为“{STATUS_NAMES.get(t.status, t.status)}”，不能转办")
    if t.status in (CALLED, SERVING):
        st_here = window_state(session, window_by_number(session, t.window_number), lock=True)
        require_holder(actor, st_here, t.window_number)
    before = {"queue": session.get(Queue, t.queue_id).prefix, "window": t.target_window}
    if to_window is not None:
        w = window_by_number(session, to_window)
        target_state = window_state(session, w)
        if target_state.status == CLOSED:
            raise ServiceError(f"{to_window}号窗口未开窗，不能转往该窗口，请选择其他窗口或队列")
        if to_window == here and t.status != WAITING:
            raise ServiceError(f"{t.number} 号就在{to_window}号窗口，无需转办")
        t.target_window = to_window
    else:
        q = queue_by_prefix(session, to_queue)
        if q.id == t.queue_id and t.target_window is None:
            raise ServiceError(f"{t.number} 号已在 {q.prefix} {q.name} 队列中，请选择其他队列")
        t.queue_id, t.target_window = id_of(q), None
    if t.window_number is not None:
        st = window_state(session, window_by_number(session, t.window_number), lock=True)
        if st.current_ticket_id == t.id:
            st.current_ticket_id = None
            session.add(st)
    t.transferred_from = here
    t.status, t.transfers, t.transfer_reason = WAITING, t.transfers + 1, typed_text(reason, 200, "转办原因")
    if priority is not None:
        t.priority = priority
    # Keep the person's place (their ticket time) or send them to the back, as the hall sets it.
    t.queued_at = t.issued_at if policy.transferred_front else clock.now()
    t.called_at, t.started_at = None, None
    session.add(t)
    session.flush()
    events.record(
        session,
        "ticket.transferred",
        actor=actor,
        subject=t.number,
        window=here,
        ticket_id=t.id,
        reason=reason,
        before=before,
        to_queue=to_queue,
        to_window=to_window,
        transfers=t.transfers,
    )
    return t


def rejoin(engine: Engine, actor: Actor | None, ticket_number: str, policy: QueuePolicy = QueuePolicy()) -> TicketView:
    """过号后返回: within M minutes the ticket waits again with its number and arrival time."""
    require(actor, "ticket.rejoin")

    def work(session: Session) -> TicketView:
        t = ticket_by_number(session, ticket_number, lock=True)
        if t.status != NO_SHOW:
            raise ServiceError(f"{t.number} 号不是过号状态（当前：{STATUS_NAMES.get(t.status, t.status)}）")
        minutes = (clock.now() - t.no_show_at).total_seconds() / 60
        if minutes > policy.rejoin_minutes:
            raise ServiceError(f"{t.number} 号已过号{int(minutes)}分钟，超过{policy.rejoin_minutes}分钟，请重新取号")
        t.status, t.recalls = WAITING, 0
        session.add(t)
        events.record(
            session, "ticket.rejoined", actor=actor, subject=t.number, ticket_id=t.id, minutes=round(minutes, 1)
        )
        return ticket_view(session, t)

    return transaction(engine, work)
