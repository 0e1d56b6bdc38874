"""SQLModel tables. Every schema change goes through an Alembic migration (store/migrations)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def id_of(row: SQLModel) -> int:
    """A stored row's id. SQLModel types ``id`` as ``int | None`` (None until the row is flushed);
    this says the caller holds a row that is in the database, and fails loudly if it is not."""
    row_id = getattr(row, "id", None)
    if row_id is None:
        raise ValueError(f"{type(row).__name__} has no id yet (not flushed)")
    return row_id


class Hall(SQLModel, table=True):
    """政务服务中心; a branch hall (分厅) has ``parent_id`` set to its main hall."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    name: str = Field(max_length=100)
    address: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)
    supervision_phone: str = Field(default="", max_length=40)
    parent_id: int | None = Field(default=None, foreign_key="hall.id")


class Department(SQLModel, table=True):
    """进驻部门, with its consultation phone."""

    __table_args__ = (UniqueConstraint("hall_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    hall_id: int = Field(foreign_key="hall.id")
    name: str = Field(max_length=100)
    phone: str = Field(default="", max_length=40)
    branch_hall_id: int | None = Field(default=None, foreign_key="hall.id")
    back_office: bool = False  # 前店后场: the window takes the papers, the department decides elsewhere


class Queue(SQLModel, table=True):
    """队列: a line of tickets with a letter prefix."""

    __table_args__ = (UniqueConstraint("hall_id", "prefix"),)
    id: int | None = Field(default=None, primary_key=True)
    hall_id: int = Field(foreign_key="hall.id")
    prefix: str = Field(max_length=1)
    name: str = Field(max_length=60)


class Window(SQLModel, table=True):
    """窗口: a numbered counter."""

    __table_args__ = (UniqueConstraint("hall_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    hall_id: int = Field(foreign_key="hall.id")
    number: int
    name: str = Field(default="", max_length=60)
    department_id: int | None = Field(default=None, foreign_key="department.id")


class WindowQueue(SQLModel, table=True):
    """Which queues a window serves, in order (a comprehensive window serves many)."""

    __tablename__ = "window_queue"

    window_id: int = Field(foreign_key="window.id", primary_key=True)
    queue_id: int = Field(foreign_key="queue.id", primary_key=True)
    position: int = 0


class ServiceItem(SQLModel, table=True):
    """事项 with its service guide (办事指南)."""

    __tablename__ = "service_item"
    __table_args__ = (UniqueConstraint("hall_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    hall_id: int = Field(foreign_key="hall.id")
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    department_id: int = Field(foreign_key="department.id")
    queue_id: int = Field(foreign_key="queue.id")
    kind: str = Field(max_length=16)  # "immediate" | "promised"
    legal_limit_days: int = 0
    promised_limit_days: int = 0
    fee: str = Field(default="", max_length=200)
    legal_basis: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    conditions: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    consultation_phone: str = Field(default="", max_length=40)
    supervision_phone: str = Field(default="", max_length=40)
    pinyin: str = Field(default="", max_length=800)
    initials: str = Field(default="", max_length=200)
    keywords: str = Field(default="", max_length=400)  # colloquial names (社保, 营业执照), "、"-separated
    keyword_index: str = Field(default="", max_length=1600)  # their pinyin and initials, " "-separated


class Material(SQLModel, table=True):
    """申请材料 of one item."""

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="service_item.id", index=True)
    position: int = 0
    name: str = Field(max_length=200)
    required: bool = True
    form: str = Field(default="original", max_length=20)  # original | copy | original_and_copy
    copies: int = 1
    notes: str = Field(default="", max_length=400)


class Staff(SQLModel, table=True):
    """A staff member who logs in: guide, clerk, supervisor or admin."""

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=40)
    department_id: int | None = Field(default=None, foreign_key="department.id")
    role: str = Field(max_length=16)
    pin_hash: str = Field(max_length=200)
    failed_attempts: int = 0
    locked: bool = False
    active: bool = True
    created_at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))
    must_change_pin: bool = False  # set or reset by someone else: changed at the next login first


class Event(SQLModel, table=True):
    """The append-only event log: the audit trail, the statistics' source, what terminals poll."""

    __table_args__ = (Index("ix_event_kind_at", "kind", "at"), Index("ix_event_subject", "subject"))
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False, index=True))
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    window_number: int | None = None
    kind: str = Field(max_length=40)
    subject: str = Field(default="", max_length=100)
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    prev_hash: str | None = Field(default=None, max_length=64)  # the audit chain: the previous event's hash
    hash: str | None = Field(default=None, max_length=64)  # over this event's content and prev_hash


