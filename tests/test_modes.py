"""Service modes (全程代办, 上门服务, 延时服务, 预约服务) and 前店后场 (the back office), on SQLite and
PostgreSQL: intake with a mode, sending a case back and its return, the audit check of the new
statuses, the department flag from the catalog, and the modes report's counts."""

# ruff: noqa: F811 (test_case_service's staff fixture, imported: clerks 1001, 1003, guide 8001, supervisor 9001)

import datetime as dt

import pytest
from sqlmodel import select

from clerk_tui.domain import cases as rules
from clerk_tui.services import audit
from clerk_tui.services import cases as cs
from clerk_tui.services import catalog as cat
from clerk_tui.services import queue as q
from clerk_tui.services.appointments import add_appointment, check_in
from clerk_tui.services.errors import NotFound, PermissionDenied, ServiceError
from clerk_tui.services.mode_report import mode_report, table_rows, to_csv
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Department, Event, ServiceCase
from tests.test_case_service import staff  # noqa: F401

ID1 = "11010519491231002X"
FOOD = "000112002000"  # 县市场监督管理局, promised 5 days
FOOD_ALL = ["食品经营许可申请书", "营业执照复印件"]
MARKET = "县市场监督管理局"


def back_office(hall, admin, tmp_path):
    """Mark the market bureau as deciding in its back office, as an administrator does: export the
    catalog, add ``back_office = true`` to the department, import it again (and it exports so)."""
    path = tmp_path / "catalog.toml"
    cat.export_catalog(hall, path)
    text = path.read_text(encoding="utf-8")
    marked = text.replace(f'name = "{MARKET}"\n', f'name = "{MARKET}"\nback_office = true\n', 1)
    assert marked != text
    path.write_text(marked, encoding="utf-8")
    cat.import_catalog(hall, admin, path)
    cat.export_catalog(hall, path)
    assert f'name = "{MARKET}"\nphone = "0579-80000002"\nback_office = true' in path.read_text(encoding="utf-8")


def req(decision="accept", **kw):
    return cs.IntakeRequest(
        item_code=FOOD,
        applicant=cs.Applicant("person", "张三", ID1, "13800138000"),
        decision=decision,
        materials_received=FOOD_ALL,
        **kw,
    )


def last_payload(engine, number):
    import json

    with read_session(engine) as s:
        e = s.exec(select(Event).where(Event.subject == number).order_by(Event.id.desc())).first()
        return e.kind, json.loads(e.payload)


# ---------------------------------------------------------------- service modes at intake


def test_agency_case_records_who_carries_it(hall, staff):
    view = cs.intake(hall, staff["c1"], req(mode="agency", agency_staff="8001"))
    assert view.service_mode == "agency" and view.agency_staff == "导办员（8001）"
    assert view.mode_names == ["全程代办"]
    kind, p = last_payload(hall, view.number)
    assert kind == "case.intake" and p["agency_staff"] == "8001" and p["modes"] == ["全程代办"]
    assert view.as_json()["agency_staff"] == "导办员（8001）"


@pytest.mark.parametrize(
    "kw, words",
    [
        ({"mode": "agency"}, "代办人员的工号"),
        ({"mode": "agency", "agency_staff": "7777"}, "没有工号为 7777"),
        ({"agency_staff": "8001"}, "agency"),
        ({"mode": "drive"}, "服务方式 'drive' 无效"),
        ({"visit_address": "城关镇1号"}, "visit"),
        ({"mode": "visit", "visit_at": "2026-11-26 08:00"}, "上门服务地址"),
        ({"mode": "visit", "visit_address": "城关镇1号"}, "上门服务时间 '' 无效"),
        ({"mode": "visit", "visit_address": "城关镇1号", "visit_at": "昨天下午"}, "2026-12-01 15:30"),
        ({"mode": "visit", "visit_address": "城关镇1号", "visit_at": "2026-11-26 10:00"}, "不能晚于现在"),
        ({"mode": "visit", "visit_address": "城关\u202e镇", "visit_at": "2026-11-26 08:00"}, "上门服务地址"),
    ],
)
def test_a_mode_without_what_it_needs_is_refused_and_nothing_is_stored(hall, staff, kw, words):
    with pytest.raises((ServiceError, NotFound), match=words):
        cs.intake(hall, staff["c1"], req(**kw))
    with read_session(hall) as s:
        assert s.exec(select(ServiceCase)).first() is None


