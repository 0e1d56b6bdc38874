"""The queue's rows and lookups: the ticket view, finding a ticket, a window and its state by what a
person types (one message each), and the prebuilt statements of the hot path."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, func, literal, or_
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain.ids import mask_id
from clerk_tui.domain.queueing import (
    ACTIVE,
    CALLED,
    PRIORITY_NAMES,
    STATUS_NAMES,
    WAITING,
    format_number,
    is_priority,
)
from clerk_tui.services.context import Actor
from clerk_tui.services.errors import NotFound, ServiceError, unknown_window
from clerk_tui.store.models import Queue, ServiceItem, Ticket, Window, WindowQueue, WindowState
from clerk_tui.store.prepared import Prepared

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
            "number": self.number,
            "queue": self.queue,
            "queue_name": self.queue_name,
            "business_date": self.business_date.isoformat(),
            "priority": self.priority,
            "status": self.status,
            "issued_at": self.issued_at.isoformat(timespec="seconds"),
            "item": self.item_code,
            "item_name": self.item_name,
            "id_number": self.id_number_masked,
            "waiting_ahead": self.waiting_ahead,
            "window": self.window,
            "target_window": self.target_window,
            "recalls": self.recalls,
            "transfers": self.transfers,
            "transferred_from": self.transferred_from,
            "transfer_reason": self.transfer_reason,
            "note": self.note,
        }


def ticket_view(session: Session, t: Ticket, *, ahead: int | None = None) -> TicketView:
    q = session.get(Queue, t.queue_id)
    item = session.get(ServiceItem, t.item_id) if t.item_id else None
    return TicketView(
        id=t.id,
        number=t.number,
        queue=q.prefix,
        queue_name=q.name,
        business_date=t.business_date,
        priority=t.priority,
        status=t.status,
        issued_at=t.issued_at,
        item_code=item.code if item else None,
        item_name=item.name if item else None,
        id_number_masked=mask_id(t.id_number) if t.id_number else None,
        waiting_ahead=(ahead_of(session, t) if t.status == WAITING else 0) if ahead is None else ahead,
        window=t.window_number,
        target_window=t.target_window,
        recalls=t.recalls,
        transfers=t.transfers,
        transferred_from=t.transferred_from,
        transfer_reason=t.transfer_reason,
        called_at=t.called_at,
        note=t.note,
    )


# ------------------------------------------------------------------ lookups


def queue_by_prefix(session: Session, prefix: str) -> Queue:
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


def window_by_number(session: Session, number: int) -> Window:
    w = session.exec(_WINDOW_BY_NUMBER, params={"number": number}).first()
    if w is None:
        raise unknown_window(number)
    return w


def window_state(session: Session, window: Window, *, lock: bool = False) -> WindowState:
    st = session.exec(_STATE_BY_WINDOW_LOCKED if lock else _STATE_BY_WINDOW, params={"window_id": window.id}).first()
    if st is None:
        st = WindowState(window_id=window.id, status=CLOSED, changed_at=clock.now())
        session.add(st)
        session.flush()
    return st


def normalise_number(number: str) -> str:
    """K19 → K019: people say and type numbers without the leading zeros."""
    number = (number or "").strip().upper()
    m = re.fullmatch(r"([A-Z])\s*0*(\d{1,4})", number)
    return format_number(m.group(1), int(m.group(2))) if m else number


def _typed_number(number: str) -> str:
    number = normalise_number(number)
    if not number:
        raise ServiceError("请输入号码（如 A001）")
    return number


def ticket_by_number(session: Session, number: str, day: dt.date | None = None, *, lock: bool = False) -> Ticket:
    number = _typed_number(number)
    day = day or clock.today()
    t = session.exec(
        _TICKET_BY_NUMBER_LOCKED if lock else _TICKET_BY_NUMBER, params={"day": day, "number": number}
    ).first()
    if t is None:
        raise NotFound(f"今天（{day}）没有 {number} 号，请核对号码")
    return t


def queues_at_window(session: Session, window: Window) -> list[Queue]:
    return list(
        session.exec(
            select(Queue)
            .join(WindowQueue, WindowQueue.queue_id == Queue.id)
            .where(WindowQueue.window_id == window.id)
            .order_by(WindowQueue.position)
        )
    )


# ------------------------------------------------------------------ the hot path, prepared
# Issuing, calling, starting, finishing and recalling run thousands of times a day at every
# window; they use prebuilt Core statements run as prepared statements rather than ORM objects
# (the ORM's and the engine's bookkeeping cost several times the SQL itself, and on SQLite it is
# paid while the writer lock is held). Everything else uses the ORM.

_T, _Q, _I = Ticket.__table__, Queue.__table__, ServiceItem.__table__
_W, _WS, _WQ = Window.__table__, WindowState.__table__, WindowQueue.__table__
_WINDOW_ROW = Prepared(select(_W.c.id, _W.c.number).where(_W.c.number == bindparam("number")))
_WINDOW_STATE_LOCKED = Prepared(
    select(_W.c.id.label("wid"), _WS)
    .join(_WS, _WS.c.window_id == _W.c.id)
    .where(_W.c.number == bindparam("number"))
    .with_for_update(of=_WS)
)
WINDOW_QUEUES = Prepared(
    select(_Q.c.id, _Q.c.prefix, _Q.c.name)
    .join(_WQ, _WQ.c.queue_id == _Q.c.id)
    .where(_WQ.c.window_id == bindparam("wid"))
    .order_by(_WQ.c.position)
)
# A ticket's row with its queue's and item's names, as a view needs them: narrowed by a WHERE here
# (by day and number, locked) and in windows.py (the ticket a window holds, by id).
TICKET_WITH_NAMES = (
    select(
        _T,
        _Q.c.prefix.label("q_prefix"),
        _Q.c.name.label("q_name"),
        _I.c.code.label("i_code"),
        _I.c.name.label("i_name"),
    )
    .join(_Q, _Q.c.id == _T.c.queue_id)
    .outerjoin(_I, _I.c.id == _T.c.item_id)
)
_TICKET_ROW_LOCKED = Prepared(
    TICKET_WITH_NAMES.where(_T.c.business_date == bindparam("day"), _T.c.number == bindparam("number")).with_for_update(
        of=_T
    )
)
TICKET_BY_ID = Prepared(
    select(_T.c.id, _T.c.number, _T.c.status, _T.c.window_number, _T.c.recalls).where(_T.c.id == bindparam("tid"))
)
SET_STATE = Prepared(_WS.update().where(_WS.c.window_id == bindparam("wid")))
SET_TICKET = Prepared(_T.update().where(_T.c.id == bindparam("tid")))
TAKE = Prepared(
    _T.update()
    .where(_T.c.id == bindparam("tid"), _T.c.status == WAITING)
    .values(
        status=CALLED,
        window_number=bindparam("window"),
        staff_id=bindparam("staff"),
        called_at=bindparam("now"),
        recalls=0,
    )
)
QUEUE_BY_PREFIX = Prepared(
    select(_Q.c.id, _Q.c.prefix, _Q.c.name, _Q.c.hall_id).where(_Q.c.prefix == bindparam("prefix"))
)
ITEM_BY_CODE = Prepared(
    select(_I.c.id, _I.c.code, _I.c.name, _I.c.queue_id, _Q.c.prefix, _Q.c.name.label("q_name"), _Q.c.hall_id)
    .join(_Q, _Q.c.id == _I.c.queue_id)
    .where(_I.c.code == bindparam("code"))
)
INSERT_TICKET = Prepared(_T.insert().returning(_T.c.id))
ACTIVE_FOR_ID = Prepared(
    select(func.count())
    .select_from(_T)
    .where(
        _T.c.id_number == bindparam("id_number"),
        _T.c.business_date == bindparam("day"),
        _T.c.status.in_([literal(s) for s in ACTIVE]),
    )
)  # listed literals: a prepared statement has no expanding IN


def row_view(row, ahead: int = 0, **changes) -> TicketView:
    if changes:
        row = ChangedRow(row._values if isinstance(row, ChangedRow) else row._mapping, changes)
    return TicketView(
        id=row.id,
        number=row.number,
        queue=row.q_prefix,
        queue_name=row.q_name,
        business_date=row.business_date,
        priority=row.priority,
        status=row.status,
        issued_at=row.issued_at,
        item_code=row.i_code,
        item_name=row.i_name,
        id_number_masked=mask_id(row.id_number) if row.id_number else None,
        waiting_ahead=ahead,
        window=row.window_number,
        target_window=row.target_window,
        recalls=row.recalls,
        transfers=row.transfers,
        transferred_from=row.transferred_from,
        transfer_reason=row.transfer_reason,
        called_at=row.called_at,
        note=row.note,
    )


class ChangedRow:
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
    earlier = or_(
        _T.c.queued_at < bindparam("queued_at"),
        and_(_T.c.queued_at == bindparam("queued_at"), _T.c.id < bindparam("tid")),
    )
    cond = and_(_T.c.priority != "none", earlier) if priority else or_(_T.c.priority != "none", earlier)
    return select(func.count()).select_from(_T).where(*same, cond)


_AHEAD = {(s, p): Prepared(_ahead_statement(s, p)) for s in (False, True) for p in (False, True)}


def ahead_of(session: Session, row) -> int:
    """How many waiting tickets of its line a window would call before this one (a row or an ORM ticket)."""
    stmt = _AHEAD[(row.target_window is not None, is_priority(row.priority))]
    return stmt.run(
        session,
        {
            "day": row.business_date,
            "tid": row.id,
            "target": row.target_window,
            "qid": row.queue_id,
            "queued_at": row.queued_at,
        },
    ).scalar_one()


def window_and_state(session: Session, actor: Actor, number: int):
    """(window row, state row) for a window the actor holds; refuses otherwise."""
    st = _WINDOW_STATE_LOCKED.run(session, {"number": number}).first()
    if st is None and _WINDOW_ROW.run(session, {"number": number}).first() is None:
        raise unknown_window(number)
    w = st
    if st is None or st.staff_id is None:
        raise ServiceError(f"{number}号窗口尚未开窗，请先开窗（clerk-tui window open {number}）")
    if st.staff_id != actor.staff_id:
        raise ServiceError(f"{number}号窗口由其他人员开窗，您不能在此窗口操作")
    return w, st


def ticket_at_window(session: Session, ticket_number: str, number: int, statuses: tuple[str, ...]):
    typed = _typed_number(ticket_number)
    row = _TICKET_ROW_LOCKED.run(session, {"day": clock.today(), "number": typed}).first()
    if row is None:
        raise NotFound(f"今天（{clock.today()}）没有 {typed} 号，请核对号码")
    if row.window_number != number or row.status not in statuses:
        where = f"（当前：{STATUS_NAMES.get(row.status, row.status)}" + (
            f"，{row.window_number}号窗口）" if row.window_number else "）"
        )
        raise ServiceError(f"{row.number} 号不是本窗口正在处理的号{where}")
    return row
