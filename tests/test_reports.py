"""Reports against a constructed month with known answers (SQLite and PostgreSQL)."""

import datetime as dt
import json

import pytest
from sqlmodel import select

from clerk_tui import clock
from clerk_tui.services import cases as cs
from clerk_tui.services import queue as q
from clerk_tui.services import ratings as rt
from clerk_tui.services import reports as rp
from clerk_tui.services.errors import NotFound, ServiceError
from clerk_tui.services.staff import add_staff, login


def supervisor(hall):
    """The supervisor of the ``month`` hall: everyone's figures are theirs to read."""
    return login(hall, "9001", "9999")


ID1 = "11010519491231002X"
FOOD = "000112002000"  # promised 5 days
FOOD_ALL = ["食品经营许可申请书", "营业执照复印件"]
MARRIAGE = "000105002000"  # immediate
MARRIAGE_ALL = ["本人有效的居民身份证", "本人常住户口簿", "近期半身免冠合影照片"]


def at(text):
    return clock.frozen_at(dt.datetime.fromisoformat(text))


@pytest.fixture
def month(hall, admin):
    """November 2026 at a small hall, built through the services with the clock set."""
    add_staff(hall, admin, "1001", "李强", "clerk", "1111", department="县市场监督管理局")
    add_staff(hall, admin, "1002", "赵六", "clerk", "2222", department="县民政局")
    add_staff(hall, admin, "8001", "导办员", "guide", "8888")
    add_staff(hall, admin, "9001", "带班", "supervisor", "9999")
    with at("2026-11-02T08:30:00"):
        c1, c2 = login(hall, "1001", "1111", window=3), login(hall, "1002", "2222", window=1)
        guide = login(hall, "8001", "8888")
        q.open_window(hall, c1, 3)
        q.open_window(hall, c2, 1)
    # Tickets on 2 Nov: D001 waits 10 min, serves 4; D002 waits 20, serves 6; D003 no-show; A001 issued only.
    with at("2026-11-02T09:00:00"):
        for queue in ("D", "D", "D", "A"):
            q.issue_ticket(hall, guide, queue=queue)
    for number, called, started, finished in (("D001", "09:10", "09:11", "09:15"), ("D002", "09:20", "09:21", "09:27")):
        with at(f"2026-11-02T{called}:00"):
            q.call_specific(hall, c1, number, 3)
        with at(f"2026-11-02T{started}:00"):
            q.start_service(hall, c1, number, 3)
        with at(f"2026-11-02T{finished}:00"):
            q.finish_service(hall, c1, number, 3)
    with at("2026-11-02T09:30:00"):
        q.call_specific(hall, c1, "D003", 3)
        q.recall(hall, c1, "D003", 3)
        q.recall(hall, c1, "D003", 3)
        q.mark_no_show(hall, c1, "D003", 3)
    with at("2026-11-02T09:40:00"):
        rt.rate(hall, None, 3, "D001", 5)
        rt.rate(hall, None, 3, "D002", 2, reasons=["等候时间长"])
    applicant = cs.Applicant("person", "张三", ID1, "13800138000")

    def intake(day, decision, item=FOOD, received=FOOD_ALL, actor=c1, **kw):
        with at(f"{day}T10:00:00"):
            return cs.intake(
                hall, actor, cs.IntakeRequest(item, applicant, decision, materials_received=received, **kw)
            ).number

    # Promised cases accepted Mon 2 Nov, due Mon 9 Nov (5 working days): early, on the day, late.
    early, on_day, late, still_open = (intake("2026-11-02", "accept") for _ in range(4))
    for number, day in ((early, "2026-11-06"), (on_day, "2026-11-09"), (late, "2026-11-10")):
        with at(f"{day}T15:00:00"):
            cs.complete(hall, c1, number, result="approved")
    with at("2026-11-03T10:00:00"):
        cs.suspend(hall, c1, intake("2026-11-02", "accept"), reason="专家评审", days=3)
    intake("2026-11-04", "supplement", received=["食品经营许可申请书"])
    intake("2026-11-05", "reject", reason="不属于本机关职权范围")
    for _ in range(2):
        intake("2026-11-05", "immediate", item=MARRIAGE, received=MARRIAGE_ALL, actor=c2, result="approved")
    return {"open": still_open}


