"""The queue (排队叫号): issuing tickets, windows, calling, recalls, no-shows and transfers.

Every function is one use case: it checks the role, changes rows with guarded updates, appends
an event and commits, all in one transaction that retries lock conflicts (services.tx). Calling
is atomic across processes: a ticket moves from waiting to called only by
``UPDATE … WHERE id = :id AND status = 'waiting'``, and the loser of a race picks again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, func, literal, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain.ids import check_resident_id, mask_id
from clerk_tui.domain.queueing import (
    ACTIVE, CALLED, DONE, NO_SHOW, PRIORITIES, PRIORITY_NAMES, SERVING, STATUS_NAMES, WAITING, Candidate,
    QueuePolicy, choose_next, format_number, is_priority,
)
from clerk_tui.services import events
from clerk_tui.services.catalog import get_hall
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import NotFound, ServiceError, unknown_item
from clerk_tui.services.tx import transaction
from clerk_tui.store.counters import next_ticket_seq
from clerk_tui.store.engine import read_session
from clerk_tui.store.prepared import Prepared
from clerk_tui.store.models import Queue, ServiceItem, Staff, Ticket, Window, WindowQueue, WindowState

OPEN, PAUSED, CLOSED = "open", "paused", "closed"
WINDOW_STATUS_NAMES = {OPEN: "服务中", PAUSED: "暂停服务", CLOSED: "未开窗"}
PAUSE_REASONS = ("午休", "会议", "系统故障", "临时离开", "业务培训", "其他")


# ------------------------------------------------------------------ views


@dataclass(frozen=True)
class TicketView:
    id: int
    number: str
    queue: str
    queue_name: str
    business_date: dt.date
    priority: str
    status: str
    issued_at: dt.datetime
    item_code: str | None = None
    item_name: str | None = None
    id_number_masked: str | None = None
    waiting_ahead: int = 0
    window: int | None = None
    target_window: int | None = None
    recalls: int = 0
    transfers: int = 0
    transferred_from: int | None = None
    transfer_reason: str = ""
    called_at: dt.datetime | None = None
    note: str = ""

    @property
    def priority_name(self) -> str:
        return PRIORITY_NAMES.get(self.priority, self.priority)

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)

    @property
    def transfer_source(self) -> str:
        """Where the last transfer came from, for people: ``自3号窗口转来``, or ``由他处转来`` when someone
        at no window moved it while it waited (no window number to name). Empty when never transferred."""
        if not self.transfers:
            return ""
        return f"自{self.transferred_from}号窗口转来" if self.transferred_from is not None else "由他处转来"

    def as_json(self) -> dict:
        return {
            "number": self.number, "queue": self.queue, "queue_name": self.queue_name,
            "business_date": self.business_date.isoformat(), "priority": self.priority, "status": self.status,
            "issued_at": self.issued_at.isoformat(timespec="seconds"), "item": self.item_code,
            "item_name": self.item_name, "id_number": self.id_number_masked, "waiting_ahead": self.waiting_ahead,
            "window": self.window, "target_window": self.target_window, "recalls": self.recalls,
            "transfers": self.transfers, "transferred_from": self.transferred_from,
            "transfer_reason": self.transfer_reason, "note": self.note,
        }


def _view(session: Session, t: Ticket, *, ahead: int | None = None) -> TicketView:
    q = session.get(Queue, t.queue_id)
    item = session.get(ServiceItem, t.item_id) if t.item_id else None
    return TicketView(
        id=t.id, number=t.number, queue=q.prefix, queue_name=q.name, business_date=t.business_date,
        priority=t.priority, status=t.status, issued_at=t.issued_at,
        item_code=item.code if item else None, item_name=item.name if item else None,
        id_number_masked=mask_id(t.id_number) if t.id_number else None,
        waiting_ahead=(_ahead_of(session, t) if t.status == WAITING else 0) if ahead is None else ahead,
        window=t.window_number, target_window=t.target_window, recalls=t.recalls, transfers=t.transfers,
        transferred_from=t.transferred_from, transfer_reason=t.transfer_reason, called_at=t.called_at, note=t.note,
    )


ticket_view = _view


# ------------------------------------------------------------------ lookups


def _queue(session: Session, prefix: str) -> Queue:
    q = session.exec(select(Queue).where(Queue.prefix == prefix.strip().upper())).first()
    if q is None:
        known = "、".join(x.prefix for x in session.exec(select(Queue).order_by(Queue.prefix)))
        raise NotFound(f"没有队列 {prefix}，本厅的队列有：{known}")
    return q


# Statements on the calling path are built once; only their bound values change per call.
_WINDOW_BY_NUMBER = select(Window).where(Window.number == bindparam("number"))
_STATE_BY_WINDOW = select(WindowState).where(WindowState.window_id == bindparam("window_id"))
_STATE_BY_WINDOW_LOCKED = _STATE_BY_WINDOW.with_for_update()
_TICKET_BY_NUMBER = select(Ticket).where(Ticket.business_date == bindparam("day"), Ticket.number == bindparam("number"))
_TICKET_BY_NUMBER_LOCKED = _TICKET_BY_NUMBER.with_for_update()


def _window(session: Session, number: int) -> Window:
    w = session.exec(_WINDOW_BY_NUMBER, params={"number": number}).first()
    if w is None:
        raise NotFound(f"没有{number}号窗口，请用 clerk-tui window list 查看窗口号")
    return w


def _state(session: Session, window: Window, *, lock: bool = False) -> WindowState:
    st = session.exec(_STATE_BY_WINDOW_LOCKED if lock else _STATE_BY_WINDOW, params={"window_id": window.id}).first()
    if st is None:
        st = WindowState(window_id=window.id, status=CLOSED, changed_at=clock.now())
        session.add(st)
        session.flush()
    return st


def normalise_number(number: str) -> str:
    """K19 → K019: people say and type numbers without the leading zeros."""
    import re

    number = (number or "").strip().upper()
    m = re.fullmatch(r"([A-Z])\s*0*(\d{1,4})", number)
    return format_number(m.group(1), int(m.group(2))) if m else number


def _typed_number(number: str) -> str:
    number = normalise_number(number)
    if not number:
        raise ServiceError("请输入号码（如 A001）")
    return number


def _ticket(session: Session, number: str, day: dt.date | None = None, *, lock: bool = False) -> Ticket:
    number = _typed_number(number)
    day = day or clock.today()
    t = session.exec(_TICKET_BY_NUMBER_LOCKED if lock else _TICKET_BY_NUMBER, params={"day": day, "number": number}).first()
    if t is None:
        raise NotFound(f"今天（{day}）没有 {number} 号，请核对号码")
    return t


def _window_queues(session: Session, window: Window) -> list[Queue]:
    return list(session.exec(
        select(Queue).join(WindowQueue, WindowQueue.queue_id == Queue.id)
        .where(WindowQueue.window_id == window.id).order_by(WindowQueue.position)))


# ------------------------------------------------------------------ issuing


# ------------------------------------------------------------------ the hot path, prepared
# Issuing, calling, starting, finishing and recalling run thousands of times a day at every
# window; they use prebuilt Core statements run as prepared statements rather than ORM objects
# (the ORM's and the engine's bookkeeping cost several times the SQL itself, and on SQLite it is
# paid while the writer lock is held). Everything else uses the ORM.

_T, _Q, _I = Ticket.__table__, Queue.__table__, ServiceItem.__table__
_W, _WS, _WQ = Window.__table__, WindowState.__table__, WindowQueue.__table__
_WINDOW_ROW = Prepared(select(_W.c.id, _W.c.number).where(_W.c.number == bindparam("number")))
_WINDOW_STATE_LOCKED = Prepared(select(_W.c.id.label("wid"), _WS).join(_WS, _WS.c.window_id == _W.c.id)
                                .where(_W.c.number == bindparam("number")).with_for_update(of=_WS))
_WINDOW_QUEUES = Prepared(select(_Q.c.id, _Q.c.prefix, _Q.c.name).join(_WQ, _WQ.c.queue_id == _Q.c.id)
                          .where(_WQ.c.window_id == bindparam("wid")).order_by(_WQ.c.position))
_TICKET_ROW_LOCKED = Prepared(
    select(_T, _Q.c.prefix.label("q_prefix"), _Q.c.name.label("q_name"), _I.c.code.label("i_code"), _I.c.name.label("i_name"))
    .join(_Q, _Q.c.id == _T.c.queue_id).outerjoin(_I, _I.c.id == _T.c.item_id)
    .where(_T.c.business_date == bindparam("day"), _T.c.number == bindparam("number"))
    .with_for_update(of=_T))
_TICKET_BY_ID = Prepared(select(_T.c.id, _T.c.number, _T.c.status, _T.c.window_number, _T.c.recalls)
                         .where(_T.c.id == bindparam("tid")))
_SET_STATE = Prepared(_WS.update().where(_WS.c.window_id == bindparam("wid")))
_SET_TICKET = Prepared(_T.update().where(_T.c.id == bindparam("tid")))
_TAKE = Prepared(_T.update().where(_T.c.id == bindparam("tid"), _T.c.status == WAITING)
                 .values(status=CALLED, window_number=bindparam("window"), staff_id=bindparam("staff"),
                         called_at=bindparam("now"), recalls=0))
_QUEUE_BY_PREFIX = Prepared(select(_Q.c.id, _Q.c.prefix, _Q.c.name, _Q.c.hall_id)
                            .where(_Q.c.prefix == bindparam("prefix")))
_ITEM_BY_CODE = Prepared(select(_I.c.id, _I.c.code, _I.c.name, _I.c.queue_id, _Q.c.prefix, _Q.c.name.label("q_name"),
                                _Q.c.hall_id)
                         .join(_Q, _Q.c.id == _I.c.queue_id).where(_I.c.code == bindparam("code")))
_INSERT_TICKET = Prepared(_T.insert().returning(_T.c.id))
_ACTIVE_FOR_ID = Prepared(select(func.count()).select_from(_T).where(
    _T.c.id_number == bindparam("id_number"), _T.c.business_date == bindparam("day"),
    _T.c.status.in_([literal(s) for s in ACTIVE])))  # listed literals: a prepared statement has no expanding IN


def _row_view(row, ahead: int = 0, **changes) -> TicketView:
    if changes:
        row = _Changed(row._values if isinstance(row, _Changed) else row._mapping, changes)
    return TicketView(
        id=row.id, number=row.number, queue=row.q_prefix, queue_name=row.q_name, business_date=row.business_date,
        priority=row.priority, status=row.status, issued_at=row.issued_at, item_code=row.i_code, item_name=row.i_name,
        id_number_masked=mask_id(row.id_number) if row.id_number else None, waiting_ahead=ahead,
        window=row.window_number, target_window=row.target_window, recalls=row.recalls, transfers=row.transfers,
        transferred_from=row.transferred_from, transfer_reason=row.transfer_reason, called_at=row.called_at,
        note=row.note,
    )


class _Changed:
    """A row with some columns replaced by what the transaction just wrote."""

    def __init__(self, mapping, changes: dict) -> None:
        self._values = dict(mapping) | changes

    def __getattr__(self, name: str):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None


def _ahead_statement(sent_to_window: bool, priority: bool):
    same = [_T.c.business_date == bindparam("day"), _T.c.status == WAITING, _T.c.id != bindparam("tid")]
    if sent_to_window:
        same.append(_T.c.target_window == bindparam("target"))
    else:
        same += [_T.c.queue_id == bindparam("qid"), _T.c.target_window.is_(None)]
    earlier = or_(_T.c.queued_at < bindparam("queued_at"),
                  and_(_T.c.queued_at == bindparam("queued_at"), _T.c.id < bindparam("tid")))
    cond = and_(_T.c.priority != "none", earlier) if priority else or_(_T.c.priority != "none", earlier)
    return select(func.count()).select_from(_T).where(*same, cond)


_AHEAD = {(s, p): Prepared(_ahead_statement(s, p)) for s in (False, True) for p in (False, True)}


def _ahead_of(session: Session, row) -> int:
    """How many waiting tickets of its line a window would call before this one (a row or an ORM ticket)."""
    stmt = _AHEAD[(row.target_window is not None, is_priority(row.priority))]
    return stmt.run(session, {"day": row.business_date, "tid": row.id, "target": row.target_window,
                                  "qid": row.queue_id, "queued_at": row.queued_at}).scalar_one()


def _window_and_state(session: Session, actor: Actor, number: int):
    """(window row, state row) for a window the actor holds; refuses otherwise."""
    st = _WINDOW_STATE_LOCKED.run(session, {"number": number}).first()
    if st is None and _WINDOW_ROW.run(session, {"number": number}).first() is None:
        raise NotFound(f"{number}号窗口不存在，请用 clerk-tui window list 查看窗口号")
    w = st
    if st is None or st.staff_id is None:
        raise ServiceError(f"{number}号窗口尚未开窗，请先开窗（clerk-tui window open {number}）")
    if st.staff_id != actor.staff_id:
        raise ServiceError(f"{number}号窗口由其他人员开窗，您不能在此窗口操作")
    return w, st


def _ticket_at_window(session: Session, ticket_number: str, number: int, statuses: tuple[str, ...]):
    typed = _typed_number(ticket_number)
    row = _TICKET_ROW_LOCKED.run(session, {"day": clock.today(), "number": typed}).first()
    if row is None:
        raise NotFound(f"今天（{clock.today()}）没有 {typed} 号，请核对号码")
    if row.window_number != number or row.status not in statuses:
        where = f"（当前：{STATUS_NAMES.get(row.status, row.status)}" + (f"，{row.window_number}号窗口）" if row.window_number else "）")
        raise ServiceError(f"{row.number} 号不是本窗口正在处理的号{where}")
    return row


def _check_issue(priority: str, id_number: str | None) -> str | None:
    if priority not in PRIORITIES:
        raise ServiceError(f"优先类型 {priority!r} 无效，可用：" + "、".join(f"{k}（{v}）" for k, v in PRIORITY_NAMES.items()))
    if not id_number:
        return None
    check = check_resident_id(id_number, clock.today())
    if not check.ok:
        raise ServiceError(check.reason)
    return check.value


def issue_in(session: Session, actor: Actor, *, item_code: str | None, queue: str | None, priority: str,
             id_number: str | None, policy: QueuePolicy, note: str = "", appointment_id: int | None = None) -> int:
    """Issue a ticket inside the caller's transaction (issuing, check-in, referrals); its id."""
    checked_id = _check_issue(priority, id_number)
    if not item_code and not queue:
        raise ServiceError("请指定事项（--item）或队列（--queue）")
    item = None
    if item_code:
        item = _ITEM_BY_CODE.run(session, {"code": item_code.strip()}).first()
        if item is None:
            raise unknown_item(item_code)
    if queue:
        q = _QUEUE_BY_PREFIX.run(session, {"prefix": queue.strip().upper()}).first()
        if q is None:
            _queue(session, queue)  # raises with the list of queues
        if item is not None and item.queue_id != q.id:  # a ticket's item is served in its own queue only
            raise ServiceError(f"事项 {item.code}（{item.name}）在 {item.prefix} {item.q_name} 队列办理，不在 {q.prefix} 队列："
                               f"只按事项取号即可（不指定队列），或改为 {item.prefix} 队列")
    else:
        q = _Changed({"id": item.queue_id, "prefix": item.prefix, "name": item.q_name, "hall_id": item.hall_id}, {})
    now, day = clock.now(), clock.today()
    if checked_id:
        active = _ACTIVE_FOR_ID.run(session, {"id_number": checked_id, "day": day}).scalar_one()
        if active >= policy.max_active_per_id:
            raise ServiceError(f"该身份证号今天已有{active}张未办结的号（上限{policy.max_active_per_id}张），"
                               "请先办结或过号后再取")
    seq = next_ticket_seq(session, q.hall_id, q.id, day)
    number = format_number(q.prefix, seq)
    values = {
        "hall_id": q.hall_id, "business_date": day, "number_queue_id": q.id, "seq": seq, "number": number,
        "queue_id": q.id, "target_window": None, "item_id": item.id if item else None, "priority": priority,
        "id_number": checked_id, "status": WAITING, "issued_at": now, "queued_at": now, "issued_by": actor.staff_id,
        "window_number": None, "staff_id": None, "called_at": None, "started_at": None, "finished_at": None,
        "no_show_at": None, "recalls": 0, "transfers": 0, "transferred_from": None, "transfer_reason": "",
        "appointment_id": appointment_id, "note": note[:200],
    }
    tid = _INSERT_TICKET.run(session, values).scalar_one()
    events.record(session, "ticket.issued", actor=actor, subject=number, ticket_id=tid, queue=q.prefix,
                  priority=priority, item=item.code if item else None)
    session.info["issued_row"] = _Changed(values, {"id": tid, "q_prefix": q.prefix, "q_name": q.name,
                                                   "i_code": item.code if item else None,
                                                   "i_name": item.name if item else None})
    return tid


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
    """取号 for an item (its queue) or a queue directly."""
    require(actor, "ticket.issue")
    _check_issue(priority, id_number)  # refuse bad input before opening a transaction

    def work(session: Session) -> TicketView:
        issue_in(session, actor, item_code=item_code, queue=queue, priority=priority, id_number=id_number,
                 policy=policy, note=note)
        row = session.info.pop("issued_row")
        return _row_view(row, _ahead_of(session, row))

    return transaction(engine, work)