class AuditHead(SQLModel, table=True):
    """The head of an audit chain, locked by every writer that extends it; ``floor_*`` is where a
    prune left the chain's start."""

    __tablename__ = "audit_head"
    chain: str = Field(primary_key=True, max_length=20)
    event_id: int | None = None
    hash: str = Field(max_length=64)
    floor_event_id: int | None = None
    floor_hash: str = Field(max_length=64)


class StoreMark(SQLModel, table=True):
    """A mark the store keeps about itself, such as ``demo`` for a database built by ``clerk-tui demo``."""

    __tablename__ = "store_mark"
    key: str = Field(primary_key=True, max_length=40)
    value: str = Field(sa_column=Column(Text, nullable=False))


class CalendarYear(SQLModel, table=True):
    """A year whose official schedule was loaded from a calendar file."""

    __tablename__ = "calendar_year"
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    source: str = Field(default="", max_length=200)
    loaded_at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))


class CalendarDay(SQLModel, table=True):
    """A day of a loaded year that differs from Monday-Friday: a holiday or a make-up workday."""

    __tablename__ = "calendar_day"
    day: dt.date = Field(primary_key=True)
    year: int = Field(foreign_key="calendar_year.year", index=True)
    is_workday: bool
    name: str = Field(default="", max_length=40)


class TicketCounter(SQLModel, table=True):
    """The last number issued per hall, queue and business day (取号计数), bumped atomically."""

    __tablename__ = "ticket_counter"
    hall_id: int = Field(foreign_key="hall.id", primary_key=True)
    queue_id: int = Field(foreign_key="queue.id", primary_key=True)
    business_date: dt.date = Field(primary_key=True)
    last: int = 0


class Ticket(SQLModel, table=True):
    """号票. Never deleted: each business day starts a new sequence, history stays."""

    __table_args__ = (
        UniqueConstraint("hall_id", "number_queue_id", "business_date", "seq"),
        # The front of each line: today's waiting tickets of a queue, by priority, in arrival order.
        Index("ix_ticket_front", "business_date", "status", "queue_id", "priority", "queued_at"),
        Index("ix_ticket_id_number", "id_number", "business_date"),
        Index("ix_ticket_number", "business_date", "number"),  # a ticket by the number a clerk types or holds
        Index(
            "ix_ticket_sent", "target_window", "business_date", "status", "queued_at"
        ),  # the front of 转办 to a window
    )
    id: int | None = Field(default=None, primary_key=True)
    hall_id: int = Field(foreign_key="hall.id")
    business_date: dt.date
    number_queue_id: int = Field(foreign_key="queue.id")  # the queue whose prefix the number carries
    seq: int
    number: str = Field(max_length=8)
    queue_id: int = Field(foreign_key="queue.id")  # where it waits now (changes on transfer)
    target_window: int | None = None  # transferred to one window: only that window calls it
    item_id: int | None = Field(default=None, foreign_key="service_item.id")
    priority: str = Field(default="none", max_length=16)
    id_number: str | None = Field(default=None, max_length=18)
    status: str = Field(default="waiting", max_length=12)
    issued_at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))
    # Its place in its current line: the ticket time, or for a transfer the ticket time (keeping
    # its place, the default) or the transfer time (the back of the line), as the hall sets it.
    queued_at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))
    issued_by: int | None = Field(default=None, foreign_key="staff.id")
    window_number: int | None = None  # the window that called it last
    staff_id: int | None = Field(default=None, foreign_key="staff.id")  # the clerk who called it last
    called_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    started_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    finished_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    no_show_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    recalls: int = 0
    transfers: int = 0
    transferred_from: int | None = None  # window number
    transfer_reason: str = Field(default="", max_length=200)
    appointment_id: int | None = None
    note: str = Field(default="", max_length=200)


class WindowState(SQLModel, table=True):
    """A window's working state: closed, open or paused (with the reason), and who sits there."""

    __tablename__ = "window_state"
    window_id: int = Field(foreign_key="window.id", primary_key=True, sa_column_kwargs={"autoincrement": False})
    status: str = Field(default="closed", max_length=10)  # closed | open | paused
    pause_reason: str = Field(default="", max_length=100)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", unique=True)
    current_ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    normals_since_priority: int = 0
    changed_at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))


