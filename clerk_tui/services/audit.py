"""The audit trail: verify the event chain and the state against it, anchor its head, prune old events.

The chain itself is written by store/audit_chain at every commit. Here it is read back:

- ``verify`` walks the events in id order from the chain's floor (or from a date), recomputes each
  hash, checks each link, and names the first row that was changed, removed or inserted; then it
  checks the head (a cut tail), an anchor written earlier (a cut tail whose head was rewritten too),
  and that each case's status and owner and each ticket's status are what their last events say.
- ``anchor`` gives the head as a line to keep outside the database (a file, a printout).
- ``prune`` removes events older than the retention setting (never younger than 180 days) and
  moves the chain's floor, so that the chain still verifies. The program deletes events nowhere else.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain.cases import STATUS_NAMES as CASE_STATUS_NAMES
from clerk_tui.domain.queueing import STATUS_NAMES as TICKET_STATUS_NAMES
from clerk_tui.services import events
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import ServiceError
from clerk_tui.services.tx import transaction
from clerk_tui.store import audit_chain, dialect
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import AuditHead, Event, ServiceCase, Ticket

BATCH = 5000

# The status a ticket has after each kind of ticket event.
TICKET_STATUS_AFTER = {
    "ticket.issued": "waiting",
    "ticket.called": "called",
    "ticket.recalled": "called",
    "ticket.started": "serving",
    "ticket.finished": "done",
    "ticket.no_show": "no_show",
    "ticket.transferred": "waiting",
    "ticket.rejoined": "waiting",
}


@dataclass(frozen=True)
class Problem:
    kind: str  # changed | removed | inserted | truncated | anchor | state
    event_id: int | None
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "event_id": self.event_id, "message": self.message}


@dataclass(frozen=True)
class Head:
    event_id: int | None
    hash: str
    at: dt.datetime | None = None

    @property
    def fingerprint(self) -> str:
        return audit_chain.fingerprint(self.hash)

    def line(self) -> str:
        """The head as one line to keep: date, event id, fingerprint (what ``--anchor`` reads back)."""
        when = self.at.isoformat(sep=" ") if self.at else "-"
        return f"clerk-tui 审计链头 {when} 事件 #{self.event_id or 0} 指纹 {self.fingerprint}"


@dataclass
class Report:
    checked: int = 0
    head: Head | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "head": None
            if self.head is None
            else {"event_id": self.head.event_id, "fingerprint": self.head.fingerprint},
            "problems": [p.as_json() for p in self.problems],
        }


# ---------------------------------------------------------------- the head


def _head_row(session: Session) -> AuditHead:
    head = session.get(AuditHead, audit_chain.CHAIN)
    if head is None:
        raise ServiceError("数据库中没有审计链头，请先运行 clerk-tui db upgrade")
    return head


def _event_head(session: Session, event_id: int | None, hash_: str) -> Head:
    at = session.exec(select(Event.at).where(Event.id == event_id)).first() if event_id else None
    return Head(event_id, hash_, at)


def current_head(engine: Engine) -> Head:
    with read_session(engine) as session:
        head = _head_row(session)
        return _event_head(session, head.event_id, head.hash)


def day_head(engine: Engine, day: dt.date) -> Head | None:
    """The chain's head at the end of ``day`` (its last event that day), or None for a day without events."""
    start = dt.datetime.combine(day, dt.time())
    with read_session(engine) as session:
        last = session.exec(
            select(func.max(Event.id)).where(Event.at >= start, Event.at < start + dt.timedelta(days=1))
        ).one()
        if last is None:
            return None
        row = session.exec(select(Event.hash, Event.at).where(Event.id == last)).one()
        return Head(last, row[0] or "", row[1])


def anchor(engine: Engine, actor: Actor | None) -> Head:
    """The head to write down outside the database (``audit anchor``); checked like ``verify``."""
    require(actor, "audit.verify")
    return current_head(engine)


def parse_anchor(text: str) -> tuple[int, str]:
    """(event id, fingerprint) from a line ``anchor`` wrote."""
    parts = text.split()
    try:
        event_id = int(parts[parts.index("事件") + 1].lstrip("#"))
        fp = parts[parts.index("指纹") + 1].lower()
        int(fp, 16)
    except (ValueError, IndexError) as exc:
        raise ServiceError("锚定文件格式不对：应为 clerk-tui audit anchor 写出的一行（含“事件 #编号 指纹 …”）") from exc
    return event_id, fp


# ---------------------------------------------------------------- verify