# ------------------------------------------------------------------ windows


def _require_holder(actor: Actor, st: WindowState, number: int) -> None:
    if st.staff_id != actor.staff_id:
        if st.staff_id is None:
            raise ServiceError(f"{number}号窗口尚未开窗，请先开窗（clerk-tui window open {number}）")
        raise ServiceError(f"{number}号窗口由其他人员开窗，您不能在此窗口操作")


def open_window(engine: Engine, actor: Actor | None, number: int) -> None:
    """开窗: one clerk per window, one window per clerk."""
    require(actor, "window.operate")

    def work(session: Session) -> None:
        w = _window(session, number)
        st = _state(session, w, lock=True)
        if st.staff_id not in (None, actor.staff_id) and st.status != CLOSED:
            holder = session.get(Staff, st.staff_id)
            raise ServiceError(f"{number}号窗口已由 {holder.name}（{holder.number}）开窗，请先由其关窗，或请带班领导关窗")
        other = session.exec(select(WindowState, Window).join(Window, Window.id == WindowState.window_id).where(
            WindowState.staff_id == actor.staff_id, WindowState.window_id != w.id)).first()
        if other is not None:
            raise ServiceError(f"您已在{other[1].number}号窗口开窗，一人只能在一个窗口服务，请先关闭{other[1].number}号窗口")
        if st.status == OPEN and st.staff_id == actor.staff_id:
            return
        st.status, st.staff_id, st.pause_reason, st.changed_at = OPEN, actor.staff_id, "", clock.now()
        session.add(st)
        events.record(session, "window.opened", actor=actor, subject=str(number), window=number)

    transaction(engine, work)


