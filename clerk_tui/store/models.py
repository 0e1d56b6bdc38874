"""SQLModel tables. Every schema change goes through an Alembic migration (store/migrations)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


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


class Event(SQLModel, table=True):
    """The append-only event log: the audit trail, the statistics' source, what terminals poll."""

    __table_args__ = (Index("ix_event_kind_at", "kind", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_column=Column(DateTime, nullable=False, index=True))
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    window_number: int | None = None
    kind: str = Field(max_length=40)
    subject: str = Field(default="", max_length=100)
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


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