class Appointment(SQLModel, table=True):
    """预约: booked at the desk, by the CLI or imported from the online platform's CSV."""

    __table_args__ = (Index("ix_appointment_id_day", "id_number", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    hall_id: int = Field(foreign_key="hall.id")
    item_id: int = Field(foreign_key="service_item.id")
    id_number: str = Field(max_length=18)
    name: str = Field(default="", max_length=40)
    phone: str = Field(default="", max_length=20)
    day: dt.date
    slot_start: dt.time
    slot_end: dt.time
    status: str = Field(default="booked", max_length=12)  # booked | checked_in | cancelled
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    source: str = Field(default="desk", max_length=12)  # desk | cli | import
    external_ref: str = Field(default="", max_length=64)
    created_at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))


class CaseCounter(SQLModel, table=True):
    """The last case sequence per hall and day (办件编号的流水号), bumped atomically."""

    __tablename__ = "case_counter"
    hall_id: int = Field(foreign_key="hall.id", primary_key=True)
    day: dt.date = Field(primary_key=True)
    last: int = 0


class ServiceCase(SQLModel, table=True):
    """办件: one application for one item, from intake to delivery. Never deleted."""

    __tablename__ = "service_case"
    __table_args__ = (
        UniqueConstraint("number", "hall_id"),  # number first: lookups give the number alone
        Index("ix_case_applicant_id", "applicant_id_number"),
        Index("ix_case_applicant_phone", "applicant_phone"),
        # text_pattern_ops: PostgreSQL can then serve a name prefix (LIKE '张%') from the index
        Index("ix_case_applicant_name", "applicant_name", postgresql_ops={"applicant_name": "text_pattern_ops"}),
        Index("ix_case_agent_id", "agent_id_number"),
        # The deadline watch: open cases by due date (yellow and red are ranges of it).
        Index("ix_case_status_due", "status", "due_date"),
        Index("ix_case_owner_status", "owner_id", "status"),
        Index("ix_case_dept_status", "department_id", "status"),
        Index("ix_case_handover_to", "handover_to_id"),
        Index("ix_case_received_on", "received_on"),
        Index("ix_case_completed_at", "completed_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    hall_id: int = Field(foreign_key="hall.id")
    number: str = Field(max_length=24)
    item_id: int = Field(foreign_key="service_item.id")
    department_id: int = Field(foreign_key="department.id")
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    window_number: int | None = None  # where it was received
    kind: str = Field(max_length=12)  # immediate | promised (how it was decided, not the item's kind)
    status: str = Field(max_length=20)
    applicant_kind: str = Field(max_length=12)  # person | organisation
    applicant_name: str = Field(max_length=100)
    applicant_id_number: str = Field(max_length=18)  # resident ID or USCC, whole (masked on lists)
    applicant_phone: str = Field(default="", max_length=20)
    representative: str = Field(default="", max_length=40)  # 法定代表人 of an organisation
    contact: str = Field(default="", max_length=40)
    agent_name: str = Field(default="", max_length=40)  # 代办人
    agent_id_number: str = Field(default="", max_length=18)
    id_override: str = Field(default="", max_length=200)  # why a failed ID/USCC check was let through
    id_override_by: int | None = Field(default=None, foreign_key="staff.id")
    received_on: dt.date  # 收件日期: the first time the papers were handed in
    accepted_on: dt.date | None = None  # 受理日期: the deadline counts from here
    promised_days: int = 0
    extension_days: int = 0
    due_date: dt.date | None = None
    due_provisional: bool = False
    supplement_notices: int = 0
    result: str = Field(default="", max_length=12)  # approved | denied
    reason: str = Field(default="", max_length=400)  # denial / rejection / withdrawal reason
    competent_department: str = Field(default="", max_length=100)  # 不予受理: who is competent
    competent_phone: str = Field(default="", max_length=40)
    delivery_method: str = Field(default="", max_length=12)  # collect | mail
    owner_id: int = Field(foreign_key="staff.id")  # 首办人
    handover_to_id: int | None = Field(default=None, foreign_key="staff.id")  # waiting for acknowledgement
    handover_reason: str = Field(default="", max_length=200)
    handover_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    created_at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))
    completed_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    updated_at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))
    # 便民服务措施: "" (at the window) | agency (全程代办: agency_staff_id carries it) | visit (上门服务)
    service_mode: str = Field(default="", max_length=12)
    agency_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    visit_address: str = Field(default="", max_length=200)
    visit_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    after_hours: bool = False  # 延时服务: taken in outside the hall's hours (or marked so)
    # 前店后场: in the back office since (None when not there), how often sent, minutes spent there before
    back_office_since: dt.datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    back_office_sends: int = 0
    back_office_minutes: int = 0