def pause_window(engine: Engine, actor: Actor | None, number: int, reason: str) -> None:
    """暂停服务 with a reason; a paused window is not called for."""
    require(actor, "window.operate")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("暂停服务需要填写原因，例如：午休、会议、系统故障")

    def work(session: Session) -> None:
        w = _window(session, number)
        st = _state(session, w, lock=True)
        if st.status == CLOSED:
            raise ServiceError(f"{number}号窗口未开窗，无需暂停")
        if actor.role != "supervisor":
            _require_holder(actor, st, number)
        if st.current_ticket_id:
            cur = session.get(Ticket, st.current_ticket_id)
            if cur and cur.status in (CALLED, SERVING):
                raise ServiceError(f"{cur.number} 号还在本窗口（{STATUS_NAMES[cur.status]}），请先办结、过号或转办再暂停服务")
        st.status, st.pause_reason, st.changed_at = PAUSED, reason[:100], clock.now()
        session.add(st)
        events.record(session, "window.paused", actor=actor, subject=str(number), window=number, reason=reason)

    transaction(engine, work)


def resume_window(engine: Engine, actor: Actor | None, number: int) -> None:
    require(actor, "window.operate")

    def work(session: Session) -> None:
        w = _window(session, number)
        st = _state(session, w, lock=True)
        if st.status != PAUSED:
            raise ServiceError(f"{number}号窗口当前不是暂停状态")
        if actor.role != "supervisor":  # a supervisor may pause, resume and close any window
            _require_holder(actor, st, number)
        st.status, st.pause_reason, st.changed_at = OPEN, "", clock.now()
        session.add(st)
        events.record(session, "window.resumed", actor=actor, subject=str(number), window=number)

    transaction(engine, work)


