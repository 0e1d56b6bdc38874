"""The working-day calendar (工作日) that legal deadlines are counted in.

Confirmed years come from the ``chinese_calendar`` package (the State Council's schedules it ships)
and from local calendar files an administrator loads (``YearSchedule``). A year that is neither is
*provisional*: Monday to Friday less the statutory public holidays of 《全国年节及纪念日放假办法》
(2024 revision), whose lunar dates are computed. Any result that depends on a provisional day is
marked provisional so screens and papers can say so; nothing here ever raises for a date.

Counting (《行政许可法》 art. 82, 《民法典》 art. 201): day 1 is the working day after the start day,
so ``add_workdays(d, n)`` is the n-th working day after ``d``. Localities that count the start day
itself set ``count_from_same_day``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

ONE_DAY = dt.timedelta(days=1)


class DateOutOfRange(ValueError):
    """A deadline past the last day a calendar can hold (9999-12-31)."""

    def __init__(self, start: dt.date, n: int) -> None:
        self.message = (
            f"日期超出范围：从 {start.isoformat()} 起算 {n} 个工作日会超过日历能表示的最后一天"
            "（9999-12-31），请核对日期和天数"
        )
        super().__init__(self.message)


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule: days off (holidays) and make-up working days (调休)."""

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str = ""
    names: Mapping[dt.date, str] = field(default_factory=dict)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


@dataclass(frozen=True)
class Deadline:
    """A date computed in working days, and whether it rests on an unconfirmed year."""

    date: dt.date
    provisional: bool


@lru_cache(maxsize=64)
def _builtin_year(year: int) -> YearSchedule | None:
    """The schedule the chinese_calendar package knows for ``year``, or None (it raises outside)."""
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a dependency, but never crash for it
        return None
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    holidays, workdays = set(), set()
    try:
        day = start
        while day <= end:
            work = chinese_calendar.is_workday(day)
            if work and day.weekday() >= 5:
                workdays.add(day)
            elif not work and day.weekday() < 5:
                holidays.add(day)
            day += ONE_DAY
    except (NotImplementedError, ValueError, KeyError):
        return None
    return YearSchedule(year, frozenset(holidays), frozenset(workdays), source="chinese_calendar")


def _lunar_to_solar(year: int, month: int, day: int) -> dt.date | None:
    try:
        import lunardate

        return lunardate.LunarDate(year, month, day).to_solar_date()
    except Exception:  # out of the library's range: the holiday is unknown, not a crash
        return None


def _qingming(year: int) -> dt.date:
    try:
        import chinese_calendar

        for day, name in chinese_calendar.get_solar_terms(dt.date(year, 4, 3), dt.date(year, 4, 6)):
            if name == "清明":
                return day
    except Exception:
        pass
    # The usual 21st-century approximation.
    y = year % 100
    return dt.date(year, 4, int(y * 0.2422 + 4.81) - (y - 1) // 4 if y else 5)


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The public holidays fixed by law for ``year`` (without any 调休 arrangement)."""
    days: dict[dt.date, str] = {dt.date(year, 1, 1): "元旦"}
    new_year = _lunar_to_solar(year, 1, 1)
    if new_year is not None:
        for offset in range(-1, 3):  # 除夕 and the first three days (国务院令第795号)
            days[new_year + dt.timedelta(days=offset)] = "春节"
    days[_qingming(year)] = "清明节"
    days[dt.date(year, 5, 1)] = days[dt.date(year, 5, 2)] = "劳动节"
    for month, day, name in ((5, 5, "端午节"), (8, 15, "中秋节")):
        solar = _lunar_to_solar(year, month, day)
        if solar is not None:
            days[solar] = name
    for d in (1, 2, 3):
        days[dt.date(year, 10, d)] = "国庆节"
    return {k: v for k, v in days.items() if k.year == year}


def provisional_schedule(year: int) -> YearSchedule:
    """Monday-Friday less the statutory holidays: the best knowledge before the yearly notice."""
    names = statutory_holidays(year)
    return YearSchedule(year, frozenset(d for d in names if d.weekday() < 5), frozenset(), "provisional", names)


class WorkdayCalendar:
    """Answers is-workday and add-N-working-days over confirmed and provisional years."""

    def __init__(
        self,
        loaded: Iterable[YearSchedule] = (),
        *,
        count_from_same_day: bool = False,
        use_builtin: bool = True,
    ) -> None:
        self.loaded: dict[int, YearSchedule] = {s.year: s for s in loaded}
        self.count_from_same_day = count_from_same_day
        self.use_builtin = use_builtin

    def schedule(self, year: int) -> tuple[YearSchedule, bool]:
        """The schedule for ``year`` and whether it is confirmed. Loaded files win over the package."""
        if year in self.loaded:
            return self.loaded[year], True
        if self.use_builtin and (builtin := _builtin_year(year)) is not None:
            return builtin, True
        return provisional_schedule(year), False

    def is_confirmed_year(self, year: int) -> bool:
        return self.schedule(year)[1]

    def workday(self, day: dt.date) -> tuple[bool, bool]:
        """(is a working day, provisional)."""
        schedule, confirmed = self.schedule(day.year)
        return schedule.is_workday(day), not confirmed

    def add_workdays(self, start: dt.date, n: int) -> Deadline:
        """The n-th working day counted from ``start`` (day 1 is the next day unless configured)."""
        if n < 0:
            raise ValueError("工作日天数不能为负数")
        provisional = False
        if n == 0:
            return Deadline(start, not self.is_confirmed_year(start.year))
        try:
            start + dt.timedelta(days=n)  # n working days take at least n days
            day = start if self.count_from_same_day else start + ONE_DAY
            counted = 0
            while True:
                work, prov = self.workday(day)
                provisional = provisional or prov
                if work:
                    counted += 1
                    if counted == n:
                        return Deadline(day, provisional)
                day += ONE_DAY
        except OverflowError:
            raise DateOutOfRange(start, n) from None

    def workdays_between(self, start: dt.date, end: dt.date) -> tuple[int, bool]:
        """Working days after ``start`` up to and including ``end``; negative when ``end`` is
        before ``start``. Returns (count, provisional)."""
        sign, lo, hi = (1, start, end) if end >= start else (-1, end, start)
        count, provisional, day = 0, False, lo + ONE_DAY
        while day <= hi:
            work, prov = self.workday(day)
            provisional = provisional or prov
            count += work
            day += ONE_DAY
        return sign * count, provisional
