"""Calendar files (one year's holidays and make-up workdays) and loading them into the hall.

Reading the hall's working-day calendar lives in services/workdays.py (the cases import it, and
loading a calendar recomputes the cases, so the two must not import each other); its names are
re-exported here for callers."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session

from clerk_tui import clock
from clerk_tui.domain.calendar import WorkdayCalendar, YearSchedule, statutory_holidays
from clerk_tui.domain.words import toml_loads
from clerk_tui.services import events
from clerk_tui.services.cases import recompute_provisional
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import ServiceError, toml_words
from clerk_tui.services.files import read_text
from clerk_tui.services.tx import transaction
from clerk_tui.services.workdays import hall_calendar as hall_calendar
from clerk_tui.services.workdays import loaded_schedules as loaded_schedules
from clerk_tui.services.workdays import parse_date as parse_date
from clerk_tui.services.workdays import session_schedules
from clerk_tui.store.models import CalendarDay, CalendarYear


def _dates(value, where: str, year: int) -> list[dt.date]:
    """Dates from a list of "YYYY-MM-DD" strings or "YYYY-MM-DD..YYYY-MM-DD" ranges."""
    if not isinstance(value, list):
        raise ServiceError(f'{where} 应为日期列表，例如 ["{year}-01-01"]')
    out = []
    for raw in value:
        text = raw.isoformat() if isinstance(raw, dt.date) else str(raw)
        parts = text.split("..")
        try:
            first = dt.date.fromisoformat(parts[0].strip())
            last = dt.date.fromisoformat(parts[-1].strip())
        except ValueError as exc:
            raise ServiceError(
                f"{where} 中的 {text!r} 不是有效日期（应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD）"
            ) from exc
        if len(parts) > 2 or last < first:
            raise ServiceError(f"{where} 中的日期范围 {text!r} 无效")
        day = first
        while day <= last:
            if day.year != year:
                raise ServiceError(f"{where} 中的日期 {day} 不在 {year} 年内")
            out.append(day)
            day += dt.timedelta(days=1)
    return out


def read_calendar(engine: Engine, actor: Actor | None, *, count_from_same_day: bool = False) -> WorkdayCalendar:
    """The hall's working-day calendar, for someone of the hall (``calendar add-workdays`` …)."""
    require(actor, "calendar.read")
    return hall_calendar(engine, count_from_same_day=count_from_same_day)


def parse_calendar_file(path: str | Path) -> YearSchedule:
    """Read a calendar file (data/calendar/README.md describes it)."""
    path = Path(path)
    try:
        doc = toml_loads(read_text(path, "日历文件"))
    except tomllib.TOMLDecodeError as exc:
        raise ServiceError(
            f"日历文件 {path} 格式错误，{toml_words(exc)}：请按 data/calendar/README.md 修正后重试"
        ) from exc
    year = doc.get("year")
    if not isinstance(year, int) or not 1900 <= year <= 2200:
        raise ServiceError(f"日历文件 {path} 缺少有效的 year 字段（例如 year = 2027）")
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    names: dict[dt.date, str] = {}
    entries = doc.get("holiday", [])
    if not isinstance(entries, list) or not entries:
        raise ServiceError(f"日历文件 {path} 没有 [[holiday]] 条目：至少要列出一个节假日")
    for i, entry in enumerate(entries, start=1):
        name = str(entry.get("name", "")).strip() if isinstance(entry, dict) else ""
        if not name:
            raise ServiceError(f"日历文件 {path} 第{i}个 [[holiday]] 缺少 name")
        for day in _dates(entry.get("days", []), f"{path} 的 {name}.days", year):
            if day in workdays:
                raise ServiceError(f"日历文件 {path}：{day} 同时被列为放假和调休上班")
            holidays.add(day)
            names[day] = name
        for day in _dates(entry.get("workdays", []), f"{path} 的 {name}.workdays", year):
            if day in holidays:
                raise ServiceError(f"日历文件 {path}：{day} 同时被列为放假和调休上班")
            workdays.add(day)
            names[day] = f"{name}调休上班"
    missing = [f"{d}（{n}）" for d, n in sorted(statutory_holidays(year).items()) if d not in holidays]
    if missing:
        raise ServiceError(
            f"日历文件 {path} 不完整：法定节假日 {'、'.join(missing[:8])}{'等' if len(missing) > 8 else ''} "
            "未列为放假日。请按国务院通知列出全年全部放假和调休安排后再载入"
        )
    source = str(doc.get("source", "")).strip() or path.name
    return YearSchedule(year, frozenset(holidays), frozenset(workdays), source, names)


def load_calendar(
    engine: Engine, actor: Actor | None, path: str | Path, *, count_from_same_day: bool = False
) -> YearSchedule:
    """``calendar load FILE``: the year's schedule replaces any earlier one for that year, and
    every case whose promised date was provisional is recomputed in the same transaction."""
    require(actor, "calendar.load")
    schedule = parse_calendar_file(path)

    def store(session: Session) -> None:
        replaced = session.get(CalendarYear, schedule.year) is not None
        session.exec(delete(CalendarDay).where(CalendarDay.year == schedule.year))
        session.exec(delete(CalendarYear).where(CalendarYear.year == schedule.year))
        session.flush()
        session.add(CalendarYear(year=schedule.year, source=schedule.source[:200], loaded_at=clock.now()))
        session.flush()
        for day in sorted(schedule.holidays | schedule.workdays):
            # Store only what differs from Monday-Friday; a weekday holiday or a weekend workday.
            work = day in schedule.workdays
            if work != (day.weekday() < 5):
                session.add(CalendarDay(day=day, year=schedule.year, is_workday=work, name=schedule.names.get(day, "")))
        events.record(
            session,
            "calendar.loaded",
            actor=actor,
            subject=str(schedule.year),
            source=schedule.source,
            replaced=replaced,
            holidays=len(schedule.holidays),
            workdays=len(schedule.workdays),
        )
        session.flush()
        calendar = WorkdayCalendar(session_schedules(session), count_from_same_day=count_from_same_day)
        recompute_provisional(session, actor, calendar)

    transaction(engine, store)
    return schedule