def close_window(engine: Engine, actor: Actor | None, number: int, reason: str = "") -> None:
    """关窗. A supervisor may close a window another clerk left open."""
    require(actor, "window.operate")

    def work(session: Session) -> None:
        w = _window(session, number)
        st = _state(session, w, lock=True)
        if st.status == CLOSED:
            return
        if st.staff_id != actor.staff_id and actor.role != "supervisor":
            _require_holder(actor, st, number)
        if st.current_ticket_id:
            cur = session.get(Ticket, st.current_ticket_id)
            if cur and cur.status in (CALLED, SERVING):
                raise ServiceError(f"{number}号窗口还有 {cur.number} 号未处理完，请先办结、过号或转办后再关窗")
        st.status, st.staff_id, st.pause_reason, st.current_ticket_id, st.changed_at = CLOSED, None, "", None, clock.now()
        session.add(st)
        events.record(session, "window.closed", actor=actor, subject=str(number), window=number, reason=reason)

    transaction(engine, work)


# ------------------------------------------------------------------ calling


@dataclass(frozen=True)
class CallResult:
    ticket: TicketView | None
    why: str
    window: int
    auto_no_show: str | None = None  # a ticket marked no-show automatically before this call


def _open_state(session: Session, actor: Actor, number: int) -> tuple[Window, WindowState]:
    w = _window(session, number)
    st = _state(session, w, lock=True)
    _require_holder(actor, st, number)
    if st.status == PAUSED:
        raise ServiceError(f"{number}号窗口已暂停服务（{st.pause_reason}），请先恢复服务")
    if st.status != OPEN:
        raise ServiceError(f"{number}号窗口未开窗，请先开窗")
    return w, st


_FRONT_COLUMNS = (
    _T.c.id, _T.c.number, _T.c.priority, _T.c.issued_at, _T.c.queued_at, _T.c.transfers, _T.c.target_window,
    _T.c.transferred_from, _T.c.business_date, _T.c.id_number, _T.c.transfer_reason, _T.c.note, _T.c.status,
    _T.c.window_number, _T.c.recalls, _T.c.called_at, _Q.c.prefix.label("q_prefix"), _Q.c.name.label("q_name"),
    _I.c.code.label("i_code"), _I.c.name.label("i_name"),
)