class CaseMaterial(SQLModel, table=True):
    """One line of a case's materials checklist: received (form, copies, pages) or missing."""

    __tablename__ = "case_material"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="service_case.id", index=True)
    position: int = 0
    name: str = Field(max_length=200)
    required: bool = True
    received: bool = False
    form: str = Field(default="original", max_length=20)  # original | copy | original_and_copy
    copies: int = 1
    pages: int = 0
    note: str = Field(default="", max_length=200)


class CaseSuspension(SQLModel, table=True):
    """挂起 (art. 45): from ``start`` to ``end`` (None while it lasts); those days do not count."""

    __tablename__ = "case_suspension"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="service_case.id", index=True)
    start: dt.date
    end: dt.date | None = None
    reason: str = Field(max_length=200)
    expected_days: int = 0


class PrintJob(SQLModel, table=True):
    """One paper to print: the ticket or case is committed first, the job records what happened."""

    __tablename__ = "print_job"
    __table_args__ = (Index("ix_print_job_subject", "document", "subject"), Index("ix_print_job_status", "status"))
    id: int | None = Field(default=None, primary_key=True)
    document: str = Field(max_length=24)  # ticket | receipt | supplement-notice | …
    subject: str = Field(max_length=64)  # ticket number (with its day), case number or item code
    business_date: dt.date | None = None  # a ticket's day (ticket numbers restart every day)
    printer: str = Field(max_length=300)
    width: int = 80
    status: str = Field(default="pending", max_length=12)  # pending | printed
    attempts: int = 0
    error: str = Field(default="", max_length=400)
    reprint: int = 0  # 0 the original, n the n-th reprint (补打)
    options: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))
    printed_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))


class Inquiry(SQLModel, table=True):
    """首问登记: who asked what, who answered first, and the outcome (never "not mine")."""

    __table_args__ = (
        Index("ix_inquiry_responder_status", "responder_id", "status"),
        Index("ix_inquiry_status", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    hall_id: int = Field(foreign_key="hall.id")
    opened_at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))
    responder_id: int = Field(foreign_key="staff.id")  # the first responder (首问责任人)
    window_number: int | None = None
    asker_name: str = Field(default="", max_length=40)
    asker_phone: str = Field(default="", max_length=20)
    matter: str = Field(max_length=400)
    item_id: int | None = Field(default=None, foreign_key="service_item.id")
    status: str = Field(default="open", max_length=12)  # open | handed_over | closed
    outcome: str | None = Field(default=None, max_length=12)
    note: str = Field(default="", max_length=400)
    to_window: int | None = None
    to_queue: str = Field(default="", max_length=1)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    department_id: int | None = Field(default=None, foreign_key="department.id")
    department_name: str = Field(default="", max_length=100)  # absent / external: the unit as told
    contact_name: str = Field(default="", max_length=40)
    contact_phone: str = Field(default="", max_length=40)
    appointment_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    handed_over_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    acknowledged_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    acknowledged_by: int | None = Field(default=None, foreign_key="staff.id")
    closed_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))


class AlertDismissal(SQLModel, table=True):
    """An alert set aside by a person with a reason (the alert's key is stable)."""

    __tablename__ = "alert_dismissal"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, index=True)
    reason: str = Field(max_length=200)
    staff_id: int = Field(foreign_key="staff.id")
    at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))


class Rating(SQLModel, table=True):
    """好差评: one per visit (ticket), from the rating pad that faces the applicant."""

    __table_args__ = (UniqueConstraint("ticket_id"), Index("ix_rating_at", "at"))
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    case_id: int | None = Field(default=None, foreign_key="service_case.id")
    window_number: int
    staff_id: int | None = Field(default=None, foreign_key="staff.id")  # the clerk who served
    level: int | None = None  # 1 (很不满意) … 5 (非常满意); None: 未评价 (timed out)
    reasons: str = Field(default="", max_length=200)  # "、"-separated from the list
    text: str = Field(default="", max_length=400)
    at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))


class FollowUp(SQLModel, table=True):
    """差评整改: every bad rating gets an owner and a due date; it ends rectified, explained or appealed."""

    __tablename__ = "follow_up"
    __table_args__ = (Index("ix_follow_up_status_due", "status", "due_date"),)
    id: int | None = Field(default=None, primary_key=True)
    rating_id: int = Field(foreign_key="rating.id", unique=True)
    owner_id: int = Field(foreign_key="staff.id")
    due_date: dt.date
    status: str = Field(default="open", max_length=12)  # open | rectified | explained | appealed
    note: str = Field(default="", max_length=400)
    opened_at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))
    closed_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))


