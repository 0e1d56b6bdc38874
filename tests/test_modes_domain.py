"""The case state machine's 前店后场 steps and the service-mode rules (domain, pure): plain tables."""

import datetime as dt

import pytest

from clerk_tui.domain import cases as rules

B = rules.BACK_OFFICE


@pytest.mark.parametrize(
    "status, action, expected",
    [
        (rules.ACCEPTED, "send_back", B),
        (rules.IN_PROGRESS, "send_back", B),
        (B, "returned", rules.COMPLETED),
        (B, "withdraw", rules.WITHDRAWN),
        (B, "extend", B),
        (B, "handover", B),
        (rules.COMPLETED, "deliver", rules.DELIVERED),
    ],
)
def test_back_office_steps_allowed(status, action, expected):
    assert rules.next_status(status, action) == expected


@pytest.mark.parametrize(
    "status, action",
    [
        (rules.SUPPLEMENT_PENDING, "send_back"),  # papers incomplete: nothing to decide yet
        (rules.SUSPENDED, "send_back"),
        (rules.COMPLETED, "send_back"),
        (rules.DELIVERED, "send_back"),
        (B, "send_back"),
        (B, "complete"),  # the back office decides: its return records it
        (B, "suspend"),
        (B, "deliver"),
        (B, "start"),
        (rules.ACCEPTED, "returned"),
        (rules.IN_PROGRESS, "returned"),
    ],
)
def test_back_office_steps_refused_with_words(status, action):
    with pytest.raises(rules.CaseRuleError, match=rules.ACTION_NAMES[action]):
        rules.next_status(status, action)


def test_back_office_is_open_and_warns():
    assert B in rules.RUNNING_STATUSES and B in rules.OPEN_STATUSES
    assert rules.SUSPENDED not in rules.RUNNING_STATUSES
    assert rules.STATUS_NAMES[B] == "后场审批中"


@pytest.mark.parametrize(
    "minutes, words",
    [(0, "0分钟"), (8, "8分钟"), (60, "1小时"), (312, "5小时12分钟"), (1440, "1天"), (4560, "3天4小时"), (-5, "0分钟")],
)
def test_stay_words(minutes, words):
    assert rules.stay_words(minutes) == words


@pytest.mark.parametrize(
    "since, now, minutes",
    [
        (dt.datetime(2026, 11, 26, 10), dt.datetime(2026, 11, 26, 10, 59, 59), 59),
        (dt.datetime(2026, 11, 26, 10), dt.datetime(2026, 11, 27, 10), 1440),
        (dt.datetime(2026, 11, 26, 10), dt.datetime(2026, 11, 26, 9), 0),  # the clock went back
    ],
)
def test_back_office_minutes(since, now, minutes):
    assert rules.back_office_minutes(since, now) == minutes


OPENS, CLOSES = dt.time(8, 30), dt.time(17, 30)


@pytest.mark.parametrize(
    "at, workday, expected",
    [
        (dt.datetime(2026, 11, 26, 8, 29), True, True),
        (dt.datetime(2026, 11, 26, 8, 30), True, False),
        (dt.datetime(2026, 11, 26, 12, 0), True, False),
        (dt.datetime(2026, 11, 26, 17, 29), True, False),
        (dt.datetime(2026, 11, 26, 17, 30), True, True),
        (dt.datetime(2026, 11, 28, 10, 0), False, True),  # a day off (weekend or holiday)
    ],
)
def test_after_hours(at, workday, expected):
    assert rules.after_hours(at, OPENS, CLOSES, workday) is expected
