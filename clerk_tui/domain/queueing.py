"""The queue's rules (排队叫号): ticket numbers, priorities, and which ticket a window calls next.

Pure functions over plain data; the service layer loads the waiting tickets and applies the
choice with a guarded update.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

NONE, ELDERLY, DISABLED, PREGNANT, MILITARY, APPOINTMENT, REFERRAL = (
    "none",
    "elderly",
    "disabled",
    "pregnant",
    "military",
    "appointment",
    "referral",
)
PRIORITIES = (NONE, ELDERLY, DISABLED, PREGNANT, MILITARY, APPOINTMENT, REFERRAL)
PRIORITY_NAMES = {
    NONE: "普通",
    ELDERLY: "老年人",
    DISABLED: "残疾人",
    PREGNANT: "孕妇",
    MILITARY: "军人",
    APPOINTMENT: "预约",
    REFERRAL: "转介",
}

WAITING, CALLED, SERVING, DONE, NO_SHOW = "waiting", "called", "serving", "done", "no_show"
ACTIVE = (WAITING, CALLED, SERVING)
STATUS_NAMES = {WAITING: "等候", CALLED: "已叫号", SERVING: "办理中", DONE: "已办结", NO_SHOW: "过号"}

PRIORITY_FIRST, INTERLEAVE = "priority_first", "interleave"


@dataclass(frozen=True)
class QueuePolicy:
    """The hall's queue settings ([queue] in settings.toml); every terminal should agree."""

    priority_mode: str = PRIORITY_FIRST  # or INTERLEAVE: N normal tickets, then 1 priority
    interleave_normals: int = 3
    transferred_front: bool = True  # a transferred ticket keeps its original arrival time
    rejoin_minutes: int = 30  # a no-show who returns within M minutes rejoins with the same number
    recalls_before_no_show: int = 2  # K recalls before a ticket may be marked no-show
    auto_no_show: bool = False  # calling next marks a called ticket with K recalls as no-show
    max_active_per_id: int = 3  # against scalpers (黄牛): active tickets per ID number per day
    appointment_early_minutes: int = 15
    appointment_late_minutes: int = 15
    voice_phrase: str = "请{number}号到{window}号窗口办理"


def format_number(prefix: str, seq: int) -> str:
    """A001 … A999, then A1000: three digits, four once a queue passes 999 in a day."""
    return f"{prefix}{seq:03d}"


def is_priority(priority: str) -> bool:
    return priority != NONE


@dataclass(frozen=True)
class Candidate:
    """A waiting ticket as the chooser sees it."""

    id: int
    number: str
    queue: str  # prefix of the queue it waits in
    priority: str
    issued_at: dt.datetime
    queued_at: dt.datetime
    transfers: int = 0
    target_window: int | None = None
    transferred_from: int | None = None


@dataclass(frozen=True)
class Choice:
    ticket: Candidate
    why: str
    was_priority: bool


def _arrival(c: Candidate, policy: QueuePolicy) -> dt.datetime:
    return c.issued_at if (c.transfers and policy.transferred_front) else c.queued_at


def _earliest(cands: Sequence[Candidate], policy: QueuePolicy) -> Candidate:
    return min(cands, key=lambda c: (_arrival(c, policy), c.id))


def choose_next(
    candidates: Sequence[Candidate],
    *,
    window: int,
    window_queues: Sequence[str],
    policy: QueuePolicy,
    normals_since_priority: int = 0,
    queue_names: dict[str, str] | None = None,
) -> Choice | None:
    """The ticket ``window`` should call now, with one line saying why.

    Order: tickets transferred to this very window first; then the window's queues in their
    order; inside a queue, priority tickets first (or N normal : 1 priority when interleaving),
    each group by arrival (a transferred ticket by its original arrival when configured).
    """
    names = queue_names or {}
    mine = [c for c in candidates if c.target_window == window]
    if mine:
        pick = _earliest(mine, policy)
        source = f"自{pick.transferred_from}号窗口" if pick.transferred_from else ""
        return Choice(pick, f"{pick.number}：{source}转来本窗口的号，先于各队列办理", is_priority(pick.priority))
    open_ = [c for c in candidates if c.target_window is None]
    for position, prefix in enumerate(window_queues):
        in_queue = [c for c in open_ if c.queue == prefix]
        if not in_queue:
            continue
        qname = names.get(prefix, prefix)
        where = f"{prefix} {qname}" + ("" if position == 0 else f"（本窗口第{position + 1}队列，前面队列无人等候）")
        prio = [c for c in in_queue if is_priority(c.priority)]
        normal = [c for c in in_queue if not is_priority(c.priority)]
        if policy.priority_mode == INTERLEAVE:
            n = max(1, policy.interleave_normals)
            if prio and (normals_since_priority >= n or not normal):
                pick = _earliest(prio, policy)
                reason = (
                    f"已连叫{normals_since_priority}个普通号，按{n}:1插入优先号" if normal else "优先号（无普通号等候）"
                )
                return Choice(pick, f"{pick.number}：{PRIORITY_NAMES[pick.priority]}{reason}，{where}", True)
            pick = _earliest(normal, policy)
            return Choice(
                pick,
                f"{pick.number}：按{n}:1轮叫，普通号按到达顺序，{where}，已连叫{normals_since_priority}个普通号",
                False,
            )
        if prio:
            pick = _earliest(prio, policy)
            return Choice(
                pick, f"{pick.number}：{PRIORITY_NAMES[pick.priority]}优先，{where}{_arrival_note(pick, policy)}", True
            )
        pick = _earliest(normal, policy)
        return Choice(pick, f"{pick.number}：按到达顺序，{where}{_arrival_note(pick, policy)}", False)
    return None


def _arrival_note(c: Candidate, policy: QueuePolicy) -> str:
    if c.transfers and policy.transferred_front:
        return f"（转办号按原取号时间{c.issued_at:%H:%M}排队）"
    return f"（{_arrival(c, policy):%H:%M}取号）"


def call_phrase(policy: QueuePolicy, number: str, window: int) -> str:
    """The announcement, e.g. 请A001号到3号窗口办理."""
    try:
        return policy.voice_phrase.format(number=number, window=window)
    except (KeyError, IndexError, ValueError):
        return QueuePolicy.voice_phrase.format(number=number, window=window)
