"""好差评 and 差评整改 on SQLite and PostgreSQL."""

import datetime as dt

import pytest

from clerk_tui.services import queue as q
from clerk_tui.services import ratings as rt
from clerk_tui.services import responsibility as rs
from clerk_tui.services.errors import PermissionDenied, ServiceError
from clerk_tui.services.staff import add_staff, login


@pytest.fixture
def served(hall, admin, now):
    add_staff(hall, admin, "1001", "李强", "clerk", "1111")
    add_staff(hall, admin, "8001", "导办员", "guide", "8888")
    add_staff(hall, admin, "9001", "带班", "supervisor", "9999")
    clerk, guide = login(hall, "1001", "1111", window=1), login(hall, "8001", "8888")
    q.open_window(hall, clerk, 1)
    numbers = []
    for _ in range(3):
        t = q.issue_ticket(hall, guide, queue="A")
        q.call_next(hall, clerk, 1)
        q.start_service(hall, clerk, t.number, 1)
        q.finish_service(hall, clerk, t.number, 1)
        numbers.append(t.number)
    return {"clerk": clerk, "sup": login(hall, "9001", "9999"), "numbers": numbers}


def test_pad_sees_the_visit_and_rates_once(hall, served):
    visit = rt.pending_visit(hall, 1)
    assert visit.ticket == served["numbers"][-1] and visit.clerk == "李强"
    rt.rate(hall, None, 1, visit.ticket, 5)
    assert rt.pending_visit(hall, 1) is None
    with pytest.raises(ServiceError, match="已经评价过"):
        rt.rate(hall, None, 1, visit.ticket, 4)


def test_the_clerk_cannot_rate(hall, served):
    with pytest.raises(PermissionDenied, match="不能代为评价"):
        rt.rate(hall, served["clerk"], 1, served["numbers"][0], 5)


def test_bad_rating_needs_a_reason_and_opens_a_follow_up(hall, served, now):
    n = served["numbers"][0]
    with pytest.raises(ServiceError, match="原因"):
        rt.rate(hall, None, 1, n, 1)
    with pytest.raises(ServiceError, match="不在列表中"):
        rt.rate(hall, None, 1, n, 1, reasons=["太热"])
    rt.rate(hall, None, 1, n, 1, reasons=["等候时间长"], text="等了一个多小时")
    [f] = rt.list_followups(hall, served["sup"], open_only=True)
    assert (f.ticket, f.level, f.owner, f.clerk) == (n, 1, "9001", "1001")
    assert f.due_date == dt.date(2026, 12, 1)  # 3 working days after Thu 26 Nov
    rt.rate(hall, None, 1, served["numbers"][1], None)  # 未评价 after the timeout: no follow-up
    assert len(rt.list_followups(hall, served["sup"])) == 1
    now("2026-12-02T09:00:00")
    [alert] = [a for a in rs.list_alerts(hall, served["sup"]) if a.kind == "followup_overdue"]
    assert alert.responsible == "9001"
    with pytest.raises(ServiceError, match="整改做了什么"):
        rt.close_followup(hall, served["sup"], f.id, outcome="整改", note="")  # the word the form asks for
    with pytest.raises(ServiceError, match="请填：整改、解释 或 申诉"):
        rt.close_followup(hall, served["sup"], f.id, outcome="foo", note="x")
    with pytest.raises(PermissionDenied):
        rt.close_followup(hall, served["clerk"], f.id, outcome="appealed", note="不服")
    done = rt.close_followup(hall, served["sup"], f.id, outcome="rectified", note="增开一个综合窗口，高峰期分流")
    assert done.status == "rectified" and not done.overdue
    assert [a for a in rs.list_alerts(hall, served["sup"]) if a.kind == "followup_overdue"] == []
    with pytest.raises(ServiceError, match="已结束"):
        rt.close_followup(hall, served["sup"], f.id, outcome="explained", note="x")


def test_rating_must_match_the_window_and_level(hall, served):
    with pytest.raises(ServiceError, match="不是2号窗口"):
        rt.rate(hall, None, 2, served["numbers"][0], 5)
    with pytest.raises(ServiceError, match="1–5"):
        rt.rate(hall, None, 1, served["numbers"][0], 7)
