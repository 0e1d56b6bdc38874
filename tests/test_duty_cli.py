"""``clerk-tui duty …`` and ``clerk-tui patrol …`` as a script runs them."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ADMIN_PIN, copy_mini_hall, run_cli


@pytest.fixture
def hall_db(tmp_path, mini_hall_file, monkeypatch):
    from clerk_tui.services import queue as q
    from clerk_tui.services.staff import add_staff, login
    from clerk_tui.store.engine import make_engine

    path = tmp_path / "hall.db"
    copy_mini_hall(mini_hall_file, path)
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:00:00")
    engine = make_engine(str(path))
    admin = login(engine, "admin", ADMIN_PIN)
    add_staff(engine, admin, "1003", "王敏", "clerk", "3333", department="县市场监督管理局")
    add_staff(engine, admin, "9001", "郑国强", "supervisor", "9999")
    clerk = login(engine, "1003", "3333", window=3)
    q.open_window(engine, clerk, 3)
    q.issue_ticket(engine, clerk, queue="D")
    engine.dispose()
    return path


def cli(monkeypatch, capsys, hall_db, who, *args, at="2026-11-26T10:00:00"):
    pins = {"admin": ADMIN_PIN, "9001": "9999", "1003": "3333"}
    env = {"CLERK_TUI_DB": str(hall_db), "CLERK_TUI_NOW": at, "CLERK_TUI_STAFF": who, "CLERK_TUI_PIN": pins[who]}
    return run_cli(monkeypatch, capsys, list(args), env)


def test_roster_set_and_list(monkeypatch, capsys, hall_db, tmp_path):
    code, out, err = cli(
        monkeypatch, capsys, hall_db, "admin", "duty", "roster", "set", "--day", "2026-11-27", "--supervisor", "9001"
    )
    assert code == 0 and "2026-11-27 带班领导：郑国强（9001）" in out, err
    code, out, err = cli(monkeypatch, capsys, hall_db, "admin", "duty", "roster", "list", "--month", "2026-11")
    assert code == 0 and "2026-11-27" in out and "郑国强" in out, err
    assert "今日尚无带班领导" in out  # the 26th: nobody rostered, no supervisor logged in yet
    code, out, err = cli(
        monkeypatch, capsys, hall_db, "admin", "duty", "roster", "set", "--day", "27/11", "--supervisor", "9001"
    )
    assert code == 1 and "YYYY-MM-DD" in err
    code, out, err = cli(
        monkeypatch, capsys, hall_db, "admin", "duty", "roster", "set", "--day", "2026-11-28", "--supervisor", "1003"
    )
    assert code == 1 and "不是在职的带班领导" in err
    roster = tmp_path / "month.txt"
    roster.write_text("2026-12-01 9001\n2026-12-02 9001\n", encoding="utf-8")
    code, out, err = cli(monkeypatch, capsys, hall_db, "admin", "duty", "roster", "load", str(roster))
    assert code == 0 and "已导入 2 天" in out, err
    code, out, err = cli(
        monkeypatch, capsys, hall_db, "9001", "duty", "roster", "list", "--month", "2026-12", "--format", "json"
    )
    assert code == 0 and [d["day"] for d in json.loads(out)] == ["2026-12-01", "2026-12-02"], err
    code, out, err = cli(monkeypatch, capsys, hall_db, "1003", "duty", "roster", "list")
    assert code == 1 and "无权" in err  # the roster: supervisors and the administrator


def test_patrol_record_then_the_duty_log_and_the_handover(monkeypatch, capsys, hall_db):
    code, out, err = cli(monkeypatch, capsys, hall_db, "9001", "patrol", "record", "--window", "3", "--absent")
    assert code == 1 and "请填写原因" in err
    code, out, err = cli(
        monkeypatch, capsys, hall_db, "9001", "patrol", "record", "--window", "3", "--absent", "--reason", "临时离岗"
    )
    assert code == 0 and "3号窗口 不在岗" in out and "提醒：3号窗口无人在岗，排队 1 人" in out, err
    code, out, err = cli(monkeypatch, capsys, hall_db, "9001", "alerts", "list")
    assert code == 0 and "3号窗口无人在岗，排队 1 人" in out, err
    code, out, err = cli(monkeypatch, capsys, hall_db, "9001", "patrol", "list", "--format", "json")
    assert code == 0, err
    [f] = json.loads(out)
    assert (f["window"], f["item"], f["note"], f["waiting"], f["clerk"]) == (3, "absent", "临时离岗", 1, "王敏（1003）")
    code, out, err = cli(monkeypatch, capsys, hall_db, "9001", "duty", "log", "add", "--text", "已电话联系王敏回岗")
    assert code == 0, err
    code, out, err = cli(
        monkeypatch, capsys, hall_db, "9001", "duty", "handover", "--text", "3号窗口人员离岗一事请跟进"
    )
    assert code == 0, err
    code, out, err = cli(monkeypatch, capsys, hall_db, "9001", "duty", "log", "show")
    assert code == 0, err
    assert "带班领导：郑国强（9001，当日首位登录）" in out
    assert "已电话联系王敏回岗" in out and "[巡查] 3号窗口 不在岗（排队 1 人）：临时离岗" in out
    assert "交班留言（郑国强）：3号窗口人员离岗一事请跟进" in out
    assert "[提醒] 巡查：窗口无人 3号窗口无人在岗，排队 1 人（责任人 1003）" in out  # holds now
    code, out, err = cli(
        monkeypatch, capsys, hall_db, "9001", "duty", "log", "show", "--format", "json", at="2026-11-27T08:30:00"
    )
    assert code == 0, err
    shown = json.loads(out)
    assert shown["handover_in"]["text"] == "3号窗口人员离岗一事请跟进" and shown["events"] == []
    code, out, err = cli(monkeypatch, capsys, hall_db, "1003", "patrol", "record", "--window", "3", "--manner")
    assert code == 1 and "无权" in err
