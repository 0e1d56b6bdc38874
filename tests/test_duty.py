"""领导带班 and 大厅巡查: the roster and the first login, the duty log and handover, patrol rounds,
their findings and the absent-window alert, on SQLite and PostgreSQL."""

import datetime as dt

import pytest
from sqlmodel import select

from clerk_tui.services import duty
from clerk_tui.services import patrol as pt
from clerk_tui.services import queue as q
from clerk_tui.services import ratings as rt
from clerk_tui.services.errors import NotFound, PermissionDenied, ServiceError
from clerk_tui.services.responsibility import dismiss_alert, list_alerts
from clerk_tui.services.staff import add_staff, login
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import DutyRoster, Event, PatrolFinding, PatrolRound

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def people(hall, admin, now):
    add_staff(hall, admin, "1001", "李强", "clerk", "1111", department="县民政局")
    add_staff(hall, admin, "1003", "王敏", "clerk", "3333", department="县市场监督管理局")
    add_staff(hall, admin, "9001", "郑国强", "supervisor", "9999")
    add_staff(hall, admin, "9002", "陈静", "supervisor", "9898")
    c3 = login(hall, "1003", "3333", window=3)
    q.open_window(hall, c3, 3)
    return {"admin": admin, "c3": c3}


def sup(hall, number="9001"):
    return login(hall, number, {"9001": "9999", "9002": "9898"}[number])


def count(hall, model):
    with read_session(hall) as s:
        return len(s.exec(select(model)).all())


# ---------------------------------------------------------------- who is on duty


def test_nobody_then_the_first_supervisor_to_log_in_then_the_roster(hall, people, now):
    assert duty.on_duty(hall) is None
    login(hall, "1001", "1111", window=1)  # a clerk's login does not make them on duty
    assert duty.on_duty(hall) is None
    now("2026-11-26T08:10:00")
    sup(hall, "9002")
    now("2026-11-26T08:20:00")
    sup(hall, "9001")
    first = duty.on_duty(hall)
    assert (first.number, first.name, first.how, first.how_name) == ("9002", "陈静", "first_login", "当日首位登录")
    assert duty.on_duty(hall, TODAY + dt.timedelta(days=1)) is None  # another day: nobody yet
    set_ = duty.set_roster(hall, people["admin"], TODAY, "9001")
    assert set_.number == "9001"
    rostered = duty.on_duty(hall)
    assert (rostered.number, rostered.how, rostered.how_name) == ("9001", "roster", "排班")
    duty.set_roster(hall, people["admin"], TODAY, "9002")  # replaced, one row a day
    assert duty.on_duty(hall).number == "9002" and count(hall, DutyRoster) == 1
    with read_session(hall) as s:
        kinds = [e.kind for e in s.exec(select(Event).where(Event.kind == "duty.roster_set"))]
    assert kinds == ["duty.roster_set", "duty.roster_set"]


def test_the_roster_takes_only_active_supervisors_and_only_from_the_administrator(hall, people):
    with pytest.raises(ServiceError, match="不是在职的带班领导"):
        duty.set_roster(hall, people["admin"], TODAY, "1001")
    with pytest.raises(NotFound, match="没有工号为 7777"):
        duty.set_roster(hall, people["admin"], TODAY, "7777")
    with pytest.raises(PermissionDenied, match="系统管理员"):
        duty.set_roster(hall, sup(hall), TODAY, "9001")
    assert count(hall, DutyRoster) == 0


def test_a_month_loaded_from_a_file_all_or_nothing(hall, people, tmp_path):
    good = tmp_path / "roster.txt"
    good.write_text("# 十二月带班\n2026-12-01 9001\n2026-12-02, 9002\n\n2026-12-03 9001  # 周四\n", encoding="utf-8")
    assert duty.load_roster(hall, people["admin"], good) == 3
    lines = duty.list_roster(hall, people["admin"], "2026-12")
    assert [(x.day.day, x.number, x.name) for x in lines] == [
        (1, "9001", "郑国强"),
        (2, "9002", "陈静"),
        (3, "9001", "郑国强"),
    ]
    assert duty.list_roster(hall, people["admin"]) == []  # this month (November): none
    bad = tmp_path / "bad.txt"
    bad.write_text("2026-12-04 9002\n2026-12-05 1001\n", encoding="utf-8")
    with pytest.raises(ServiceError, match="第 2 行：李强"):
        duty.load_roster(hall, people["admin"], bad)
    bad.write_text("2026-12-04 9002\n12月5日 9001\n", encoding="utf-8")
    with pytest.raises(ServiceError, match="第 2 行.*格式不对"):
        duty.load_roster(hall, people["admin"], bad)
    bad.write_text("2026-12-04 9002\n2026-12-04 9001\n", encoding="utf-8")
    with pytest.raises(ServiceError, match="出现了两次"):
        duty.load_roster(hall, people["admin"], bad)
    assert count(hall, DutyRoster) == 3  # nothing of the refused files
    with pytest.raises(ServiceError, match="请写成 2026-12"):
        duty.list_roster(hall, people["admin"], "十二月")