def verify(
    engine: Engine, actor: Actor | None, *, since: dt.date | None = None, anchored: tuple[int, str] | None = None
) -> Report:
    """Walk the chain (from ``since``, else from its floor) and check the state against the events."""
    require(actor, "audit.verify")
    return verify_chain(engine, since=since, anchored=anchored)


def verify_chain(engine: Engine, *, since: dt.date | None = None, anchored: tuple[int, str] | None = None) -> Report:
    """``verify`` without the rights check: for a service that already checked its own (a backup
    verifies the copy it made)."""
    report = Report()
    with read_session(engine) as session:
        head = _head_row(session)
        report.head = _event_head(session, head.event_id, head.hash)
        problem, last_id = _walk(session, head, since, report)
        if problem is None:
            problem = _check_head(head, last_id)
        if problem is None and anchored is not None:
            problem = _check_anchor(session, anchored)
        if problem is not None:
            report.problems.append(problem)
        report.problems.extend(_check_state(session, since))
    return report


def _walk(
    session: Session, head: AuditHead, since: dt.date | None, report: Report
) -> tuple[Problem | None, int | None]:
    cols = (Event.id, Event.at, Event.staff_id, Event.window_number, Event.kind, Event.subject, Event.payload)
    floor = head.floor_event_id or 0
    expected: str | None = head.floor_hash
    if since is not None:
        first = session.exec(
            select(func.min(Event.id)).where(Event.at >= dt.datetime.combine(since, dt.time()), Event.id > floor)
        ).one()
        if first is None:
            return None, head.event_id
        floor, expected = first - 1, None  # the first row's link is taken on trust
    last_id: int | None = None
    before_last: str | None = None
    while True:
        rows = session.exec(
            select(*cols, Event.prev_hash, Event.hash).where(Event.id > floor).order_by(Event.id).limit(BATCH)
        ).all()
        if not rows:
            return None, last_id if last_id is not None else (head.floor_event_id if since is None else head.event_id)
        for row in rows:
            content_ok = row.hash == audit_chain.row_digest(row)
            link_ok = expected is None or row.prev_hash == expected
            if not (content_ok and link_ok):
                return _classify(row, content_ok, link_ok, last_id, before_last), last_id
            report.checked += 1
            before_last, expected, last_id = expected, row.hash, row.id
        floor = rows[-1].id


def _classify(row, content_ok: bool, link_ok: bool, last_id: int | None, before_last: str | None) -> Problem:
    if not content_ok and link_ok:
        return Problem("changed", row.id, f"事件 #{row.id} 的内容被改动（与它的哈希不符）")
    if not content_ok:
        return Problem("inserted", row.id, f"事件 #{row.id} 不是程序写入的（哈希与内容、前一条均不符），是被插入的")
    if last_id is not None and row.prev_hash == before_last:
        return Problem("inserted", last_id, f"事件 #{last_id} 是被插入的（事件 #{row.id} 接在它前一条之后）")
    if last_id is None:
        return Problem("removed", row.id, f"事件 #{row.id} 之前的事件被删除（链的起点对不上）")
    return Problem("removed", row.id, f"事件 #{last_id} 与 #{row.id} 之间的事件被删除")


def _check_head(head: AuditHead, last_id: int | None) -> Problem | None:
    if last_id == head.event_id:
        return None
    if last_id is not None and (head.event_id is None or last_id > head.event_id):
        first = (head.event_id or 0) + 1
        return Problem("inserted", first, f"链头之后还有事件（#{first} 起），不是程序写入的，是被插入的")
    after = last_id or 0
    return Problem(
        "truncated", head.event_id, f"事件 #{after} 之后的事件被删除（链头记录到 #{head.event_id}），链尾被截断"
    )


def _check_anchor(session: Session, anchored: tuple[int, str]) -> Problem | None:
    event_id, fp = anchored
    stored = session.exec(select(Event.hash).where(Event.id == event_id)).first()
    if stored is None:
        return Problem("truncated", event_id, f"锚定的事件 #{event_id} 已不在数据库中：链尾被截断或事件被删除")
    if not (stored or "").startswith(fp):
        return Problem(
            "anchor", event_id, f"事件 #{event_id} 的指纹与锚定文件不符（{fp}）：链尾被截断后又写入了新事件，或链被改写"
        )
    return None


