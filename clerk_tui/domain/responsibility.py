"""首问负责制 / 首办负责制 as data: the allowed inquiry outcomes and a pure rules engine that turns
facts about inquiries, tickets and cases into obligations and alerts (who must act, by when,
why). The thresholds are the hall's settings ([responsibility]); there is no "not mine" outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

# outcome -> (its name, the fields it needs)
OUTCOMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "answered": ("当场答复", ("note",)),
    "referred": ("引导至窗口", ("to",)),  # to a window or queue; a referral ticket is issued or transferred
    "absent": ("经办人不在，登记转交", ("department", "contact", "phone")),
    "external": ("不属本厅，告知有权部门", ("department", "phone")),
    "appointment": ("预约办理", ("at",)),
}
FIELD_NAMES = {
    "note": "答复内容",
    "to": "引导去向（窗口号或队列）",
    "department": "部门",
    "contact": "联系人",
    "phone": "联系电话",
    "at": "预约时间",
}
# outcomes that hand the matter over: the first responder stays responsible until it is taken
HANDOVER_OUTCOMES = ("referred", "absent")


class OutcomeError(ValueError):
    pass


def check_outcome(outcome: str, fields: dict[str, str]) -> None:
    """Refuse an outcome that is not allowed or lacks a field it needs."""
    if outcome not in OUTCOMES:
        allowed = "、".join(f"{k}（{v[0]}）" for k, v in OUTCOMES.items())
        raise OutcomeError(f"处理结果 {outcome!r} 不允许（首问负责制不允许“不归我管”），可用：{allowed}")
    missing = [FIELD_NAMES[f] for f in OUTCOMES[outcome][1] if not str(fields.get(f) or "").strip()]
    if missing:
        raise OutcomeError(f"“{OUTCOMES[outcome][0]}”需要填写：{'、'.join(missing)}")


@dataclass(frozen=True)
class Rules:
    """The hall's thresholds (settings [responsibility])."""

    handover_ack_minutes: int = 15  # a referral or handover must be taken within this
    buck_passing_transfers: int = 2  # transfers of one ticket that flag 推诿
    escalate_after_minutes: int = 30  # an inquiry with no outcome after this goes to the supervisor
    case_handover_ack_minutes: int = 120  # a case handover must be acknowledged within this


@dataclass(frozen=True)
class InquiryFact:
    id: int
    responder: str  # staff number of the first responder
    opened_at: dt.datetime
    matter: str
    outcome: str | None = None
    handed_over_at: dt.datetime | None = None  # referred / absent: when
    acknowledged_at: dt.datetime | None = None  # the receiving window called the ticket / the department took it
    to: str = ""  # "3号窗口" / "A 综合受理" / a department
    ticket: str = ""  # the referral ticket's number
    department_staff: tuple[str, ...] = ()  # absent: the clerks of that department


@dataclass(frozen=True)
class TicketFact:
    number: str
    day: dt.date
    transfers: int
    last_staff: str  # staff number of the clerk who transferred it last ("" unknown)
    last_transfer_at: dt.datetime | None = None


@dataclass(frozen=True)
class CaseFact:
    number: str
    owner: str
    warning: str  # none | yellow | red
    due: dt.date | None
    handover_to: str = ""  # staff number, when a handover waits for acknowledgement
    handover_at: dt.datetime | None = None


@dataclass(frozen=True)
class AbsenceFact:
    """大厅巡查 found a window with nobody at post while people waited for it."""

    finding_id: int
    window: int
    at: dt.datetime
    waiting: int
    clerk: str  # staff number of the clerk at the window ("" when none was signed in)
    reason: str = ""


@dataclass(frozen=True)
class FollowUpFact:
    id: int
    owner: str
    due: dt.date
    subject: str


@dataclass(frozen=True)
class Alert:
    key: str  # stable: the same situation gives the same key (dismissals refer to it)
    kind: str
    responsible: str  # the staff number who must act
    subject: str
    due: dt.datetime
    why: str
    escalated: bool = False  # the supervisor is expected to step in

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)

    def as_json(self) -> dict:
        return {
            "id": self.key,
            "kind": self.kind,
            "kind_name": self.kind_name,
            "responsible": self.responsible,
            "subject": self.subject,
            "due": self.due.isoformat(timespec="minutes"),
            "why": self.why,
            "escalated": self.escalated,
        }


KIND_NAMES = {
    "referral_unacknowledged": "引导未接收",
    "handover_unacknowledged": "转交未接收",
    "buck_passing": "疑似推诿",
    "inquiry_escalation": "首问超时未处理",
    "case_yellow": "办件黄色预警",
    "case_red": "办件红色预警",
    "case_handover_unacknowledged": "办件移交未接收",
    "followup_overdue": "差评整改逾期",
    "window_absent": "巡查：窗口无人",
}