# ---------------------------------------------------------------- the duty log and the handover


def test_duty_log_lists_notes_beside_the_days_events_and_hands_over(hall, people, now):
    s = sup(hall)
    duty.add_log(hall, s, "上午办事高峰，已协调增开3号窗口")
    t = q.issue_ticket(hall, people["c3"], queue="D")
    q.call_next(hall, people["c3"], 3)
    q.finish_service(hall, people["c3"], t.number, 3)
    rt.rate(hall, None, 3, t.number, 1, reasons=["服务态度差"])
    pt.record_round(hall, s, [pt.WindowCheck(3, badge_missing=True, note="工作牌放在抽屉里")])
    duty.handover(hall, s, "3号窗口差评整改待回访，请跟进")
    log = duty.duty_log(hall, s)
    assert log.on_duty.number == "9001" and [n.text for n in log.notes] == ["上午办事高峰，已协调增开3号窗口"]
    whats = [(h.what, h.text) for h in log.happenings]
    assert ("差评", f"3号窗口 {t.number} 非常不满意：服务态度差") in whats
    assert ("巡查", "3号窗口 未佩戴工作牌：工作牌放在抽屉里") in whats
    assert log.handover_out.text == "3号窗口差评整改待回访，请跟进" and log.handover_in is None
    now("2026-11-27T08:30:00")
    found = duty.handover_for(hall, sup(hall, "9002"))
    assert (found.day, found.by, found.text) == (TODAY, "郑国强", "3号窗口差评整改待回访，请跟进")
    assert duty.duty_log(hall, sup(hall, "9002")).handover_in == found
    with pytest.raises(ServiceError, match="值班日志"):
        duty.add_log(hall, s, "  ")
    with pytest.raises(ServiceError, match="U\\+202E|控制|不可见|字符"):
        duty.add_log(hall, s, "正常\u202e反转")
    with pytest.raises(PermissionDenied):
        duty.add_log(hall, people["c3"], "窗口人员不写值班日志")


# ---------------------------------------------------------------- the patrol


def test_a_round_stores_each_finding_and_flags_an_absent_window_people_wait_for(hall, people, now):
    s = sup(hall)
    q.issue_ticket(hall, people["c3"], queue="D")
    q.issue_ticket(hall, people["c3"], queue="A")
    assert [(w.number, w.clerk_number, w.waiting) for w in pt.patrol_windows(hall, s)] == [(3, "1003", 2)]
    now("2026-11-26T09:40:00")
    result = pt.record_round(
        hall,
        s,
        [
            pt.WindowCheck(3, absent=True, reason="临时离岗", badge_missing=True),
            pt.WindowCheck(1, tidiness=True, note="台面堆放杂物"),
        ],
    )
    assert result.windows_checked == 2 and result.alerts == ("3号窗口无人在岗，排队 2 人",)
    at = dt.datetime(2026, 11, 26, 9, 40)
    c3_id = people["c3"].staff_id
    assert pt.patrol_findings(hall, TODAY, TODAY) == [
        pt.Finding(3, c3_id, "absent", "临时离岗", at),
        pt.Finding(3, c3_id, "badge", "", at),
        pt.Finding(1, None, "tidiness", "台面堆放杂物", at),  # window 1: nobody signed in
    ]
    assert pt.patrol_findings(hall, TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=30)) == []
    assert len(pt.patrol_findings(hall, at, at + dt.timedelta(minutes=1))) == 3
    assert pt.patrol_findings(hall, at - dt.timedelta(hours=1), at) == []  # datetimes: up to, not including, end
    with read_session(hall) as ses:
        kinds = [e.kind for e in ses.exec(select(Event).where(Event.kind.like("patrol.%")).order_by(Event.id))]
    assert kinds == ["patrol.finding"] * 3 + ["patrol.round"]
    lines = pt.list_findings(hall, s)
    assert (lines[0].clerk, lines[0].item_name, lines[0].waiting, lines[0].by) == (
        "王敏（1003）",
        "不在岗",
        2,
        "郑国强",
    )
    alert = next(a for a in list_alerts(hall, s) if a.kind == "window_absent")
    assert (alert.subject, alert.responsible, alert.escalated) == ("3号窗口无人在岗，排队 2 人", "1003", True)
    assert "临时离岗" in alert.why
    # the clerk is back and calls: the alert ends by itself
    now("2026-11-26T09:50:00")
    q.call_next(hall, people["c3"], 3)
    assert not [a for a in list_alerts(hall, s) if a.kind == "window_absent"]