def test_home_visit_has_no_ticket_and_keeps_address_and_time(hall, staff, now):
    ticket = q.issue_ticket(hall, staff["guide"], item_code=FOOD)
    with pytest.raises(ServiceError, match="上门服务不取号"):
        cs.intake(
            hall,
            staff["c1"],
            req(mode="visit", visit_address="城关镇幸福村3组", visit_at="2026-11-26 08:00", ticket=ticket.number),
        )
    now("2026-11-26T16:00:00")
    view = cs.intake(hall, staff["c1"], req(mode="visit", visit_address="城关镇幸福村3组", visit_at="2026-11-26T14:30"))
    assert view.visit_address == "城关镇幸福村3组" and view.visit_at == dt.datetime(2026, 11, 26, 14, 30)
    assert view.mode_names == ["上门服务"] and not view.after_hours  # 14:30 is within the hall's hours
    assert view.as_json()["visit_at"] == "2026-11-26T14:30"


@pytest.mark.parametrize(
    "at, marked, expected",
    [
        ("2026-11-26T09:00:00", False, False),  # Thursday, open
        ("2026-11-26T17:29:00", False, False),
        ("2026-11-26T17:30:00", False, True),  # closing time: from then on 延时
        ("2026-11-26T19:10:00", False, True),
        ("2026-11-26T08:10:00", False, True),  # before opening
        ("2026-11-28T10:00:00", False, True),  # a Saturday: the hall is closed
        ("2026-11-26T10:00:00", True, True),  # marked by the clerk
    ],
)
def test_after_hours_is_derived_from_the_halls_hours_or_marked(hall, staff, now, at, marked, expected):
    now(at)
    view = cs.intake(hall, staff["c1"], req(after_hours=marked))
    assert view.after_hours is expected
    assert ("延时服务" in view.mode_names) is expected


def test_hall_hours_come_from_the_case_rules(hall, staff, now):
    now("2026-11-26T18:00:00")
    late_hall = cs.CaseRules(closes=dt.time(18, 30))
    assert not cs.intake(hall, staff["c1"], req(), late_hall).after_hours


def test_appointment_is_counted_from_the_ticket(hall, staff, now):
    add_appointment(hall, staff["guide"], item_code=FOOD, id_number=ID1, day="2026-11-26", start="09:00", end="09:30")
    ticket = check_in(hall, staff["guide"], ID1).ticket
    view = cs.intake(hall, staff["c1"], req(ticket=ticket.number))
    assert view.appointment and view.mode_names == ["预约服务"]


# ---------------------------------------------------------------- 前店后场


def test_a_department_that_decides_at_the_window_sends_nothing_back(hall, staff):
    view = cs.intake(hall, staff["c1"], req())
    with pytest.raises(ServiceError, match="在窗口审批.*back_office = true"):
        cs.send_back(hall, staff["c1"], view.number)
    assert cs.get_case(hall, staff["c1"], view.number).status == rules.ACCEPTED