def _front(where) -> object:
    """The first waiting ticket matching ``where``, in line order (ix_ticket_front serves it)."""
    return (select(*_FRONT_COLUMNS).join(_Q, _Q.c.id == _T.c.queue_id).outerjoin(_I, _I.c.id == _T.c.item_id)
            .where(_T.c.business_date == bindparam("day"), _T.c.status == WAITING, *where)
            .order_by(_T.c.queued_at, _T.c.id).limit(1))


_FRONT_NORMAL = _front([_T.c.queue_id == bindparam("qid"), _T.c.priority == "none", _T.c.target_window.is_(None)])
# The priority kinds are listed (not ``!= 'none'``) so that each is an index seek, not a scan of the
# whole waiting line of the queue.
_FRONT_PRIORITY = _front([_T.c.queue_id == bindparam("qid"), _T.c.priority.in_([literal(p) for p in PRIORITIES if is_priority(p)]),
                          _T.c.target_window.is_(None)])
_FRONT_SENT_HERE = _front([_T.c.target_window == bindparam("window")])
_FRONT_NORMAL, _FRONT_PRIORITY, _FRONT_SENT_HERE = map(Prepared, (_FRONT_NORMAL, _FRONT_PRIORITY, _FRONT_SENT_HERE))


def _candidates(session: Session, window_number: int, queue_ids: list[int], day: dt.date,
                policy: QueuePolicy, rows_out: dict | None = None) -> list[Candidate]:
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
    return [Candidate(r.id, r.number, r.q_prefix, r.priority, r.issued_at, r.queued_at, r.transfers, r.target_window,
                      r.transferred_from) for r in rows]


def _unfinished_current(session: Session, st, policy: QueuePolicy, actor: Actor, number: int) -> str | None:
    """Refuse to call on top of a called ticket, unless it may be marked no-show automatically."""
    if not st.current_ticket_id:
        return None
    cur = _TICKET_BY_ID.run(session, {"tid": st.current_ticket_id}).first()
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
    res = _TAKE.run(session, {"tid": t_id, "window": number, "staff": actor.staff_id, "now": now})
    return res.rowcount == 1


def _call_in(session: Session, actor: Actor, number: int, policy: QueuePolicy, w, st, *,
             finished_current: bool = False) -> CallResult:
    """The call itself, inside the caller's transaction, for a window the actor holds."""
    if st.status == PAUSED:
        raise ServiceError(f"{number}号窗口已暂停服务（{st.pause_reason}），请先恢复服务")
    if st.status != OPEN:
        raise ServiceError(f"{number}号窗口未开窗，请先开窗")
    auto = None if finished_current else _unfinished_current(session, st, policy, actor, number)
    queues = _WINDOW_QUEUES.run(session, {"wid": w.wid}).all()
    names = {q.prefix: q.name for q in queues}
    day, now = clock.today(), clock.now()
    rows: dict = {}
    while True:
        choice = choose_next(_candidates(session, number, [q.id for q in queues], day, policy, rows), window=number,
                             window_queues=[q.prefix for q in queues], policy=policy,
                             normals_since_priority=st.normals_since_priority, queue_names=names)
        if choice is None:
            _SET_STATE.run(session, {"wid": w.wid, "current_ticket_id": None})
            return CallResult(None, "没有等候的号", number, auto)
        if _take(session, choice.ticket.id, actor, number, now):
            break  # another window took that one first: choose again
    _SET_STATE.run(session, {"wid": w.wid, "current_ticket_id": choice.ticket.id,
                                 "normals_since_priority": 0 if choice.was_priority else st.normals_since_priority + 1})
    events.record(session, "ticket.called", actor=actor, subject=choice.ticket.number, window=number,
                  ticket_id=choice.ticket.id, why=choice.why, queue=choice.ticket.queue, priority=choice.ticket.priority)
    view = _row_view(rows[choice.ticket.id], status=CALLED, window_number=number, called_at=now, recalls=0)
    return CallResult(view, choice.why, number, auto)


def call_next(engine: Engine, actor: Actor | None, number: int, policy: QueuePolicy = QueuePolicy()) -> CallResult:
    """叫号: take exactly one waiting ticket for this window, or none when nobody waits."""
    require(actor, "ticket.serve")

    def work(session: Session) -> CallResult:
        w, st = _window_and_state(session, actor, number)
        return _call_in(session, actor, number, policy, w, st)

    return transaction(engine, work)


@dataclass(frozen=True)
class NextResult:
    finished: TicketView | None
    call: CallResult


def finish_and_call_next(engine: Engine, actor: Actor | None, number: int,
                         policy: QueuePolicy = QueuePolicy()) -> NextResult:
    """办结并叫号 (下一位): finish the ticket in hand, if any, and call the next, in one transaction."""
    require(actor, "ticket.serve")

    def work(session: Session) -> NextResult:
        w, st = _window_and_state(session, actor, number)
        finished = None
        if st.current_ticket_id:
            cur = _TICKET_BY_ID.run(session, {"tid": st.current_ticket_id}).first()
            if cur is not None and cur.status in (CALLED, SERVING) and cur.window_number == number:
                finished = _finish_in(session, actor, cur.number, number, w, st)
        return NextResult(finished, _call_in(session, actor, number, policy, w, st, finished_current=finished is not None))

    return transaction(engine, work)