def test_month_figures(hall, month, now):
    now("2026-11-26T09:00:00")
    [g] = rp.build_report(hall, supervisor(hall), dt.date(2026, 11, 1), dt.date(2026, 11, 30)).groups
    f = g.figures
    assert (f["tickets_issued"], f["tickets_served"], f["no_shows"], f["transfers"]) == (4, 2, 1, 0)
    assert f["wait_avg"] == pytest.approx((10 + 20 + 30) / 3, abs=0.1)  # D003 was called too
    assert f["service_avg"] == pytest.approx(5.0, abs=0.1) and f["service_p90"] == 6.0  # of 4 and 6 minutes
    assert (f["cases_received"], f["cases_accepted"], f["cases_completed"]) == (9, 7, 5)
    assert (f["immediate_cases"], f["immediate_share"]) == (2, 0.4)
    assert (f["promised_completed"], f["promised_on_time"], f["promised_early"]) == (3, 2, 1)
    assert f["on_time_rate"] == round(2 / 3, 4) and f["early_rate"] == round(1 / 3, 4)
    assert (f["supplements"], f["rejections"], f["suspended"]) == (1, 1, 1)
    assert f["overdue"] == 2  # completed late, and the open one due 9 Nov
    assert f["ratings"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1, "unrated": 0}
    assert f["satisfaction_rate"] == 0.5


def test_case_completed_on_its_date_is_on_time_and_not_early(hall, month, now):
    now("2026-11-26T09:00:00")
    [g] = rp.build_report(hall, supervisor(hall), dt.date(2026, 11, 9), dt.date(2026, 11, 9)).groups
    f = g.figures
    assert (f["promised_completed"], f["promised_on_time"], f["promised_early"]) == (1, 1, 0)


def test_by_clerk_department_and_window(hall, month, now):
    now("2026-11-26T09:00:00")
    by_clerk = {
        g.key: g.figures
        for g in rp.build_report(hall, supervisor(hall), dt.date(2026, 11, 1), dt.date(2026, 11, 30), "clerk").groups
    }
    assert by_clerk["1001"]["cases_received"] == 7 and by_clerk["1002"]["immediate_cases"] == 2
    assert by_clerk["1001"]["tickets_served"] == 2
    by_dept = {
        g.name: g.figures
        for g in rp.build_report(
            hall, supervisor(hall), dt.date(2026, 11, 1), dt.date(2026, 11, 30), "department"
        ).groups
    }
    assert by_dept["县民政局"]["immediate_share"] == 1.0
    assert by_dept["县市场监督管理局"]["compression"] is not None
    window3 = rp.build_report(
        hall, supervisor(hall), dt.date(2026, 11, 1), dt.date(2026, 11, 30), "window", window=3
    ).groups
    assert [g.key for g in window3] == ["3"] and window3[0].figures["ratings"]["5"] == 1


def test_bad_input(hall, month):
    with pytest.raises(ServiceError, match="晚于"):
        rp.period("range", "2026-11-30", "2026-11-01")
    with pytest.raises(NotFound):
        rp.build_report(hall, supervisor(hall), dt.date(2026, 11, 1), dt.date(2026, 11, 30), department="外星局")
    with pytest.raises(NotFound):
        rp.build_report(hall, supervisor(hall), dt.date(2026, 11, 1), dt.date(2026, 11, 30), window=99)
    with pytest.raises(NotFound):
        rp.build_report(hall, supervisor(hall), dt.date(2026, 11, 1), dt.date(2026, 11, 30), clerk="7777")
    with pytest.raises(ServiceError, match="月份"):
        rp.period("monthly", "2026-13")


