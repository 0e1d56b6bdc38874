"""The case rules, table-tested: transitions, deadlines with suspension and extension, warnings."""

import datetime as dt

import pytest

from clerk_tui.domain import cases as c
from clerk_tui.domain.calendar import WorkdayCalendar, YearSchedule

D = dt.date
CAL = WorkdayCalendar()


@pytest.mark.parametrize(
    "status, action, expected",
    [
        (c.SUPPLEMENT_PENDING, "accept", c.ACCEPTED),
        (c.ACCEPTED, "start", c.IN_PROGRESS),
        (c.ACCEPTED, "complete", c.COMPLETED),
        (c.IN_PROGRESS, "suspend", c.SUSPENDED),
        (c.SUSPENDED, "resume", c.IN_PROGRESS),
        (c.IN_PROGRESS, "extend", c.IN_PROGRESS),
        (c.IN_PROGRESS, "complete", c.COMPLETED),
        (c.COMPLETED, "deliver", c.DELIVERED),
        (c.SUSPENDED, "withdraw", c.WITHDRAWN),
        (c.COMPLETED, "handover", c.COMPLETED),
    ],
)
def test_allowed_transitions(status, action, expected):
    assert c.next_status(status, action) == expected


@pytest.mark.parametrize(
    "status, action",
    [
        (c.COMPLETED, "suspend"),
        (c.DELIVERED, "complete"),
        (c.SUSPENDED, "complete"),
        (c.REJECTED, "accept"),
        (c.WITHDRAWN, "resume"),
        (c.SUPPLEMENT_PENDING, "start"),
        (c.COMPLETED, "withdraw"),
        (c.SUSPENDED, "extend"),
        (c.DELIVERED, "handover"),
    ],
)
def test_illegal_transitions_say_why(status, action):
    with pytest.raises(c.CaseRuleError, match="不能"):
        c.next_status(status, action)


def test_case_number():
    assert c.case_number("YX", D(2026, 11, 26), 7) == "YX202611260007"


@pytest.mark.parametrize(
    "accepted, days, same_day, expected",
    [
        (D(2026, 2, 12), 5, False, D(2026, 2, 26)),  # across the Spring Festival, 02-14 a make-up Saturday
        (D(2026, 2, 12), 5, True, D(2026, 2, 25)),
        (D(2026, 9, 28), 3, False, D(2026, 10, 8)),  # across National Day
        (D(2026, 9, 18), 2, False, D(2026, 9, 21)),  # Sunday 09-20 is a working day
    ],
)
def test_due_dates_with_the_day_one_setting_both_ways(accepted, days, same_day, expected):
    cal = WorkdayCalendar(count_from_same_day=same_day)
    result = c.due_date(cal, accepted, days)
    assert (result.date, result.provisional) == (expected, False)


def test_suspended_days_do_not_count_and_extension_adds():
    accepted = D(2026, 11, 2)  # Monday
    plain = c.due_date(CAL, accepted, 5)
    assert plain.date == D(2026, 11, 9)
    # Suspended on Wednesday, resumed the next Monday: Thu, Fri, Mon do not count.
    susp = c.due_date(CAL, accepted, 5, suspensions=[c.Suspension(D(2026, 11, 4), D(2026, 11, 9))])
    assert susp.date == D(2026, 11, 12)
    # Still suspended today: the due date keeps moving.
    ongoing = c.due_date(CAL, accepted, 5, suspensions=[c.Suspension(D(2026, 11, 4))], today=D(2026, 11, 6))
    assert ongoing.date == D(2026, 11, 11)
    assert c.due_date(CAL, accepted, 5, extension_days=10).date == D(2026, 11, 23)


def test_a_due_date_reaching_2027_is_provisional_until_the_year_is_loaded():
    assert c.due_date(CAL, D(2026, 12, 28), 5).provisional
    year = YearSchedule(2027, frozenset({D(2027, 1, 1)}), frozenset(), "test")
    loaded = WorkdayCalendar([year])
    result = c.due_date(loaded, D(2026, 12, 28), 5)
    assert not result.provisional and result.date == D(2027, 1, 5)


@pytest.mark.parametrize(
    "today, due, expected",
    [
        (D(2026, 11, 23), D(2026, 11, 30), (5, c.NONE)),
        (D(2026, 11, 26), D(2026, 11, 30), (2, c.YELLOW)),
        (D(2026, 11, 27), D(2026, 11, 30), (1, c.YELLOW)),
        (D(2026, 11, 30), D(2026, 11, 30), (0, c.RED)),  # the due date itself is red
        (D(2026, 12, 2), D(2026, 11, 30), (-2, c.RED)),
    ],
)
def test_warning_levels(today, due, expected):
    w = c.watch(CAL, due, today, yellow_days=2)
    assert (w.remaining_workdays, w.warning) == expected


def test_a_suspended_case_raises_no_new_warning():
    assert c.watch(CAL, D(2026, 11, 30), D(2026, 11, 30), suspended=True).warning == c.NONE


@pytest.mark.parametrize("today", [dt.date(2026, 9, 28), dt.date(2026, 12, 30), dt.date(2026, 2, 11)])
@pytest.mark.parametrize("yellow_days", [0, 1, 2, 5])
def test_warning_bounds_agree_with_watch(today, yellow_days):
    from clerk_tui.domain.cases import warning_bounds

    cal = WorkdayCalendar()
    red_until, yellow_before = warning_bounds(cal, today, yellow_days)
    for offset in range(-3, 30):
        due = today + dt.timedelta(days=offset)
        level = c.watch(cal, due, today, yellow_days=yellow_days).warning
        expected = "red" if due <= red_until else "yellow" if due < yellow_before else "none"
        assert level == expected, (due, level, expected)