def call_specific(engine: Engine, actor: Actor | None, ticket_number: str, number: int,
                  policy: QueuePolicy = QueuePolicy()) -> CallResult:
    """指定叫号 (audited): call this waiting ticket out of turn."""
    require(actor, "ticket.serve")

    def work(session: Session) -> CallResult:
        w, st = _open_state(session, actor, number)
        auto = _unfinished_current(session, st, policy, actor, number)
        t = _ticket(session, ticket_number, lock=True)
        if t.status != WAITING:
            raise ServiceError(f"{t.number} 号当前状态为“{STATUS_NAMES.get(t.status, t.status)}”，只能指定叫等候中的号")
        if t.target_window not in (None, number):
            raise ServiceError(f"{t.number} 号已转给{t.target_window}号窗口，请由该窗口办理")
        if t.target_window is None and t.queue_id not in {q.id for q in _window_queues(session, w)}:
            q = session.get(Queue, t.queue_id)
            raise ServiceError(f"{t.number} 号在 {q.prefix} {q.name} 队列，本窗口不办理该队列；"
                               "如确需本窗口办理，请由该队列的窗口转办过来")
        if not _take(session, t.id, actor, number, clock.now()):
            raise ServiceError(f"{t.number} 号刚被其他窗口叫走")
        st.current_ticket_id = t.id
        session.add(st)
        session.refresh(t)
        why = f"{t.number}：指定叫号（已记录）"
        events.record(session, "ticket.called", actor=actor, subject=t.number, window=number, ticket_id=t.id,
                      why=why, specific=True, queue=session.get(Queue, t.queue_id).prefix, priority=t.priority)
        return CallResult(_view(session, t), why, number, auto)

    return transaction(engine, work)


def _at_window(session: Session, actor: Actor, ticket_number: str, number: int, statuses: tuple[str, ...]) -> tuple[Ticket, WindowState]:
    w = _window(session, number)
    st = _state(session, w, lock=True)
    _require_holder(actor, st, number)
    t = _ticket(session, ticket_number, lock=True)
    if t.window_number != number or t.status not in statuses:
        where = f"（当前：{STATUS_NAMES.get(t.status, t.status)}" + (f"，{t.window_number}号窗口）" if t.window_number else "）")
        raise ServiceError(f"{t.number} 号不是本窗口正在处理的号{where}")
    return t, st


def recall(engine: Engine, actor: Actor | None, ticket_number: str, number: int) -> TicketView:
    """重呼: counted."""
    require(actor, "ticket.serve")

    def work(session: Session) -> TicketView:
        _, st = _window_and_state(session, actor, number)
        row = _ticket_at_window(session, ticket_number, number, (CALLED,))
        if st.status != OPEN:
            raise ServiceError(f"{number}号窗口当前不在服务状态，不能重呼")
        _SET_TICKET.run(session, {"tid": row.id, "recalls": row.recalls + 1})
        events.record(session, "ticket.recalled", actor=actor, subject=row.number, window=number, ticket_id=row.id,
                      recalls=row.recalls + 1)
        return _row_view(row, recalls=row.recalls + 1)

    return transaction(engine, work)
def _mark_no_show(session: Session, t: Ticket, actor: Actor, number: int, *, automatic: bool = False) -> None:
    t.status, t.no_show_at = NO_SHOW, clock.now()
    session.add(t)
    st = session.exec(select(WindowState).join(Window, Window.id == WindowState.window_id).where(Window.number == number)).first()
    if st and st.current_ticket_id == t.id:
        st.current_ticket_id = None
        session.add(st)
    events.record(session, "ticket.no_show", actor=actor, subject=t.number, window=number, ticket_id=t.id,
                  recalls=t.recalls, automatic=automatic)


def mark_no_show(engine: Engine, actor: Actor | None, ticket_number: str, number: int,
                 policy: QueuePolicy = QueuePolicy()) -> TicketView:
    """过号: allowed after K recalls."""
    require(actor, "ticket.serve")

    def work(session: Session) -> TicketView:
        t, _ = _at_window(session, actor, ticket_number, number, (CALLED,))
        if t.recalls < policy.recalls_before_no_show:
            raise ServiceError(f"{t.number} 号已重呼{t.recalls}次，需重呼{policy.recalls_before_no_show}次后才能标记过号")
        _mark_no_show(session, t, actor, number)
        return _view(session, t)

    return transaction(engine, work)


def start_service(engine: Engine, actor: Actor | None, ticket_number: str, number: int) -> TicketView:
    """开始办理: the person has come to the window."""
    require(actor, "ticket.serve")

    def work(session: Session) -> TicketView:
        _window_and_state(session, actor, number)
        row = _ticket_at_window(session, ticket_number, number, (CALLED,))
        _SET_TICKET.run(session, {"tid": row.id, "status": SERVING, "started_at": clock.now()})
        events.record(session, "ticket.started", actor=actor, subject=row.number, window=number, ticket_id=row.id)
        return _row_view(row, status=SERVING)

    return transaction(engine, work)
def _finish_in(session: Session, actor: Actor, ticket_number: str, number: int, w, st) -> TicketView:
    row = _ticket_at_window(session, ticket_number, number, (CALLED, SERVING))
    now = clock.now()
    started = row.started_at or now
    _SET_TICKET.run(session, {"tid": row.id, "status": DONE, "finished_at": now, "started_at": started})
    if st.current_ticket_id == row.id:
        _SET_STATE.run(session, {"wid": w.wid, "current_ticket_id": None})
    events.record(session, "ticket.finished", actor=actor, subject=row.number, window=number, ticket_id=row.id)
    return _row_view(row, status=DONE)


def finish_service(engine: Engine, actor: Actor | None, ticket_number: str, number: int) -> TicketView:
    """办结 (of the visit; the case issue records the matter's outcome)."""
    require(actor, "ticket.serve")

    def work(session: Session) -> TicketView:
        w, st = _window_and_state(session, actor, number)
        return _finish_in(session, actor, ticket_number, number, w, st)

    return transaction(engine, work)