def test_back_office_round_trip_keeps_owner_and_promised_date(hall, admin, staff, now, tmp_path):
    back_office(hall, admin, tmp_path)
    with read_session(hall) as s:
        assert s.exec(select(Department).where(Department.name == MARKET)).one().back_office
    view = cs.intake(hall, staff["c1"], req())
    due = view.due_date
    now("2026-11-26T10:00:00")
    sent = cs.send_back(hall, staff["c1"], view.number, note="送审批科")
    assert sent.status == rules.BACK_OFFICE and sent.status_name == "后场审批中"
    assert sent.owner_number == "1001" and sent.due_date == due
    assert sent.back_office_since == dt.datetime(2026, 11, 26, 10, 0)
    assert last_payload(hall, view.number)[1]["note"] == "送审批科"
    # the window sees how long it has been there, and the deadline keeps running and warning
    now("2026-12-01T13:30:00")
    there = cs.get_case(hall, staff["c1"], view.number)
    assert there.back_office_minutes == 5 * 24 * 60 + 210
    assert "已 5天3小时" in there.back_office_text and "2026-11-26 10:00 送出" in there.back_office_text
    assert there.warning == rules.YELLOW and there.remaining_workdays == 2
    assert [c.number for c in cs.list_cases(hall, staff["c1"], warning="yellow")] == [view.number]
    # the window cannot decide it itself while it is away, nor send it twice
    with pytest.raises(ServiceError, match="后场审批中"):
        cs.complete(hall, staff["c1"], view.number, result="approved")
    with pytest.raises(ServiceError, match="后场审批中"):
        cs.send_back(hall, staff["c1"], view.number)
    # someone else's case: only its owner (or a supervisor) records the return
    with pytest.raises(PermissionDenied, match="首办人是李强"):
        cs.returned(hall, staff["c3"], view.number, result="approved")
    with pytest.raises(ServiceError, match="不予许可理由"):
        cs.returned(hall, staff["c1"], view.number, result="denied")
    back = cs.returned(hall, staff["c1"], view.number, result="approved")
    assert back.status == rules.COMPLETED and back.result == "approved" and back.back_office_since is None
    assert back.back_office_minutes == 5 * 24 * 60 + 210 and back.back_office_sends == 1
    kind, p = last_payload(hall, view.number)
    assert kind == "case.returned" and p["on_time"] and p["stay"] == "5天3小时"
    delivered = cs.deliver(hall, staff["c1"], view.number, method="collect")
    assert delivered.status == rules.DELIVERED and "后场共用 5天3小时" in delivered.back_office_text
    history = [what for _, what, _ in delivered.history]
    assert history[1] == "送后场审批（送审说明：送审批科）" and history[2].startswith(
        "后场审批返回（后场用时：5天3小时"
    )
    assert audit.verify(hall, staff["sup"]).ok


def test_withdrawn_from_the_back_office_ends_the_stay(hall, admin, staff, now, tmp_path):
    back_office(hall, admin, tmp_path)
    view = cs.intake(hall, staff["c1"], req())
    cs.send_back(hall, staff["c1"], view.number)
    now("2026-11-26T11:00:00")
    out = cs.withdraw(hall, staff["c1"], view.number, reason="申请人不办了")
    assert out.status == rules.WITHDRAWN and out.back_office_since is None and out.back_office_minutes == 120


def test_audit_notices_a_back_office_status_changed_by_hand(hall, admin, staff, tmp_path):
    back_office(hall, admin, tmp_path)
    view = cs.intake(hall, staff["c1"], req())
    cs.send_back(hall, staff["c1"], view.number)
    assert audit.verify(hall, staff["sup"]).ok
    with hall.begin() as conn:
        conn.execute(ServiceCase.__table__.update().values(status=rules.IN_PROGRESS))
    result = audit.verify(hall, staff["sup"])
    assert not result.ok
    assert any("后场审批中" in p.message and view.number in p.message for p in result.problems)


# ---------------------------------------------------------------- the modes report