def test_an_absent_alert_is_dismissed_with_a_reason_and_an_empty_queue_raises_none(hall, people, now):
    s = sup(hall)
    pt.record_round(hall, s, [pt.WindowCheck(3, absent=True, reason="请假未报备")])  # nobody waiting
    assert not [a for a in list_alerts(hall, s) if a.kind == "window_absent"]
    q.issue_ticket(hall, people["c3"], queue="D")
    now("2026-11-26T09:05:00")
    pt.record_round(hall, s, [pt.WindowCheck(3, absent=True, reason="原因不明")])
    q.issue_ticket(hall, people["c3"], queue="A")
    now("2026-11-26T09:20:00")
    pt.record_round(hall, s, [pt.WindowCheck(3, absent=True, reason="仍未回岗")])  # found again: one alert
    [alert] = [a for a in list_alerts(hall, s) if a.kind == "window_absent"]
    assert alert.subject == "3号窗口无人在岗，排队 2 人" and "仍未回岗" in alert.why
    dismiss_alert(hall, s, alert.key, reason="已安排1号窗口代办")
    assert not [a for a in list_alerts(hall, s) if a.kind == "window_absent"]


def test_a_round_is_all_or_nothing_and_only_for_supervisors(hall, people):
    s = sup(hall)
    with pytest.raises(ServiceError, match="3号窗口不在岗：请填写原因"):
        pt.record_round(hall, s, [pt.WindowCheck(1, badge_missing=True), pt.WindowCheck(3, absent=True)])
    with pytest.raises(ServiceError, match="没有标记不在岗"):
        pt.record_round(hall, s, [pt.WindowCheck(3, reason="临时离岗")])
    with pytest.raises(ServiceError, match="3号窗口记录了两次"):
        pt.record_round(hall, s, [pt.WindowCheck(3), pt.WindowCheck(3, manner=True)])
    with pytest.raises(NotFound, match="没有99号窗口"):
        pt.record_round(hall, s, [pt.WindowCheck(1, manner=True), pt.WindowCheck(99)])
    with pytest.raises(ServiceError, match="至少检查一个窗口"):
        pt.record_round(hall, s, [])
    with pytest.raises(PermissionDenied, match="带班领导"):
        pt.record_round(hall, people["c3"], [pt.WindowCheck(3, manner=True)])
    assert count(hall, PatrolRound) == 0 and count(hall, PatrolFinding) == 0
    clean = pt.record_round(hall, s, [pt.WindowCheck(3)])  # a window with nothing wrong: a round, no finding
    assert clean.findings == () and count(hall, PatrolRound) == 1 and count(hall, PatrolFinding) == 0


def test_a_paused_or_closed_window_is_not_found_absent(hall, people):
    """Away from a window paused for a meeting (its reason recorded) is not 脱岗, and a window not
    opened has nobody to be absent: the patrol says so and records nothing (the trial found a
    paused window marked absent, three points off and an alert)."""
    s = sup(hall)
    q.pause_window(hall, people["c3"], 3, reason="参加业务培训会议")
    with pytest.raises(ServiceError, match="3号窗口已暂停（参加业务培训会议）"):
        pt.record_round(hall, s, [pt.WindowCheck(3, absent=True, reason="原因不明")])
    with pytest.raises(ServiceError, match="1号窗口未开窗"):
        pt.record_round(hall, s, [pt.WindowCheck(1, absent=True, reason="原因不明")])
    assert count(hall, PatrolRound) == 0 and count(hall, PatrolFinding) == 0
    pt.record_round(hall, s, [pt.WindowCheck(3, badge_missing=True)])  # other findings still count


# ---------------------------------------------------------------- the demo


def test_the_demo_has_a_supervisor_on_duty_a_patrol_with_findings_and_a_handover(demo_file, tmp_path, monkeypatch):
    from clerk_tui.services.setup import demo_actor
    from clerk_tui.store.engine import make_engine
    from tests.conftest import copy_mini_hall

    copy_mini_hall(demo_file("2026-11-27T10:00:00"), tmp_path / "demo.db")
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-27T10:00:00")
    engine = make_engine(str(tmp_path / "demo.db"))
    try:
        today = dt.date(2026, 11, 27)
        on = duty.on_duty(engine)
        assert (on.number, on.name, on.how) == ("9001", "郑国强", "roster")
        assert duty.on_duty(engine, today - dt.timedelta(days=1)).number == "9002"
        sup = demo_actor(engine, "9001")
        note = duty.handover_for(engine, sup)
        assert note.by == "陈静" and note.day == today - dt.timedelta(days=1) and "补位" in note.text
        found = pt.patrol_findings(engine, today, today)
        assert sorted(f.item for f in found) == ["absent", "badge"]
        absent = next(f for f in found if f.item == "absent")
        assert absent.window_number not in (3, 30) and absent.staff_id is not None
        alert = next(a for a in list_alerts(engine, sup) if a.kind == "window_absent")
        assert alert.subject.startswith(f"{absent.window_number}号窗口无人在岗，排队 ")
        log = duty.duty_log(engine, sup)
        assert log.notes and [h.what for h in log.happenings].count("巡查") == 2
    finally:
        engine.dispose()