def transfer(engine: Engine, actor: Actor | None, ticket_number: str, *, reason: str, to_queue: str | None = None,
             to_window: int | None = None, from_window: int | None = None,
             policy: QueuePolicy = QueuePolicy()) -> TicketView:
    """转办: to another queue or window, keeping the number and the original arrival time."""
    require(actor, "ticket.serve")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("转办需要填写原因，接收窗口会看到")
    if (to_queue is None) == (to_window is None):
        raise ServiceError("请指定转往的队列（--to-queue）或窗口（--to-window），二者选一")

    return transaction(engine, lambda session: _view(session, transfer_in(
        session, actor, ticket_number, reason=reason, to_queue=to_queue, to_window=to_window, from_window=from_window,
        policy=policy)))


def transfer_in(session: Session, actor: Actor, ticket_number: str, *, reason: str, to_queue: str | None = None,
                to_window: int | None = None, from_window: int | None = None, policy: QueuePolicy = QueuePolicy(),
                priority: str | None = None) -> Ticket:
    """Transfer inside the caller's transaction (the window's F10, and a 首问 referral, which also
    gives the ticket the referral priority)."""
    t = _ticket(session, ticket_number, lock=True)
    # The window it leaves: the one holding it, else (a waiting ticket) the window of whoever moved it.
    here = from_window if from_window is not None else (t.window_number if t.window_number is not None
                                                         else actor.window)
    if t.status not in (WAITING, CALLED, SERVING):
        raise ServiceError(f"{t.number} 号当前为“{STATUS_NAMES.get(t.status, t.status)}”，不能转办")
    if t.status in (CALLED, SERVING):
        st_here = _state(session, _window(session, t.window_number), lock=True)
        _require_holder(actor, st_here, t.window_number)
    before = {"queue": session.get(Queue, t.queue_id).prefix, "window": t.target_window}
    if to_window is not None:
        w = _window(session, to_window)
        target_state = _state(session, w)
        if target_state.status == CLOSED:
            raise ServiceError(f"{to_window}号窗口未开窗，不能转往该窗口，请选择其他窗口或队列")
        if to_window == here and t.status != WAITING:
            raise ServiceError(f"{t.number} 号就在{to_window}号窗口，无需转办")
        t.target_window = to_window
    else:
        q = _queue(session, to_queue)
        if q.id == t.queue_id and t.target_window is None:
            raise ServiceError(f"{t.number} 号已在 {q.prefix} {q.name} 队列中，请选择其他队列")
        t.queue_id, t.target_window = q.id, None
    if t.window_number is not None:
        st = _state(session, _window(session, t.window_number), lock=True)
        if st.current_ticket_id == t.id:
            st.current_ticket_id = None
            session.add(st)
    t.transferred_from = here
    t.status, t.transfers, t.transfer_reason = WAITING, t.transfers + 1, reason[:200]
    if priority is not None:
        t.priority = priority
    # Keep the person's place (their ticket time) or send them to the back, as the hall sets it.
    t.queued_at = t.issued_at if policy.transferred_front else clock.now()
    t.called_at, t.started_at = None, None
    session.add(t)
    session.flush()
    events.record(session, "ticket.transferred", actor=actor, subject=t.number, window=here, ticket_id=t.id,
                  reason=reason, before=before, to_queue=to_queue, to_window=to_window, transfers=t.transfers)
    return t


def rejoin(engine: Engine, actor: Actor | None, ticket_number: str, policy: QueuePolicy = QueuePolicy()) -> TicketView:
    """过号后返回: within M minutes the ticket waits again with its number and arrival time."""
    require(actor, "ticket.rejoin")

    def work(session: Session) -> TicketView:
        t = _ticket(session, ticket_number, lock=True)
        if t.status != NO_SHOW:
            raise ServiceError(f"{t.number} 号不是过号状态（当前：{STATUS_NAMES.get(t.status, t.status)}）")
        minutes = (clock.now() - t.no_show_at).total_seconds() / 60
        if minutes > policy.rejoin_minutes:
            raise ServiceError(f"{t.number} 号已过号{int(minutes)}分钟，超过{policy.rejoin_minutes}分钟，请重新取号")
        t.status, t.recalls = WAITING, 0
        session.add(t)
        events.record(session, "ticket.rejoined", actor=actor, subject=t.number, ticket_id=t.id,
                      minutes=round(minutes, 1))
        return _view(session, t)

    return transaction(engine, work)


# ------------------------------------------------------------------ reading


def get_ticket(engine: Engine, number: str, day: dt.date | None = None) -> TicketView:
    with read_session(engine) as session:
        return _view(session, _ticket(session, number, day))


def list_tickets(engine: Engine, *, status: str | None = None, queue: str | None = None,
                 day: dt.date | None = None) -> list[TicketView]:
    if status and status not in STATUS_NAMES:
        raise ServiceError(f"状态 {status!r} 无效，可用：" + "、".join(f"{k}（{v}）" for k, v in STATUS_NAMES.items()))
    day = day or clock.today()
    with read_session(engine) as session:
        stmt = select(Ticket).where(Ticket.business_date == day).order_by(Ticket.issued_at, Ticket.id)
        if status:
            stmt = stmt.where(Ticket.status == status)
        if queue:
            stmt = stmt.where(Ticket.queue_id == _queue(session, queue).id)
        return [_view(session, t, ahead=0 if t.status != WAITING else None) for t in session.exec(stmt)]


@dataclass(frozen=True)
class QueueCount:
    prefix: str
    name: str
    waiting: int
    longest_wait_minutes: int


@dataclass(frozen=True)
class WindowPanel:
    """What the window console shows."""

    number: int
    name: str
    status: str
    pause_reason: str
    clerk: str | None
    current: TicketView | None
    why: str
    queues: tuple[QueueCount, ...]
    sent_here: int  # tickets transferred to this window
    sent_here_wait_minutes: int
    longest_wait_minutes: int
    served_today: int

    @property
    def status_name(self) -> str:
        return WINDOW_STATUS_NAMES.get(self.status, self.status)