def test_exports_read_back(hall, month, now, tmp_path):
    import csv
    import io

    from openpyxl import load_workbook

    now("2026-11-26T09:00:00")
    report = rp.build_report(hall, supervisor(hall), dt.date(2026, 11, 1), dt.date(2026, 11, 30), "clerk")
    text = rp.to_csv(report).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:3] == ["分组", "取号", "办结号"] and len(table) == 1 + len(report.groups)
    xlsx = tmp_path / "r.xlsx"
    xlsx.write_bytes(rp.to_xlsx(report))
    ws = load_workbook(xlsx).active
    assert ws.cell(2, 1).value == "分组" and ws.max_row == 2 + len(report.groups)
    names = [ws.cell(r, 1).value for r in range(3, ws.max_row + 1)]
    assert "李强（1001）" in names
    assert json.loads(json.dumps(report.as_json()))["groups"]


def test_kept_days_give_the_same_figures_as_counting_afresh(hall, admin, month, now):
    now("2026-11-26T09:00:00")
    span = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    for by in ("hall", "department", "window", "clerk"):
        first = rp.build_report(hall, supervisor(hall), *span, by).as_json()
        again = rp.build_report(hall, supervisor(hall), *span, by).as_json()  # from report_day
        assert again == first
    assert rp.forget_days(hall, admin) > 0
    assert rp.build_report(hall, supervisor(hall), *span, "clerk").as_json() == first
    # a filter counts afresh and agrees with the kept days
    by_window = {g["key"]: g for g in rp.build_report(hall, supervisor(hall), *span, "window").as_json()["groups"]}
    only3 = rp.build_report(hall, supervisor(hall), *span, "window", window=3).as_json()["groups"][0]
    assert only3 == by_window["3"]


def test_keeping_past_days_ahead_changes_nothing(hall, month, now):
    now("2026-11-26T09:00:00")
    span = (dt.date(2026, 11, 1), dt.date(2026, 11, 26))
    counted_afresh = rp.build_report(
        hall, supervisor(hall), *span, "department", department="县市场监督管理局"
    ).as_json()
    assert rp.keep_past_days(hall) > 0 and rp.keep_past_days(hall) == 0
    kept = {
        g["name"] if "name" in g else g["group"]: g
        for g in rp.build_report(hall, supervisor(hall), *span, "department").as_json()["groups"]
    }
    assert kept["县市场监督管理局"] == counted_afresh["groups"][0]


def test_a_report_period_is_bounded(hall, month, now):
    """No more than MAX_REPORT_YEARS at once (a report from 1900 grew past 1 GB and held the hall's
    writer for seconds), and nothing is counted or kept before the hall's first day or after today."""
    from clerk_tui.services import report_counts
    from clerk_tui.store.engine import read_session
    from clerk_tui.store.models import ReportDay

    now("2026-11-26T09:00:00")
    sup = supervisor(hall)
    with pytest.raises(ServiceError, match="超过 5 年"):
        rp.period("range", "1900-01-01", "2026-11-30")
    with pytest.raises(ServiceError, match="超过 5 年"):
        rp.build_report(hall, supervisor(hall), dt.date(1, 1, 1), dt.date(9999, 12, 31))
    with read_session(hall) as session:
        hall_first = rp.hall_first_day(session)
    assert hall_first is not None and hall_first <= dt.date(2026, 11, 2)
    stored: list[int] = []
    real_store = report_counts._store
    monkey = pytest.MonkeyPatch()
    monkey.setattr(
        report_counts,
        "_store",
        lambda engine, rows: stored.append(len({r.day for r in rows})) or real_store(engine, rows),
    )
    try:
        four_years = rp.build_report(hall, sup, dt.date(2022, 12, 1), dt.date(2026, 11, 30))
    finally:
        monkey.undo()
    month_only = rp.build_report(hall, sup, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert four_years.groups[0].figures == month_only.groups[0].figures
    assert (four_years.start, four_years.end) == (dt.date(2022, 12, 1), dt.date(2026, 11, 30))  # as asked
    # kept a block of days per transaction, and only from the hall's first day to yesterday
    assert stored and max(stored) <= report_counts.KEEP_BLOCK_DAYS
    with read_session(hall) as session:
        days = {r.day for r in session.exec(select(ReportDay))}
    assert min(days) >= hall_first and max(days) < dt.date(2026, 11, 26)
