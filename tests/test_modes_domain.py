"""The case state machine's 前店后场 steps and the service-mode rules (domain, pure: plain tables), and the
hall's hours they are judged by ([cases] opens/closes in the settings file)."""

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


# ---------------------------------------------------------------- the hall's hours ([cases] opens/closes)


def _settings(tmp_path, body: str):
    from clerk_tui.settings import load_settings

    cfg = tmp_path / "settings.toml"
    cfg.write_text(body, encoding="utf-8")
    return load_settings(cfg)


def test_hall_hours_default_and_from_the_settings_file(tmp_path):
    s = _settings(tmp_path, "[cases]\nyellow_days = 2\n")
    assert (s.opens, s.closes) == (dt.time(8, 30), dt.time(17, 30))
    s = _settings(tmp_path, '[cases]\nopens = "09:00"\ncloses = "18:00"\n')
    assert (s.opens, s.closes) == (dt.time(9), dt.time(18))


@pytest.mark.parametrize(
    "body, words",
    [
        ('opens = "9:00"', "cases.opens 应为 HH:MM"),
        ('closes = "25:00"', "cases.closes 应为 HH:MM"),
        ("closes = 1730", "cases.closes 应为 HH:MM"),
        ('opens = "18:00"', "应早于 cases.closes"),
        ('lunch = "12:00"', "只能有 yellow_days"),
    ],
)
def test_bad_hall_hours_are_one_chinese_line(tmp_path, body, words):
    from clerk_tui.settings import SettingsError

    with pytest.raises(SettingsError, match=words):
        _settings(tmp_path, f"[cases]\n{body}\n")


@pytest.mark.parametrize(
    "mode, late, booked, names",
    [
        ("", False, False, []),
        ("agency", False, False, ["全程代办"]),
        ("visit", True, False, ["上门服务", "延时服务"]),
        ("", True, True, ["延时服务", "预约服务"]),
    ],
)
def test_mode_names(mode, late, booked, names):
    assert rules.mode_names(mode, late, booked) == names
