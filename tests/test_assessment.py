"""窗口考核 (issue 17, point 3): the rule file, the scoring tables (domain), the month's scores with
their reasons and the awards from the records (services, SQLite and PostgreSQL), closing a month so
that it no longer changes, and the commands."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from clerk_tui.domain import assessment as da
from clerk_tui.services import assessment as asm
from clerk_tui.services import patrol
from clerk_tui.services import queue as q
from clerk_tui.services import ratings as rt
from clerk_tui.services.errors import PermissionDenied, ServiceError
from clerk_tui.services.staff import login
from tests.conftest import run_cli
from tests.test_reports import at, month, supervisor  # noqa: F401  (the constructed November)
from tests.test_ui import app_factory  # noqa: F401  (the app on a throwaway hall)

D = Decimal

# ---------------------------------------------------------------- the rule file


def rule(**over) -> da.Rule:
    doc = {
        "name": "测试考核",
        "base": 100,
        "points": {"served_ticket": 0.1, "case_on_time": 0.5},
        "caps": {"served_ticket": 1},
        "deductions": {
            "bad_rating": 2,
            "overdue_case": 2,
            "buck_passing": 3,
            "late_open": 1,
            "patrol_badge": 1,
            "patrol_absent": 3,
        },
        "lateness": {"opens_at": "09:00", "grace_minutes": 5},
        "awards": [
            {"code": "red_flag", "name": "流动红旗窗口", "top": 1, "min_score": 0, "min_served": 1},
            {
                "code": "smile",
                "name": "微笑服务示范窗口",
                "basis": "satisfaction",
                "min_ratings": 1,
                "min_rate": 0.5,
                "no_bad_ratings": False,
            },
        ],
    }
    doc.update(over)
    return da.parse_rule(doc)


def test_the_shipped_rule_loads_with_every_weight():
    r = asm.load_rule()
    assert r.name and r.base == 100 and r.opens_at == dt.time(9, 0)
    assert set(r.deductions) == set(da.DEDUCTIONS) and all(r.deductions[k] > 0 for k in r.deductions)
    assert [a.name for a in r.awards] == ["流动红旗窗口", "微笑服务示范窗口"]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"base": "100"}, "base"),
        ({"points": {"served_tickets": 1}}, "served_tickets"),
        ({"deductions": {"bad_rating": -2}}, "deductions.bad_rating"),
        ({"deductions": {"late_open": True}}, "deductions.late_open"),
        ({"caps": {"case_on_time": float("inf")}}, "caps.case_on_time"),
        ({"lateness": {"opens_at": "9点"}}, "lateness.opens_at"),
        ({"lateness": {"grace_minutes": 500}}, "lateness.grace_minutes"),
        ({"awards": [{"code": "red flag", "name": "流动红旗"}]}, "code"),
        ({"awards": [{"code": "a", "name": "甲", "basis": "luck"}]}, "basis"),
        ({"awards": [{"code": "a", "name": "甲"}, {"code": "a", "name": "乙"}]}, "code 重复"),
        ({"name": ""}, "name"),
        ({"weights": {}}, "weights"),
    ],
)
def test_a_bad_rule_names_its_key(change, named):
    with pytest.raises(da.RuleError) as info:
        rule(**change)
    assert named in str(info.value)


def test_a_bad_rule_file_is_refused_in_chinese(tmp_path):
    path = tmp_path / "rule.toml"
    path.write_text('name = "甲"\n[deductions]\nbad_rating = "两分"\n', encoding="utf-8")
    with pytest.raises(ServiceError, match="deductions.bad_rating 应为数字"):
        asm.load_rule(path)
    path.write_text("name = \n", encoding="utf-8")
    with pytest.raises(ServiceError, match="格式错误，第1行"):
        asm.load_rule(path)


# ---------------------------------------------------------------- scoring tables (pure)

W = {3: ("3", "3号窗口"), 5: ("5", "5号窗口")}


@pytest.mark.parametrize(
    ("facts", "total3", "reasons3"),
    [
        ([], D(100), []),
        ([da.Fact("served_ticket", 3, 1, count=4)], D("100.4"), ["办结号票4件 × 0.1分"]),
        ([da.Fact("served_ticket", 3, 1, count=40)], D(101), ["办结号票40件 × 0.1分，封顶1分"]),
        (
            [da.Fact("case_on_time", 3, 1, "A"), da.Fact("case_on_time", 3, 1, "B")],
            D(101),
            ["承诺件按时办结2件 × 0.5分"],
        ),
        ([da.Fact("bad_rating", 3, 1, "D002 差评")], D(98), ["差评未整改：D002 差评"]),
        (
            [da.Fact("patrol_badge", 3, None, "11-03 10:00"), da.Fact("late_open", 3, 1, "11-03 09:20开窗")],
            D(98),
            ["迟开窗：11-03 09:20开窗", "巡查：未佩戴工作牌：11-03 10:00"],
        ),
        ([da.Fact("patrol_manner", 3, None, "x")], D(100), []),  # a weight of 0 (not in the rule) counts nothing
        ([da.Fact("served_ticket", 5, 1, count=3)], D(100), []),  # another window's
        ([da.Fact("overdue_case", None, 1, "C")], D(100), []),  # a case with no window counts for no window
    ],
)
def test_window_scores_with_their_reasons(facts, total3, reasons3):
    scores = {s.key: s for s in da.score_all(rule(), facts, W, by="window")}
    assert scores["3"].total == total3
    assert [line.reason for line in scores["3"].lines] == reasons3
    assert scores["3"].total == scores["3"].base + scores["3"].added - scores["3"].deducted


def test_clerk_scores_and_the_order_best_first():
    facts = [da.Fact("served_ticket", 3, 7, count=5), da.Fact("bad_rating", 5, 8, "x"), da.Fact("served_ticket", 5, 8)]
    clerks = da.score_all(rule(), facts, {7: ("1001", "李强"), 8: ("1002", "赵六"), 9: ("1009", "闲")}, by="clerk")
    # 1009 scored nothing at all: after those who worked, whatever their totals
    assert [(s.key, s.total) for s in clerks] == [("1001", D("100.5")), ("1002", D("98.1")), ("1009", D(100))]
    tied = da.score_all(rule(), [], W, by="window")
    assert [s.key for s in tied] == ["3", "5"]  # a tie goes to the lower window number


@pytest.mark.parametrize(
    ("served", "ratings", "expected"),
    [
        ({3: 2, 5: 1}, {}, [("red_flag", 3)]),
        ({3: 0, 5: 0}, {}, []),  # an idle window wins nothing (min_served)
        ({3: 1}, {3: da.RatingStats(2, 1, 1), 5: da.RatingStats(1, 1, 0)}, [("red_flag", 3), ("smile", 5)]),
        ({}, {5: da.RatingStats(4, 1, 0)}, []),  # below the smile award's rate
    ],
)
def test_awards(served, ratings, expected):
    facts = [da.Fact("served_ticket", w, None, count=n) for w, n in served.items() if n]
    windows = da.score_all(rule(), facts, W, by="window")
    assert [(a.code, a.window) for a in da.choose_awards(rule(), windows, ratings)] == expected


@pytest.mark.parametrize(
    ("value", "text"), [(D(100), "100"), (D("103.50"), "103.5"), (D(-2), "−2"), (D(0), "0"), (D("0.30"), "0.3")]
)
def test_points_as_printed(value, text):
    assert da.points_text(value) == text


def test_months():
    assert da.month_span("2026-12") == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert da.next_month(dt.date(2026, 12, 5)) == dt.date(2027, 1, 1)
    assert da.previous_month(dt.date(2027, 1, 5)) == dt.date(2026, 12, 1)
    with pytest.raises(ValueError, match="YYYY-MM"):
        da.month_span("2026-13")


# ---------------------------------------------------------------- the month from the records


@pytest.fixture
def november(hall, month):  # noqa: F811
    """The reports' November, and more: window 1 opened late on 3 Nov, a patrol finding at window 1,
    and a ticket passed between windows 3 and 1 twice (a 推诿 flag)."""
    c1, c2 = login(hall, "1001", "1111", window=3), login(hall, "1002", "2222", window=1)
    sup = supervisor(hall)  # logged in before the transaction below (a login writes too)
    with at("2026-11-02T17:30:00"):
        q.close_window(hall, c2, 1, reason="下班")
    with at("2026-11-03T09:20:00"):
        q.open_window(hall, c2, 1)
    with at("2026-11-03T10:00:00"):
        patrol.record_round(hall, sup, [patrol.WindowCheck(1, badge_missing=True, note="未佩戴工作牌")])
        t = q.issue_ticket(hall, c1, queue="A")
    with at("2026-11-03T10:05:00"):
        q.transfer(hall, c1, t.number, to_queue="D", reason="请到食品窗口")
    with at("2026-11-03T10:10:00"):
        q.transfer(hall, c2, t.number, to_queue="A", reason="请回综合窗口")
    return {"c1": c1, "c2": c2}


def test_the_month_with_every_reason(hall, november, now):
    now("2026-11-26T09:00:00")
    a = asm.assess(hall, supervisor(hall), "2026-11", rule=rule())
    w3, w1 = a.window(3), a.window(1)
    assert [(line.points, line.reason.split("：")[0]) for line in w3.lines] == [
        (D("0.2"), "办结号票2件 × 0.1分"),
        (D("1.0"), "承诺件按时办结2件 × 0.5分"),
        (D(-2), "差评未整改"),
        (D(-2), "办件超期"),
        (D(-2), "办件超期"),
        (D(-3), "疑似推诿"),
    ]
    assert w3.total == D("92.2")
    assert "D002" in w3.lines[2].reason and "等候时间长" in w3.lines[2].reason and "整改未结束" in w3.lines[2].reason
    assert sorted(line.reason for line in w3.lines[3:5])[1].endswith("尚未办结）")
    assert [line.reason for line in w1.lines] == [
        "疑似推诿：A001（11-03 转办2次）",
        "迟开窗：11-03 09:20开窗（应09:00）",
        "巡查：未佩戴工作牌：11-03 10:00 未佩戴工作牌",
    ]
    assert w1.total == D(95)
    clerks = {s.key: s for s in a.clerks}
    assert clerks["1001"].total == D("92.2") and clerks["1002"].total == D(95)
    assert [(x.code, x.window) for x in a.awards] == [("red_flag", 3), ("smile", 3)]
    assert not a.closed and a.as_json()["windows"][0]["key"] == "1"  # worked windows lead; untouched ones follow


def test_a_bad_rating_rectified_in_time_no_longer_counts(hall, november, now):
    sup = supervisor(hall)
    [f] = rt.list_followups(hall, sup)
    now("2026-11-26T09:00:00")  # after its due date (3 working days from 2 Nov): still a deduction
    with at("2026-11-26T09:00:00"):
        a = asm.assess(hall, sup, "2026-11", rule=rule())
        assert any("整改未结束" in line.reason for line in a.window(3).lines)
    with at("2026-11-04T09:00:00"):
        rt.close_followup(hall, sup, f.id, outcome="rectified", note="已约谈")
    a = asm.assess(hall, sup, "2026-11", rule=rule())
    assert not any("差评" in line.reason for line in a.window(3).lines)


def test_a_clerk_sees_the_windows_and_only_their_own_score(hall, november, now):
    now("2026-11-26T09:00:00")
    a = asm.assess(hall, november["c2"], "2026-11", rule=rule())
    assert [s.key for s in a.clerks] == ["1002"] and len(a.windows) >= 2
    with pytest.raises(PermissionDenied):
        asm.assess(hall, login(hall, "8001", "8888"), "2026-11", rule=rule())
    with pytest.raises(ServiceError, match="还没有到"):
        asm.assess(hall, supervisor(hall), "2027-01", rule=rule())


def test_closing_a_month_fixes_its_table_and_shows_its_awards_next_month(hall, november, now):
    now("2026-11-26T09:00:00")
    sup = supervisor(hall)
    with pytest.raises(ServiceError, match="还没有结束"):
        asm.close_month(hall, sup, "2026-11", rule=rule())
    now("2026-12-01T08:00:00")
    with pytest.raises(PermissionDenied):
        asm.close_month(hall, november["c1"], "2026-11", rule=rule())
    assert asm.awards_for(hall, "2026-12") == []
    closed = asm.close_month(hall, sup, "2026-11", rule=rule())
    assert closed.closed and closed.closed_by == "带班（9001）" and closed.window(3).total == D("92.2")
    shown = asm.awards_for(hall, dt.date(2026, 12, 15))
    assert [(x.name, x.window, x.month) for x in shown] == [
        ("流动红旗窗口", 3, "2026-11"),
        ("微笑服务示范窗口", 3, "2026-11"),
    ]
    assert asm.awards_line(shown) == "流动红旗窗口：3号 · 微笑服务示范窗口：3号"
    assert asm.awards_for(hall, "2026-11") == [] and asm.awards_for(hall, "2027-01") == []
    # later changes never move a closed month
    [f] = rt.list_followups(hall, sup)
    rt.close_followup(hall, sup, f.id, outcome="rectified", note="已约谈")
    again = asm.assess(hall, sup, "2026-11", rule=rule(base=50))
    assert again.as_json()["windows"] == closed.as_json()["windows"] and again.closed_at == closed.closed_at
    with pytest.raises(ServiceError, match="已经结束"):
        asm.close_month(hall, sup, "2026-11", rule=rule())
    from sqlmodel import select

    from clerk_tui.store.engine import read_session
    from clerk_tui.store.models import Event

    with read_session(hall) as session:
        [event] = session.exec(select(Event).where(Event.kind == "assessment.closed")).all()
    assert event.subject == "2026-11" and json.loads(event.payload)["awards"][0]["window"] == 3


# ---------------------------------------------------------------- the commands


def _env(hall, number="9001", pin="9999"):
    return {"CLERK_TUI_DB": str(hall.url.database), "CLERK_TUI_STAFF": number, "CLERK_TUI_PIN": pin}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_commands(hall, november, now, monkeypatch, capsys, tmp_path):
    now("2026-12-01T08:00:00")
    env = _env(hall)
    code, out, err = run_cli(monkeypatch, capsys, ["report", "assessment", "--month", "2026-11"], env)
    assert code == 0, err
    assert "2026-11 窗口考核" in out and "未结束" in out and "3号窗口" in out and "窗口人员" in out
    code, out, _ = run_cli(monkeypatch, capsys, ["report", "assessment", "--month", "2026-11", "--window", "1"], env)
    assert code == 0 and "迟开窗：11-03 09:20开窗（应09:00）" in out and "−1" in out
    code, out, _ = run_cli(monkeypatch, capsys, ["report", "assessment", "--month", "2026-11", "--format", "json"], env)
    data = json.loads(out)
    assert {w["key"]: w["total"] for w in data["windows"]}["1"] == 95.0  # the shipped rule: patrol_badge 1, late 1
    xlsx = tmp_path / "kh.xlsx"
    code, out, err = run_cli(
        monkeypatch, capsys, ["report", "assessment", "--month", "2026-11", "--format", "xlsx", "--out", str(xlsx)], env
    )
    assert code == 0, err
    book = load_workbook(io.BytesIO(xlsx.read_bytes()))
    rows = list(book["窗口考核"].iter_rows(values_only=True))
    header = rows.index(tuple(asm.SCORE_HEADERS))
    totals = {r[1]: r[5] for r in rows[header + 1 :]}
    assert totals == {w["name"]: w["total"] for w in data["windows"]}
    reasons = [r[2] for r in book["窗口加减分明细"].iter_rows(values_only=True)]
    assert "迟开窗：11-03 09:20开窗（应09:00）" in reasons
    code, out, err = run_cli(
        monkeypatch, capsys, ["assessment", "close", "--month", "2026-11"], _env(hall, "1001", "1111")
    )
    assert code == 1 and "无权" in err
    code, out, err = run_cli(monkeypatch, capsys, ["assessment", "close", "--month", "2026-12"], env)
    assert code == 1 and "还没有结束" in err
    code, out, err = run_cli(monkeypatch, capsys, ["assessment", "close", "--month", "2026-11"], env)
    assert code == 0, err
    assert "已于 2026-12-01 08:00 由 带班（9001） 结束" in out
    code, out, err = run_cli(monkeypatch, capsys, ["report", "assessment", "--month", "11月"], env)
    assert code == 1 and "YYYY-MM" in err


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_hall_names_its_own_rule(hall, november, now, monkeypatch, capsys, tmp_path):
    now("2026-11-26T09:00:00")
    own = tmp_path / "rule.toml"
    own.write_text('name = "本厅考核"\nbase = 60\n[lateness]\nopens_at = ""\n', encoding="utf-8")
    config = tmp_path / "settings.toml"
    config.write_text(f'[assessment]\nrule = "{own}"\n', encoding="utf-8")
    env = {**_env(hall), "CLERK_TUI_CONFIG": str(config)}
    code, out, err = run_cli(monkeypatch, capsys, ["report", "assessment", "--format", "json"], env)
    assert code == 0, err
    data = json.loads(out)
    assert data["rule"] == "本厅考核" and {w["total"] for w in data["windows"]} == {60.0}
    assert data["notes"] == ["考核办法未设大厅开门时间（[lateness] opens_at），迟开窗未计入考核"]
    own.write_text('name = "本厅考核"\n[points]\nserved_ticket = "一分"\n', encoding="utf-8")
    code, out, err = run_cli(monkeypatch, capsys, ["report", "assessment"], env)
    assert code == 1 and "points.served_ticket 应为数字" in err and "Traceback" not in err


# ---------------------------------------------------------------- the screen


async def test_the_assessment_screen_shows_a_windows_deduction_and_its_reason(
    app_factory,  # noqa: F811
    sqlite_hall,
    monkeypatch,
    tmp_path,
):
    from textual.widgets import DataTable, Static

    from clerk_tui.ui.screens.assessment import AssessmentScreen
    from clerk_tui.ui.screens.supervisor import SupervisorScreen
    from tests.test_ui import SIZE, log_in, settle

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    clerk = login(sqlite_hall, "1003", "3333", window=3)
    q.open_window(sqlite_hall, clerk, 3)  # 09:30: after the hall opened at 09:00 (+5 minutes' grace)
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T10:00:00")
    t = q.issue_ticket(sqlite_hall, clerk, queue="D")
    q.call_next(sqlite_hall, clerk, 3)
    q.finish_service(sqlite_hall, clerk, t.number, 3)
    rt.rate(sqlite_hall, None, 3, t.number, 1, reasons=["服务态度差"])
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "9001", "9999")
        assert isinstance(app.screen, SupervisorScreen)
        await pilot.press("k")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AssessmentScreen) and screen.assessment is not None
        assert "2026-11 窗口考核" in str(screen.query_one("#assessment-title", Static).render())
        table = screen.query_one("#assessment-table", DataTable)
        keys = [s.key for s in screen.assessment.windows]
        assert table.row_count == len(keys) and keys[0] == "3"  # the only window scored leads; idle ones follow
        for _ in range(keys.index("3")):
            await pilot.press("down")
        await settle(pilot)
        reasons = str(screen.query_one("#assessment-reasons", Static).render())
        assert "3号窗口" in reasons and "得分 97.1" in reasons
        assert f"−2  差评未整改：{t.number} 11-26 非常不满意，服务态度差，整改未结束" in reasons
        assert "−1  迟开窗：11-26 09:30开窗（应09:00）" in reasons
        monkeypatch.setattr("clerk_tui.settings.default_data_dir", lambda: tmp_path)
        await pilot.press("x")
        await settle(pilot)
        assert [p.name for p in (tmp_path / "reports").glob("*.xlsx")] == ["窗口考核-2026-11.xlsx"]
        await pilot.press("c")  # November has not ended: refused, nothing stored
        await settle(pilot)
        assert not screen.assessment.closed and asm.awards_for(sqlite_hall, "2026-12") == []
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.assessment.month == "2026-10" and "得分 100" in str(
            screen.query_one("#assessment-reasons", Static).render()
        )
        await pilot.press("c")  # October has: closed by the supervisor, the title says so
        await settle(pilot)
        assert screen.assessment.closed and "由 郑国强（9001） 结束" in str(
            screen.query_one("#assessment-title", Static).render()
        )
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SupervisorScreen)


async def test_the_display_shows_this_months_red_flag_windows(sqlite_hall, monkeypatch):
    from textual.widgets import Static

    from clerk_tui.settings import Settings
    from clerk_tui.ui.display import make_display
    from tests.test_ui import SIZE, FakeAnnouncer, settle
    from tests.test_ui import add_ui_staff as add_staff_for_ui

    add_staff_for_ui(sqlite_hall)
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-10-20T10:00:00")
    clerk = login(sqlite_hall, "1003", "3333", window=2)
    q.open_window(sqlite_hall, clerk, 2)
    t = q.issue_ticket(sqlite_hall, clerk, queue="B")
    q.call_specific(sqlite_hall, clerk, t.number, 2)
    q.finish_service(sqlite_hall, clerk, t.number, 2)
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-02T09:00:00")
    app = make_display(Settings(database="x"), sqlite_hall, FakeAnnouncer(available=False))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.query_one("#awards", Static).display  # no month closed: no line at all
    asm.close_month(sqlite_hall, login(sqlite_hall, "9001", "9999"), "2026-10", rule=rule())
    app = make_display(Settings(database="x"), sqlite_hall, FakeAnnouncer(available=False))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        awards = app.query_one("#awards", Static)
        assert awards.display and str(awards.render()) == "本月流动红旗窗口：2号"