def _queue_counts(session: Session, day: dt.date, now: dt.datetime, queue_ids: list[int] | None = None,
                  line_only: bool = False) -> dict[int, tuple[int, int]]:
    """(waiting, longest wait in minutes) per queue: everyone waiting (the hall display, as the
    supervisor's live hall counts), or only the open line (a window console, which counts the
    tickets sent to it on a line of their own)."""
    stmt = select(Ticket.queue_id, func.count(), func.min(Ticket.issued_at)).where(
        Ticket.business_date == day, Ticket.status == WAITING).group_by(Ticket.queue_id)
    if line_only:
        stmt = stmt.where(Ticket.target_window.is_(None))
    if queue_ids is not None:
        stmt = stmt.where(Ticket.queue_id.in_(queue_ids))
    return {qid: (n, max(0, int((now - first).total_seconds() // 60)) if first else 0) for qid, n, first in session.exec(stmt)}


def window_panel(engine: Engine, number: int) -> WindowPanel:
    from clerk_tui.store.models import Event

    day, now = clock.today(), clock.now()
    with read_session(engine) as session:
        w = _window(session, number)
        st = session.exec(select(WindowState).where(WindowState.window_id == w.id)).first()
        queues = _window_queues(session, w)
        counts = _queue_counts(session, day, now, [q.id for q in queues], line_only=True)
        rows = tuple(QueueCount(q.prefix, q.name, *counts.get(q.id, (0, 0))) for q in queues)
        here = session.exec(select(func.count(), func.min(Ticket.issued_at)).where(
            Ticket.business_date == day, Ticket.status == WAITING, Ticket.target_window == number)).one()
        current, why = None, ""
        if st and st.current_ticket_id:
            t = session.get(Ticket, st.current_ticket_id)
            if t and t.status in (CALLED, SERVING):
                current = _view(session, t, ahead=0)
                ev = session.exec(select(Event).where(Event.kind == "ticket.called", Event.subject == t.number,
                                                      Event.window_number == number).order_by(Event.id.desc())).first()
                if ev:
                    import json

                    why = json.loads(ev.payload).get("why", "")
        served = session.exec(select(func.count()).select_from(Ticket).where(
            Ticket.business_date == day, Ticket.status == DONE, Ticket.window_number == number)).one()
        clerk = session.get(Staff, st.staff_id) if st and st.staff_id else None
        here_wait = max(0, int((now - here[1]).total_seconds() // 60)) if here[0] else 0
        waits = [r.longest_wait_minutes for r in rows if r.waiting] + ([here_wait] if here[0] else [])
        return WindowPanel(number, w.name, st.status if st else CLOSED, st.pause_reason if st else "",
                           f"{clerk.name}（{clerk.number}）" if clerk else None, current, why, rows, here[0],
                           here_wait, max(waits, default=0), served)


@dataclass(frozen=True)
class BoardCall:
    number: str
    window: int
    at: dt.datetime
    recall: bool
    event_id: int = 0


@dataclass(frozen=True)
class HallBoard:
    """What the hall display shows: the latest calls and the queues."""

    hall_name: str
    calls: tuple[BoardCall, ...]
    queues: tuple[QueueCount, ...]
    last_event_id: int


def hall_board(engine: Engine, limit: int = 8) -> HallBoard:
    from clerk_tui.store.models import Event

    day, now = clock.today(), clock.now()
    start = dt.datetime.combine(day, dt.time())
    with read_session(engine) as session:
        hall = get_hall(session)
        evs = session.exec(select(Event).where(Event.kind.in_(("ticket.called", "ticket.recalled", "ticket.transferred")),
                                               Event.at >= start).order_by(Event.id.desc()).limit(limit * 4)).all()
        seen: set[str] = set()
        calls_list = []
        for e in evs:  # newest first; a ticket shows once, at the window it was last called to
            if e.subject in seen:
                continue
            seen.add(e.subject)  # a transfer hides the ticket's earlier calls: it is no longer awaited there
            if e.kind == "ticket.transferred":
                continue
            calls_list.append(BoardCall(e.subject, e.window_number, e.at, e.kind == "ticket.recalled", e.id))
        calls = tuple(calls_list[:limit])
        counts = _queue_counts(session, day, now)
        queues = tuple(QueueCount(q.prefix, q.name, *counts.get(q.id, (0, 0)))
                       for q in session.exec(select(Queue).order_by(Queue.prefix)))
        last = session.exec(select(func.max(Event.id))).one() or 0
        return HallBoard(hall.name, calls, queues, last)


def last_event_id(engine: Engine) -> int:
    """The newest event id: what terminals poll to know that something changed."""
    from clerk_tui.store.models import Event

    with read_session(engine) as session:
        return session.exec(select(func.max(Event.id))).one() or 0


@dataclass(frozen=True)
class WindowStateView:
    number: int
    name: str
    queues: tuple[str, ...]
    status: str
    pause_reason: str
    clerk: str | None

    @property
    def status_name(self) -> str:
        return WINDOW_STATUS_NAMES.get(self.status, self.status)


def window_states(engine: Engine) -> list[WindowStateView]:
    """Every window with its queues (as the catalog lists them) and who serves there now."""
    from clerk_tui.services.catalog import list_windows

    with read_session(engine) as session:
        states = {w.number: st for st, w in session.exec(select(WindowState, Window).join(Window, Window.id == WindowState.window_id))}
        staff = {s.id: s for s in session.exec(select(Staff))}
    out = []
    for w in list_windows(engine):
        st = states.get(w.number)
        clerk = staff.get(st.staff_id) if st and st.staff_id else None
        out.append(WindowStateView(w.number, w.name, w.queues, st.status if st else CLOSED, st.pause_reason if st else "",
                                   f"{clerk.name}（{clerk.number}）" if clerk else None))
    return out
