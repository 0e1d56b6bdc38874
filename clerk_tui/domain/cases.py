"""办件 rules: the case state machine, deadlines in working days (suspension excluded, extensions
added) and the yellow/red warning. Pure functions; the case services (the case issue) apply them.

《行政许可法》: art. 32 intake outcomes, art. 42 decision limits and extension, art. 45 time that does
not count (a suspended case), art. 82 working days. A case's promised date is counted from its
acceptance day; a case accepted after a supplement counts from the day the materials were complete.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from clerk_tui.domain.calendar import Deadline, WorkdayCalendar

SUPPLEMENT_PENDING = "supplement_pending"  # 待补正: one-time notice given, waiting for the papers
ACCEPTED = "accepted"  # 已受理
IN_PROGRESS = "in_progress"  # 办理中
SUSPENDED = "suspended"  # 挂起 (art. 45 special procedure)
COMPLETED = "completed"  # 已办结 (approved or denied)
DELIVERED = "delivered"  # 已送达 / 已领取
REJECTED = "rejected"  # 不予受理
WITHDRAWN = "withdrawn"  # 申请人撤回
BACK_OFFICE = "back_office"  # 后场审批中: 前店后场, the window took the papers, the department decides elsewhere

STATUS_NAMES = {
    SUPPLEMENT_PENDING: "待补正",
    ACCEPTED: "已受理",
    IN_PROGRESS: "办理中",
    SUSPENDED: "挂起",
    COMPLETED: "已办结",
    DELIVERED: "已送达",
    REJECTED: "不予受理",
    WITHDRAWN: "已撤回",
    BACK_OFFICE: "后场审批中",
}
RUNNING_STATUSES = (ACCEPTED, IN_PROGRESS, BACK_OFFICE)  # the deadline runs in these: they warn
OPEN_STATUSES = (*RUNNING_STATUSES, SUSPENDED)  # the deadline runs (or is paused) in these

# action -> (statuses it may start from, the status it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "accept": ((SUPPLEMENT_PENDING,), ACCEPTED),  # the missing papers arrived
    "start": ((ACCEPTED,), IN_PROGRESS),
    "suspend": ((ACCEPTED, IN_PROGRESS), SUSPENDED),
    "resume": ((SUSPENDED,), IN_PROGRESS),
    "extend": ((ACCEPTED, IN_PROGRESS, BACK_OFFICE), ""),  # stays where it is
    "complete": ((ACCEPTED, IN_PROGRESS), COMPLETED),
    "deliver": ((COMPLETED,), DELIVERED),
    "withdraw": ((SUPPLEMENT_PENDING, ACCEPTED, IN_PROGRESS, SUSPENDED, BACK_OFFICE), WITHDRAWN),
    "handover": ((SUPPLEMENT_PENDING, ACCEPTED, IN_PROGRESS, SUSPENDED, COMPLETED, BACK_OFFICE), ""),
    # 前店后场: sent to the department's back office for the decision; it comes back decided, for
    # the window to deliver. Owner and promised date stay as they are.
    "send_back": ((ACCEPTED, IN_PROGRESS), BACK_OFFICE),
    "returned": ((BACK_OFFICE,), COMPLETED),
}
ACTION_NAMES = {
    "accept": "补正后受理",
    "start": "开始办理",
    "suspend": "挂起",
    "resume": "恢复办理",
    "extend": "延期",
    "complete": "办结",
    "deliver": "送达",
    "withdraw": "撤回",
    "handover": "移交",
    "send_back": "送后场审批",
    "returned": "登记后场审批结果",
}


class CaseRuleError(ValueError):
    """An action the law or the workflow does not allow from the case's status."""


def next_status(status: str, action: str) -> str:
    """The status after ``action``, or CaseRuleError saying why it is not allowed."""
    if action not in TRANSITIONS:
        raise CaseRuleError(f"未知的办件操作 {action!r}")
    allowed, target = TRANSITIONS[action]
    if status not in allowed:
        froms = "、".join(STATUS_NAMES[s] for s in allowed)
        raise CaseRuleError(
            f"办件当前为“{STATUS_NAMES.get(status, status)}”，不能{ACTION_NAMES[action]}"
            f"（只有{froms}的办件可以{ACTION_NAMES[action]}）"
        )
    return target or status


