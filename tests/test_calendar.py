import datetime as dt

import pytest

from clerk_tui.domain.calendar import WorkdayCalendar, YearSchedule, statutory_holidays

D = dt.date


@pytest.mark.parametrize(
    "start, n, expected",
    [
        # Spring Festival 2026: off 02-15..02-23; Saturdays 02-14 and 02-28 are make-up workdays.
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 2, 24), 4, D(2026, 2, 28)),
        (D(2026, 2, 12), 5, D(2026, 2, 26)),
        # National Day 2026: off 10-01..10-07; 09-20 (Sun) and 10-10 (Sat) are workdays.
        (D(2026, 9, 18), 1, D(2026, 9, 20)),
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 10, 8), 2, D(2026, 10, 10)),
        # Ordinary weeks.
        (D(2026, 11, 20), 5, D(2026, 11, 27)),
        (D(2026, 11, 26), 0, D(2026, 11, 26)),
    ],
)
def test_add_workdays_across_2026_holidays(start, n, expected):
    result = WorkdayCalendar().add_workdays(start, n)
    assert (result.date, result.provisional) == (expected, False)


def test_day_one_can_be_the_same_day():
    cal = WorkdayCalendar(count_from_same_day=True)
    assert cal.add_workdays(D(2026, 11, 26), 1).date == D(2026, 11, 26)
    assert cal.add_workdays(D(2026, 2, 14), 2).date == D(2026, 2, 24)
    # A start on a holiday: the first working day after it is day 1.
    assert cal.add_workdays(D(2026, 2, 16), 1).date == D(2026, 2, 24)


def test_make_up_saturdays_are_workdays():
    cal = WorkdayCalendar()
    for day in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"):
        assert cal.workday(D.fromisoformat(day)) == (True, False)
    assert cal.workday(D(2026, 2, 16)) == (False, False)
    assert cal.workday(D(2026, 10, 5)) == (False, False)


def test_a_deadline_reaching_2027_is_provisional():
    cal = WorkdayCalendar()
    result = cal.add_workdays(D(2026, 12, 31), 1)
    assert result.provisional
    assert result.date == D(2027, 1, 4)  # 2027-01-01 is 元旦 by law, then a weekend


def test_provisional_year_knows_statutory_lunar_holidays():
    days = statutory_holidays(2027)
    assert days[D(2027, 2, 5)] == "春节"  # 除夕
    assert all(days[D(2027, 2, d)] == "春节" for d in (6, 7, 8))
    assert days[D(2027, 4, 5)] == "清明节"
    assert days[D(2027, 6, 9)] == "端午节"
    assert days[D(2027, 9, 15)] == "中秋节"
    cal = WorkdayCalendar()
    assert cal.workday(D(2027, 2, 8)) == (False, True)
    assert cal.workday(D(2027, 2, 9)) == (True, True)


def test_loaded_year_is_confirmed_and_wins():
    sched = YearSchedule(2027, frozenset({D(2027, 1, 1), D(2027, 1, 4)}), frozenset({D(2027, 1, 9)}), "test")
    cal = WorkdayCalendar([sched])
    result = cal.add_workdays(D(2026, 12, 31), 1)
    assert (result.date, result.provisional) == (D(2027, 1, 5), False)
    assert cal.workday(D(2027, 1, 9)) == (True, False)


def test_never_crashes_far_ahead():
    cal = WorkdayCalendar()
    for year in (1990, 2101, 2150):
        result = cal.add_workdays(D(year, 1, 1), 10)
        assert result.provisional and result.date.year == year


def test_workdays_between_counts_both_ways():
    cal = WorkdayCalendar()
    assert cal.workdays_between(D(2026, 2, 13), D(2026, 2, 24)) == (2, False)
    assert cal.workdays_between(D(2026, 2, 24), D(2026, 2, 13)) == (-2, False)
    count, provisional = cal.workdays_between(D(2026, 12, 30), D(2027, 1, 5))
    assert (count, provisional) == (3, True)


def test_a_calendar_file_missing_statutory_holidays_is_refused(tmp_path):
    from clerk_tui.services.calendar import parse_calendar_file
    from clerk_tui.services.errors import ServiceError

    path = tmp_path / "2027.toml"
    path.write_text('year = 2027\n[[holiday]]\nname = "春节"\ndays = ["2027-02-05..2027-02-11"]\n', encoding="utf-8")
    with pytest.raises(ServiceError, match="不完整.*2027-01-01（元旦）"):
        parse_calendar_file(path)