def test_modes_report_counts_each_mode_and_the_back_office_share(hall, admin, staff, now, tmp_path):
    back_office(hall, admin, tmp_path)
    c1 = staff["c1"]
    agency = cs.intake(hall, c1, req(mode="agency", agency_staff="8001"))
    cs.intake(hall, c1, req(mode="visit", visit_address="城关镇1号", visit_at="2026-11-26 08:30"))
    sent = [cs.intake(hall, c1, req()) for _ in range(3)]
    for view in sent:
        cs.send_back(hall, c1, view.number)
    decided = cs.intake(hall, c1, req())
    now("2026-11-26T18:00:00")
    late = cs.intake(hall, c1, req())  # after hours
    now("2026-11-27T09:00:00")
    cs.returned(hall, c1, sent[0].number, result="approved")  # 24 h there
    cs.returned(hall, c1, sent[1].number, result="approved")  # 24 h there
    cs.complete(hall, c1, decided.number, result="approved")
    cs.complete(hall, c1, late.number, result="approved")
    cs.complete(hall, c1, agency.number, result="approved")
    now("2026-11-27T21:00:00")  # sent[2] still there: 36 h so far
    report = mode_report(hall, staff["sup"], dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    (market,) = report.rows
    assert market.department == MARKET and market.back_office
    assert (market.received, market.agency, market.visit, market.after_hours, market.appointment) == (7, 1, 1, 1, 0)
    assert (market.decided_at_window, market.sent_back, market.in_back_office) == (3, 3, 1)
    assert market.sent_back_share == 0.5
    assert market.back_office_minutes == (24 + 24 + 36) * 60 and market.average_stay_minutes == 28 * 60
    assert report.total.received == 7 and report.total.sent_back_share == 0.5
    assert [(a.number, a.cases, a.decided) for a in report.agency] == [("8001", 1, 1)]
    line = table_rows(report)[0]
    assert line[0] == "县市场监督管理局（后场审批）" and line[9] == "50.0%" and line[11] == "1天4小时"
    assert "全程代办人员" in to_csv(report).decode("utf-8")
    # a clerk sees the departments, and only their own line of the staff table
    assert mode_report(hall, c1, dt.date(2026, 11, 1), dt.date(2026, 11, 30)).agency == []
    # outside the period: nothing
    assert mode_report(hall, staff["sup"], dt.date(2026, 10, 1), dt.date(2026, 10, 31)).rows == []
    with pytest.raises(PermissionDenied):
        mode_report(hall, admin, dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def test_modes_report_counts_tickets_served_after_hours(hall, staff, now):
    """延时服务 at the counter: tickets finished before opening, from closing on, or on a day off,
    per department (the serving window's; a comprehensive window's ticket goes to its item's)."""
    c1, guide = staff["c1"], staff["guide"]

    def serve(at: str, window: int = 3, item: str = FOOD) -> None:
        now(at)
        number = q.issue_ticket(hall, guide, item_code=item).number
        q.call_specific(hall, c1, number, window)
        q.finish_service(hall, c1, number, window)

    q.open_window(hall, c1, 3)
    serve("2026-11-26T09:00:00")  # within the hours
    serve("2026-11-26T17:29:00")
    serve("2026-11-26T17:30:00")  # closing time: after hours from here
    serve("2026-11-26T18:40:00")
    serve("2026-11-28T10:00:00")  # Saturday: a day off
    q.close_window(hall, c1, 3)
    q.open_window(hall, c1, 1)  # the comprehensive window: its ticket counts for the item's department
    serve("2026-11-27T19:00:00", window=1, item="000105002000")  # 内地居民结婚登记, 县民政局
    report = mode_report(hall, staff["sup"], dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    by_name = {r.department: r.after_hours_tickets for r in report.rows}
    assert by_name == {MARKET: 3, "县民政局": 1} and report.total.after_hours_tickets == 4
    assert all(r.received == 0 for r in report.rows)  # tickets alone: no case
    late = mode_report(hall, staff["sup"], dt.date(2026, 11, 1), dt.date(2026, 11, 30), (dt.time(9), dt.time(19)))
    assert {r.department: r.after_hours_tickets for r in late.rows} == {MARKET: 1, "县民政局": 1}
    assert mode_report(hall, staff["sup"], dt.date(2026, 11, 27), dt.date(2026, 11, 27)).total.after_hours_tickets == 1