def back_office_minutes(since: dt.datetime, now: dt.datetime) -> int:
    """Whole minutes a case has spent in the back office since it was sent (0 if the clock went back)."""
    return max(0, int((now - since).total_seconds() // 60))


def stay_words(minutes: int) -> str:
    """A stay said as a person says it: 3天4小时, 5小时12分钟, 8分钟."""
    days, rest = divmod(max(0, minutes), 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{mins}分钟" if mins else f"{hours}小时"
    return f"{mins}分钟"


# ---------------------------------------------------------------- service modes (便民服务措施)

WINDOW, AGENCY, VISIT = "", "agency", "visit"
MODE_NAMES = {WINDOW: "窗口办理", AGENCY: "全程代办", VISIT: "上门服务"}


def mode_names(service_mode: str, after_hours: bool, appointment: bool = False) -> list[str]:
    """The modes a case was handled in, in the hall's words (a case can be in several)."""
    names = [MODE_NAMES[service_mode]] if service_mode in (AGENCY, VISIT) else []
    return names + ["延时服务"] * after_hours + ["预约服务"] * appointment


def after_hours(at: dt.datetime, opens: dt.time, closes: dt.time, workday: bool) -> bool:
    """延时服务: served before the hall opens, at or after it closes, or on a day it is closed."""
    return not workday or not opens <= at.time() < closes


def case_number(hall_code: str, day: dt.date, seq: int) -> str:
    """A readable case number unique per hall: hall code + date + sequence, e.g. YX202611260007."""
    return f"{hall_code}{day:%Y%m%d}{seq:04d}"


@dataclass(frozen=True)
class Suspension:
    """挂起: from the day it was suspended to the day it resumed (None while still suspended)."""

    start: dt.date
    end: dt.date | None = None


def suspended_workdays(calendar: WorkdayCalendar, spans: Sequence[Suspension], today: dt.date) -> tuple[int, bool]:
    """Working days that do not count (art. 45): those after each suspension day up to and
    including its resumption (or today while it lasts). Returns (days, provisional)."""
    total, provisional = 0, False
    for span in spans:
        end = span.end or today
        if end > span.start:
            days, prov = calendar.workdays_between(span.start, end)
            total += days
            provisional = provisional or prov
    return total, provisional


def due_date(
    calendar: WorkdayCalendar,
    accepted_on: dt.date,
    promised_days: int,
    *,
    extension_days: int = 0,
    suspensions: Sequence[Suspension] = (),
    today: dt.date | None = None,
) -> Deadline:
    """The promised completion date: acceptance + promised + extension working days, pushed back
    by every working day spent suspended. Provisional when any day counted is not yet official."""
    paused, prov = suspended_workdays(calendar, suspensions, today or accepted_on)
    deadline = calendar.add_workdays(accepted_on, promised_days + extension_days + paused)
    return Deadline(deadline.date, deadline.provisional or prov)


NONE, YELLOW, RED = "none", "yellow", "red"
WARNING_NAMES = {NONE: "正常", YELLOW: "黄色预警", RED: "红色预警"}


@dataclass(frozen=True)
class Watch:
    """How a case stands against its promised date today."""

    remaining_workdays: int  # 0 on the due date, negative once overdue
    warning: str
    provisional: bool


def watch(
    calendar: WorkdayCalendar, due: dt.date, today: dt.date, *, yellow_days: int = 2, suspended: bool = False
) -> Watch:
    """Yellow at ≤ ``yellow_days`` working days left, red on the due date and after. A suspended
    case's clock is stopped: it shows its remaining days but raises no new warning."""
    remaining, provisional = calendar.workdays_between(today, due)
    if suspended:
        return Watch(remaining, NONE, provisional)
    if remaining <= 0:
        level = RED
    elif remaining <= yellow_days:
        level = YELLOW
    else:
        level = NONE
    return Watch(remaining, level, provisional)


def warning_bounds(calendar: WorkdayCalendar, today: dt.date, yellow_days: int) -> tuple[dt.date, dt.date]:
    """The due dates that warn today, for a query over many cases: red when due ≤ the first date,
    yellow when due is after it and before the second (consistent with ``watch``)."""
    counted, day = 0, today
    while counted <= yellow_days:  # the (yellow_days + 1)-th working day after today
        day += dt.timedelta(days=1)
        counted += calendar.workday(day)[0]
    return today, day