def _check_state(session: Session, since: dt.date | None) -> list[Problem]:
    """Each case's status and owner, each ticket's status, against their last events."""
    start = dt.datetime.combine(since, dt.time()) if since else None
    case_last: dict[str, tuple[int | None, str, Any]] = {}
    ticket_last: dict[int | None, tuple[int | None, str]] = {}
    stmt = select(Event.id, Event.kind, Event.subject, Event.payload).where(
        (Event.kind.startswith("case.")) | (Event.kind.startswith("ticket."))
    )
    if start is not None:
        stmt = stmt.where(Event.at >= start)
    for eid, kind, subject, payload in session.exec(stmt.order_by(Event.id)):
        if kind.startswith("case."):
            if '"state"' in payload:
                p = json.loads(payload)
                case_last[subject] = (eid, p.get("state"), p.get("owner_id"))
        elif kind in TICKET_STATUS_AFTER and '"ticket_id"' in payload:
            tid = json.loads(payload).get("ticket_id")
            if isinstance(tid, int):
                ticket_last[tid] = (eid, TICKET_STATUS_AFTER[kind])
    problems: list[Problem] = []
    if case_last:
        rows = session.exec(
            select(ServiceCase.number, ServiceCase.status, ServiceCase.owner_id).where(
                ServiceCase.number.in_(list(case_last))
            )
        )
        for number, status, owner in rows:
            eid, state, owner_then = case_last[number]
            if status != state:
                problems.append(
                    Problem(
                        "state",
                        eid,
                        f"办件 {number} 现为“{CASE_STATUS_NAMES.get(status, status)}”，"
                        f"但它最后一条事件 #{eid} 记为“{CASE_STATUS_NAMES.get(state, state)}”：状态被绕过程序改动",
                    )
                )
            elif owner != owner_then:
                problems.append(
                    Problem("state", eid, f"办件 {number} 的首办人与它最后一条事件 #{eid} 不符：被绕过程序改动")
                )
    if ticket_last:
        ids = list(ticket_last)
        for i in range(0, len(ids), 1000):
            for tid, number, status in session.exec(
                select(Ticket.id, Ticket.number, Ticket.status).where(Ticket.id.in_(ids[i : i + 1000]))
            ):
                eid, want = ticket_last[tid]
                if status != want:
                    problems.append(
                        Problem(
                            "state",
                            eid,
                            f"号票 {number} 现为“{TICKET_STATUS_NAMES.get(status, status)}”，"
                            f"但它最后一条事件 #{eid} 记为“{TICKET_STATUS_NAMES.get(want, want)}”：状态被绕过程序改动",
                        )
                    )
    return sorted(problems, key=lambda p: p.event_id or 0)


# ---------------------------------------------------------------- prune


def prune(engine: Engine, actor: Actor | None, before: dt.date, keep_days: int) -> int:
    """Remove the events before ``before`` (a date at least ``keep_days`` ago) and move the chain's
    floor to the last one removed. Refuses while the chain does not verify."""
    require(actor, "audit.prune")
    from clerk_tui.settings import AUDIT_KEEP_FLOOR

    keep_days = max(keep_days, AUDIT_KEEP_FLOOR)
    latest = clock.today() - dt.timedelta(days=keep_days)
    if before > latest:
        raise ServiceError(
            f"事件至少保留 {keep_days} 天：只能清理 {latest.isoformat()} 及以前的事件"
            f"（--before 最晚 {latest.isoformat()}），{before.isoformat()} 太近"
        )
    checked = verify(engine, actor)
    chain_problems = [p for p in checked.problems if p.kind != "state"]
    if chain_problems:
        raise ServiceError(f"审计链校验未通过，不能清理（先查明原因）：{chain_problems[0].message}")
    cut_at = dt.datetime.combine(before, dt.time())

    def work(session: Session) -> int:
        head = session.exec(
            dialect.locked(dialect.name_of(session), select(AuditHead).where(AuditHead.chain == audit_chain.CHAIN))
        ).one()
        floor = head.floor_event_id or 0
        first_kept = session.exec(select(func.min(Event.id)).where(Event.id > floor, Event.at >= cut_at)).one()
        upto = (first_kept - 1) if first_kept is not None else head.event_id
        if upto is not None and head.event_id is not None:
            # The head's own event stays: SQLite hands an emptied table's ids out again from 1.
            upto = min(upto, head.event_id - 1)
        if upto is None or upto <= floor:
            return 0
        last = session.exec(select(Event.id, Event.hash).where(Event.id <= upto).order_by(Event.id.desc())).first()
        if last is None:
            return 0
        count = session.exec(select(func.count()).select_from(Event).where(Event.id > floor, Event.id <= upto)).one()
        session.execute(delete(Event).where(Event.id <= upto))
        session.execute(
            update(AuditHead)
            .where(AuditHead.chain == audit_chain.CHAIN)
            .values(floor_event_id=last[0], floor_hash=last[1])
        )
        events.record(session, "audit.pruned", actor=actor, before=before.isoformat(), removed=count, floor=last[0])
        return count

    return transaction(engine, work)
