"""The hall's working-day calendar as stored: the loaded years, read inside or outside a
transaction, and dates as a person types them. Loading a calendar file is services/calendar.py."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui.domain.calendar import WorkdayCalendar, YearSchedule
from clerk_tui.services.errors import ServiceError
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import CalendarDay, CalendarYear


def loaded_schedules(engine: Engine) -> list[YearSchedule]:
    with read_session(engine) as session:
        return session_schedules(session)


def session_schedules(session: Session) -> list[YearSchedule]:
    """The loaded years, read inside the caller's transaction."""
    years = session.exec(select(CalendarYear)).all()
    days = session.exec(select(CalendarDay)).all()
    out = []
    for y in years:
        mine = [d for d in days if d.year == y.year]
        out.append(
            YearSchedule(
                y.year,
                frozenset(d.day for d in mine if not d.is_workday),
                frozenset(d.day for d in mine if d.is_workday),
                y.source,
                {d.day: d.name for d in mine},
            )
        )
    return out


def hall_calendar(engine: Engine, *, count_from_same_day: bool = False) -> WorkdayCalendar:
    """The working-day calendar: the package's years plus every year loaded into this hall."""
    return WorkdayCalendar(loaded_schedules(engine), count_from_same_day=count_from_same_day)


def parse_date(text: str) -> dt.date:
    text = text.strip()
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ServiceError(f"日期 {text!r} 无效，请写成 YYYY-MM-DD，例如 2026-12-31") from exc