class ReportDay(SQLModel, table=True):
    """A past day's mergeable report counts per grouping and group (a cache of final history)."""

    __tablename__ = "report_day"
    day: dt.date = Field(primary_key=True)
    by: str = Field(max_length=12, primary_key=True)
    key: str = Field(max_length=40, primary_key=True)
    data: str = Field(sa_column=Column(Text, nullable=False))


class DutyRoster(SQLModel, table=True):
    """领导带班 roster: the supervisor on duty for a day, as the administrator set it. A day without
    an entry has the supervisor who logged in first that day (their login event)."""

    __tablename__ = "duty_roster"
    day: dt.date = Field(primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    set_by: int = Field(foreign_key="staff.id")
    set_at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))


class DutyNote(SQLModel, table=True):
    """值班日志: a note the day's supervisor writes (``log``), or their handover to the next day's
    supervisor (``handover``, 交班留言)."""

    __tablename__ = "duty_note"
    __table_args__ = (Index("ix_duty_note_day_kind", "day", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    day: dt.date
    kind: str = Field(max_length=10)  # log | handover
    staff_id: int = Field(foreign_key="staff.id")
    text: str = Field(max_length=1000)
    at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))


class PatrolRound(SQLModel, table=True):
    """大厅巡查: one round of the hall by a supervisor, window by window."""

    __tablename__ = "patrol_round"
    id: int | None = Field(default=None, primary_key=True)
    day: dt.date = Field(index=True)
    staff_id: int = Field(foreign_key="staff.id")
    started_at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))
    finished_at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))
    windows_checked: int = 0


class PatrolFinding(SQLModel, table=True):
    """One thing a patrol found wrong at a window: absent, badge, discipline, tidiness or manner."""

    __tablename__ = "patrol_finding"
    __table_args__ = (Index("ix_patrol_finding_at", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="patrol_round.id", index=True)
    window_number: int
    staff_id: int | None = Field(default=None, foreign_key="staff.id")  # the clerk at the window then
    item: str = Field(max_length=12)  # absent | badge | discipline | tidiness | manner
    note: str = Field(default="", max_length=200)  # why absent, or what was seen
    waiting: int = 0  # people waiting in the window's queues when it was found absent
    at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))


class Device(SQLModel, table=True):
    """A public device registered to the web server (clerk-tui serve): a hall display (叫号大屏),
    a window's rating pad (评价器) or a self-service kiosk (自助取号机). Only the SHA-256 of its
    token is kept; the token itself is shown once, in the device's URL."""

    __table_args__ = (Index("ix_device_kind", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12)  # display | pad | kiosk
    name: str = Field(max_length=40)
    window_number: int | None = None  # the window a pad serves (a display or kiosk may name one too)
    printer: str = Field(default="", max_length=200)  # a kiosk's ticket printer (a [printing] name or URL)
    token_hash: str = Field(max_length=64, unique=True)  # sha256 hex of the token
    created_by: int = Field(foreign_key="staff.id")
    created_at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))
    revoked_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    last_seen_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))


class AssessmentMonth(SQLModel, table=True):
    """窗口考核: a month closed by a supervisor; ``scores`` holds the table as it was closed (JSON:
    every window's and clerk's score with its reasons), so that it never changes afterwards."""

    __tablename__ = "assessment_month"
    month: str = Field(primary_key=True, max_length=7)  # YYYY-MM, the month assessed
    rule: str = Field(max_length=200)  # the rule's name
    scores: str = Field(sa_column=Column(Text, nullable=False))
    closed_by: int = Field(foreign_key="staff.id")
    closed_at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False))


class AssessmentAward(SQLModel, table=True):
    """An award (流动红旗窗口, 微笑服务示范窗口 …) given to a window for the month after the one assessed."""

    __tablename__ = "assessment_award"
    __table_args__ = (
        UniqueConstraint("month", "code", "window_number"),
        Index("ix_assessment_award_shown", "shown_in"),
    )
    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(foreign_key="assessment_month.month", max_length=7)  # the month assessed
    shown_in: str = Field(max_length=7)  # the month it is shown (the next one)
    code: str = Field(max_length=20)
    name: str = Field(max_length=30)
    window_number: int
    rank: int
    why: str = Field(default="", max_length=200)