def absent_words(window: int, waiting: int) -> str:
    """The one sentence for a window found empty while people wait for it."""
    return f"{window}号窗口无人在岗，排队 {waiting} 人"


def evaluate(
    now: dt.datetime,
    rules: Rules,
    inquiries: Iterable[InquiryFact] = (),
    tickets: Iterable[TicketFact] = (),
    cases: Iterable[CaseFact] = (),
    dismissed: frozenset[str] = frozenset(),
    followups: Iterable[FollowUpFact] = (),
    absences: Iterable[AbsenceFact] = (),
) -> list[Alert]:
    """Every alert that holds at ``now``, most urgent first. An alert ends when its facts change
    (the action it asks for was done) or when its key was dismissed."""
    out: list[Alert] = []
    ack = dt.timedelta(minutes=rules.handover_ack_minutes)
    for q in inquiries:
        if q.outcome is None:
            due = q.opened_at + dt.timedelta(minutes=rules.escalate_after_minutes)
            if now >= due:
                out.append(
                    Alert(
                        f"inquiry:{q.id}:open",
                        "inquiry_escalation",
                        q.responder,
                        f"首问 #{q.id} {q.matter}",
                        due,
                        f"首问登记{rules.escalate_after_minutes}分钟仍无处理结果，请答复、引导或转交",
                        escalated=True,
                    )
                )
        elif q.outcome in HANDOVER_OUTCOMES and q.acknowledged_at is None and q.handed_over_at is not None:
            due = q.handed_over_at + ack
            if now >= due:
                if q.outcome == "referred":
                    out.append(
                        Alert(
                            f"inquiry:{q.id}:referral",
                            "referral_unacknowledged",
                            q.responder,
                            f"首问 #{q.id} {q.matter} → {q.to}" + (f"（{q.ticket}）" if q.ticket else ""),
                            due,
                            f"引导{rules.handover_ack_minutes}分钟后接收窗口仍未叫号；首问人继续负责，请跟进",
                            escalated=True,
                        )
                    )
                else:
                    for staff in q.department_staff or (q.responder,):
                        out.append(
                            Alert(
                                f"inquiry:{q.id}:absent:{staff}",
                                "handover_unacknowledged",
                                staff,
                                f"首问 #{q.id} {q.matter} → {q.to}",
                                due,
                                f"经办人不在时登记的事项{rules.handover_ack_minutes}分钟无人接收，请接收并联系当事人",
                            )
                        )
    for t in tickets:
        if t.transfers >= rules.buck_passing_transfers:
            out.append(
                Alert(
                    f"ticket:{t.day:%Y%m%d}:{t.number}:transfers",
                    "buck_passing",
                    t.last_staff or "",
                    f"{t.number} 已转办{t.transfers}次",
                    t.last_transfer_at or now,
                    f"同一号票转办达{rules.buck_passing_transfers}次，疑似推诿，请带班领导过问",
                    escalated=True,
                )
            )
    case_ack = dt.timedelta(minutes=rules.case_handover_ack_minutes)
    for c in cases:
        if c.warning in ("yellow", "red") and c.due is not None:
            kind = f"case_{c.warning}"
            out.append(
                Alert(
                    f"case:{c.number}:{c.warning}",
                    kind,
                    c.owner,
                    f"办件 {c.number}",
                    dt.datetime.combine(c.due, dt.time(17, 0)),
                    "已到或超过承诺办结日期，请立即办结（延期须在期限届满前决定）"
                    if c.warning == "red"
                    else "临近承诺办结日期，请抓紧办理",
                    escalated=c.warning == "red",
                )
            )
        if c.handover_to and c.handover_at is not None and now >= c.handover_at + case_ack:
            out.append(
                Alert(
                    f"case:{c.number}:handover",
                    "case_handover_unacknowledged",
                    c.handover_to,
                    f"办件 {c.number} 待接收",
                    c.handover_at + case_ack,
                    f"办件移交{rules.case_handover_ack_minutes}分钟仍未确认接收，请接收（首办人仍为移交人）",
                )
            )
    for f in followups:
        if now.date() > f.due:
            out.append(
                Alert(
                    f"followup:{f.id}",
                    "followup_overdue",
                    f.owner,
                    f.subject,
                    dt.datetime.combine(f.due, dt.time(17, 0)),
                    "差评整改已过期限，请办结（整改、解释说明或申诉）",
                    escalated=True,
                )
            )
    for w in absences:
        out.append(
            Alert(
                f"patrol:{w.finding_id}:absent",
                "window_absent",
                w.clerk,
                absent_words(w.window, w.waiting),
                w.at,
                "巡查发现窗口无人在岗" + (f"（{w.reason}）" if w.reason else "") + "，请安排人员回岗或补位",
                escalated=True,
            )
        )
    alerts = [a for a in out if a.key not in dismissed]
    return sorted(alerts, key=lambda a: (not a.escalated, a.due, a.key))
