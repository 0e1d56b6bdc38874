"""The rights table holds: docs/permissions.md is what the code generates, and every row of it is
run, in-process, as each role and as nobody: allowed means the rights let the command through
(it may still fail for what it was asked, e.g. an unknown number); refused means exit 1 with the
Chinese 无权 / 需要操作人员 line, and nothing of the hall changed."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, MINI_HALL, copy_mini_hall, run_cli

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import permissions_doc  # noqa: E402  (a script, not a package)

sys.path.remove(str(ROOT / "scripts"))

PINS = {"admin": "2468", "8001": "135792", "1001": "135792", "9001": "135792"}
AS = {"guide": "8001", "clerk": "1001", "supervisor": "9001", "admin": "admin", None: None}
CASE = "TS202611260001"

# Arguments that reach each command's rights check (they need not succeed beyond it).
ARGS: dict[str, list[str]] = {
    "display": [],
    "rating-pad": ["--window", "1"],
    "serve": ["--port", "8765"],
    "db upgrade": [],
    "db check": [],
    "db backup": ["{tmp}/copy.db"],
    "db restore": ["{tmp}/backup.db", "--to", "{tmp}/restored.db"],
    "audit verify": [],
    "audit anchor": ["--to", "{tmp}/anchor.txt"],
    "audit prune": ["--before", "2025-01-01"],
    "catalog list": [],
    "catalog show": ["000112001000"],
    "catalog import": [str(MINI_HALL)],
    "catalog export": ["{tmp}/catalog.csv"],
    "window list": [],
    "window open": ["1"],
    "window pause": ["1", "--reason", "会议"],
    "window resume": ["1"],
    "window close": ["1", "--reason", "下班"],
    "calendar add-workdays": ["2026-12-31", "1"],
    "calendar is-workday": ["2026-02-16"],
    "calendar load": [str(FIXTURES / "calendar-2027-test.toml")],
    "staff add": ["7001", "新人", "--role", "clerk"],
    "staff list": [],
    "staff set-pin": ["1003"],
    "staff unlock": ["1003"],
    "staff key-file": [],
    "check id": ["110105194912310021"],
    "check uscc": ["91350100M000100Y43"],
    "ticket issue": ["--queue", "A"],
    "ticket call": ["--window", "1"],
    "ticket next": ["--window", "1"],
    "ticket recall": ["A001", "--window", "1"],
    "ticket no-show": ["A001", "--window", "1"],
    "ticket start": ["A001", "--window", "1"],
    "ticket finish": ["A001", "--window", "1"],
    "ticket call-specific": ["A001", "--window", "1"],
    "ticket transfer": ["A001", "--to-queue", "B", "--reason", "转办"],
    "ticket rejoin": ["A001"],
    "ticket list": [],
    "appointment add": [
        *("--id-number", "11010519491231002X", "--item", "000112002000"),
        *("--date", "2026-11-27", "--start", "10:00", "--end", "10:30"),
    ],
    "appointment import": ["/nonexistent/a.csv"],
    "appointment check-in": ["11010519491231002X"],
    "appointment list": [],
    "case intake": ["--json", "{tmp}/intake.json"],
    "case show": [CASE],
    "case list": ["--find", "11010519491231002X"],
    "case extend": [CASE, "--days", "5", "--reason", "需现场核查"],
    "case supplement": [CASE, "--received", "营业执照复印件"],
    "case start": [CASE],
    "case resume": [CASE],
    "case acknowledge": [CASE],
    "case complete": [CASE, "--result", "approved"],
    "case deliver": [CASE, "--method", "mail", "--tracking", "EMS1234567890123"],
    "case suspend": [CASE, "--reason", "专家评审", "--days", "3"],
    "case withdraw": [CASE, "--reason", "不办了"],
    "case handover": [CASE, "--to", "1003", "--reason", "调岗"],
    "case send-back": [CASE, "--note", "送审批科"],
    "case returned": [CASE, "--result", "approved"],
    "print ticket": ["A001", "--printer", "dummy:"],
    "print receipt": [CASE, "--printer", "dummy:"],
    "print supplement-notice": [CASE, "--printer", "dummy:"],
    "print rejection-notice": [CASE, "--printer", "dummy:"],
    "print completion-notice": [CASE, "--printer", "dummy:"],
    "print preview": ["ticket", "A001"],
    "print test": ["--printer", "dummy:"],
    "print jobs": [],
    "print retry": ["999"],
    "print confirm": ["999"],
    "inquiry open": ["--matter", "问路"],
    "inquiry answer": ["999", "--note", "已答复"],
    "inquiry refer": ["999", "--to-window", "1"],
    "inquiry absent": ["999", "--department", "县民政局", "--contact", "张", "--phone", "1"],
    "inquiry external": ["999", "--department", "县税务局", "--phone", "1"],
    "inquiry appointment": ["999", "--at", "2026-11-27T10:00"],
    "inquiry acknowledge": ["999"],
    "inquiry close": ["999"],
    "inquiry list": [],
    "alerts list": [],
    "alerts dismiss": ["nope", "--reason", "已处理"],
    "followup list": [],
    "followup close": ["999", "--outcome", "整改", "--note", "已整改"],
    "report daily": [],
    "report monthly": ["--month", "2026-11"],
    "report yearly": ["--year", "2026"],
    "report range": ["--from", "2026-11-01", "--to", "2026-11-30"],
    "report summary": ["--year", "2026"],
    "report modes": ["--from", "2026-11-01", "--to", "2026-11-30"],
    "report rebuild": [],
    "duty roster set": ["--day", "2026-11-27", "--supervisor", "9001"],
    "duty roster load": ["{tmp}/roster.txt"],
    "duty roster list": [],
    "duty log add": ["--text", "上午巡查正常"],
    "duty log show": [],
    "duty handover": ["--text", "明日注意办事高峰"],
    "patrol record": ["--window", "1", "--badge-missing"],
    "patrol list": [],
    "device add": ["display", "--name", "大厅东屏"],
    "device list": [],
    "device revoke": ["1"],
    "report assessment": ["--month", "2026-11"],
    "assessment close": ["--month", "2026-10"],
    "staff change-pin": [],  # last: it changes the acting staff member's PIN
}
NOT_RUN = {"init", "demo", "run"}  # setting a hall up (its own tests) and the TUI's login screen


def test_the_documentation_is_what_the_code_generates():
    assert (ROOT / "docs" / "permissions.md").read_text(encoding="utf-8") == permissions_doc.render(), (
        "docs/permissions.md 与代码不一致：请运行 python scripts/permissions_doc.py"
    )


def test_every_command_has_arguments_here():
    assert set(permissions_doc.commands()) - NOT_RUN == set(ARGS)


def _run(monkeypatch, capsys, args, env):
    return run_cli(monkeypatch, capsys, args, env)


@pytest.fixture(scope="module")
def template(tmp_path_factory, mini_hall_file):
    """The mini hall with one staff member per role and an accepted case of clerk 1001, built
    once; each role gets a copy of it."""
    folder = tmp_path_factory.mktemp("rights")
    path = folder / "hall.db"
    copy_mini_hall(mini_hall_file, path)
    mp = pytest.MonkeyPatch()
    try:
        mp.setenv("CLERK_TUI_DB", str(path))
        mp.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
        from clerk_tui.services.cases import Applicant, IntakeRequest, intake
        from clerk_tui.services.staff import add_staff, login
        from clerk_tui.store.engine import make_engine

        engine = make_engine(str(path))
        admin = login(engine, "admin", PINS["admin"])
        for number, name, role in (
            ("8001", "导办", "guide"),
            ("1001", "李强", "clerk"),
            ("1003", "王敏", "clerk"),
            ("9001", "带班", "supervisor"),
        ):
            add_staff(engine, admin, number, name, role, "135792", department="县市场监督管理局")
        clerk = login(engine, "1001", "135792")
        who = Applicant("person", "张三", "11010519491231002X", "13800138000")
        case = intake(
            engine,
            clerk,
            IntakeRequest("000112002000", who, "accept", materials_received=["食品经营许可申请书", "营业执照复印件"]),
        )
        assert case.number == CASE
        engine.dispose()
    finally:
        mp.undo()
    return path


def _fingerprint(path: Path) -> str:
    """The hall's rows, but the log-ins' own traces (a login event, a reset failure count)."""
    con = sqlite3.connect(path)
    try:
        digest = hashlib.sha256()
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        for table in tables:
            if table == "event":
                rows = con.execute("SELECT kind, subject, payload FROM event WHERE kind NOT LIKE 'staff.login%'")
            elif table == "audit_head":  # the chain's head moves with the login events left out above
                continue
            elif table == "staff":
                rows = con.execute("SELECT number, name, role, pin_hash, active FROM staff ORDER BY id")
            else:
                rows = con.execute(f"SELECT * FROM {table}")
            digest.update(json.dumps([table, sorted(map(repr, rows))], ensure_ascii=False).encode())
        return digest.hexdigest()
    finally:
        con.close()


@pytest.mark.parametrize("role", ["guide", "clerk", "supervisor", "admin", None])
def test_every_command_as_every_role(role, template, tmp_path, monkeypatch, capsys):
    import shutil

    import clerk_tui.ui.display
    import clerk_tui.ui.rating_pad

    class NoScreen:
        def run(self):
            print("SCREEN")

    monkeypatch.setattr(clerk_tui.ui.display, "make_display", lambda *a, **k: NoScreen())
    monkeypatch.setattr(clerk_tui.ui.rating_pad, "make_rating_pad", lambda *a, **k: NoScreen())

    class NoServer:
        started = True

        def run(self):
            print("SERVER")

    import clerk_tui.web.server

    monkeypatch.setattr(clerk_tui.web.server, "make_server", lambda *a, **k: NoServer())
    path = tmp_path / "hall.db"
    shutil.copy(template, path)
    (tmp_path / "intake.json").write_text(
        json.dumps(
            {
                "item": "000112002000",
                "applicant": {"kind": "person", "name": "李四", "id_number": "440524188001010014"},
                "decision": "supplement",
                "materials_received": [],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    env = {"CLERK_TUI_DB": str(path), "CLERK_TUI_NOW": "2026-11-26T10:00:00", "CLERK_TUI_NEW_PIN": "864213"}
    if AS[role]:
        env |= {"CLERK_TUI_STAFF": AS[role], "CLERK_TUI_PIN": PINS[AS[role]]}
    shutil.copy(template, tmp_path / "backup.db")  # a hall's copy, for db restore
    (tmp_path / "roster.txt").write_text("2026-11-30 9001\n", encoding="utf-8")  # for duty roster load
    wrong = []
    for command, args in ARGS.items():
        expected = permissions_doc.cell(command, role)
        before = _fingerprint(path)
        argv = [*command.split(), *(a.replace("{tmp}", str(tmp_path)) for a in args)]
        code, _out, err = _run(monkeypatch, capsys, argv, env)
        refused = "无权" in err or "需要操作人员" in err or "需要登录" in err
        if expected in (permissions_doc.ALLOWED, permissions_doc.PUBLIC_CELL):
            ok = not refused and "Traceback" not in err
        elif expected == permissions_doc.DEVICE_CELL:  # serve: no PIN asked, whoever starts it
            ok = code == 0 and "SERVER" in _out
        elif expected == permissions_doc.APPROVAL:
            ok = code == 1 and "带班领导" in err and _fingerprint(path) == before
        else:
            ok = code == 1 and refused and err.startswith("错误：") and _fingerprint(path) == before
        if not ok:
            wrong.append(f"{command} as {role}: expected {expected}, got exit {code}: {err.strip()[:160]}")
    assert not wrong, "\n".join(wrong)


def test_a_lookup_and_an_opened_case_leave_an_audit_event_without_the_id_number(
    template, tmp_path, monkeypatch, capsys
):
    import shutil

    path = tmp_path / "hall.db"
    shutil.copy(template, path)
    env = {"CLERK_TUI_DB": str(path), "CLERK_TUI_STAFF": "1001", "CLERK_TUI_PIN": PINS["1001"]}
    for args in (["case", "list", "--find", "11010519491231002X"], ["case", "list", "--find", "13800138000"]):
        code, out, err = _run(monkeypatch, capsys, args, env)
        assert code == 0 and "张三" in out, err
    code, _, err = _run(monkeypatch, capsys, ["case", "show", CASE], env)
    assert code == 0, err
    code, _, err = _run(monkeypatch, capsys, ["case", "list", "--status", "accepted"], env)  # not a lookup
    assert code == 0, err
    con = sqlite3.connect(path)
    rows = con.execute(
        "SELECT e.kind, e.subject, e.payload, s.number FROM event e JOIN staff s ON s.id = e.staff_id"
        " WHERE e.kind LIKE 'access.%' ORDER BY e.id"
    ).fetchall()
    con.close()
    assert [(kind, subject, who) for kind, subject, _, who in rows] == [
        ("access.lookup", "", "1001"),
        ("access.lookup", "", "1001"),
        ("access.case", CASE, "1001"),
    ]
    payloads = [json.loads(p) for _, _, p, _ in rows]
    assert [p.get("query") for p in payloads] == ["110105********002X", "138****8000", None]
    assert all(p["terminal"] and "pid" in p["terminal"] for p in payloads)
    assert not any("11010519491231002X" in p or "13800138000" in p for _, _, p, _ in rows)


def test_a_screen_reloading_what_it_shows_records_no_new_lookup(template, tmp_path):
    import shutil

    from clerk_tui.services.cases import get_case, list_cases
    from clerk_tui.services.staff import login
    from clerk_tui.store.engine import make_engine

    path = tmp_path / "hall.db"
    shutil.copy(template, path)
    engine = make_engine(str(path))
    try:
        clerk = login(engine, "1001", PINS["1001"])
        list_cases(engine, clerk, query="张三")  # submitted: recorded
        list_cases(engine, clerk, query="张三", audit=False)  # the same list again (a poll)
        get_case(engine, clerk, CASE)
        get_case(engine, clerk, CASE, audit=False)
    finally:
        engine.dispose()
    con = sqlite3.connect(path)
    kinds = [k for (k,) in con.execute("SELECT kind FROM event WHERE kind LIKE 'access.%' ORDER BY id")]
    con.close()
    assert kinds == ["access.lookup", "access.case"]


def test_the_administrator_reads_no_case_and_a_clerk_only_their_own_figures(template, tmp_path):
    import datetime as dt
    import shutil

    from clerk_tui.services.cases import get_case
    from clerk_tui.services.errors import PermissionDenied
    from clerk_tui.services.reports import build_report
    from clerk_tui.services.staff import login
    from clerk_tui.store.engine import make_engine

    path = tmp_path / "hall.db"
    shutil.copy(template, path)
    engine = make_engine(str(path))
    try:
        admin, clerk = login(engine, "admin", PINS["admin"]), login(engine, "1001", PINS["1001"])
        with pytest.raises(PermissionDenied, match="系统管理员（系统管理员）无权"):
            get_case(engine, admin, CASE)
        day = dt.date(2026, 11, 26)
        mine = build_report(engine, clerk, day, day, "clerk")
        assert [g.key for g in mine.groups] == ["1001"]
        with pytest.raises(PermissionDenied, match="只能查看本人的统计"):
            build_report(engine, clerk, day, day, "hall", clerk="1003")
    finally:
        engine.dispose()


def test_db_upgrade_logs_the_administrator_in_on_the_old_schema(tmp_path, monkeypatch, capsys):
    """Schema 0008 has no must_change_pin column: the login reads only what every schema has, a
    wrong PIN counts, and only the administrator upgrades."""
    from alembic import command
    from sqlalchemy import text

    from clerk_tui.domain.pins import hash_pin
    from clerk_tui.store.engine import make_engine
    from clerk_tui.store.schema import _config, status

    path = tmp_path / "old.db"
    engine = make_engine(str(path))
    with engine.begin() as conn:
        command.upgrade(_config(conn), "0008")
        for number, role in (("admin", "admin"), ("1001", "clerk")):
            conn.execute(
                text(
                    "INSERT INTO staff (number, name, role, pin_hash, failed_attempts, locked, active, created_at)"
                    " VALUES (:n, :n, :r, :h, 0, 0, 1, '2026-11-26 09:00:00')"
                ),
                {"n": number, "r": role, "h": hash_pin("135792", cost=10)},
            )
    env = {"CLERK_TUI_DB": str(path)}
    code, _, err = _run(monkeypatch, capsys, ["db", "upgrade"], env)
    assert code == 1 and "需要操作人员" in err
    code, _, err = _run(
        monkeypatch, capsys, ["db", "upgrade"], env | {"CLERK_TUI_STAFF": "1001", "CLERK_TUI_PIN": "135792"}
    )
    assert code == 1 and "无权" in err
    code, _, err = _run(
        monkeypatch, capsys, ["db", "upgrade"], env | {"CLERK_TUI_STAFF": "admin", "CLERK_TUI_PIN": "000000"}
    )
    assert code == 1 and "再错4次" in err
    assert status(engine).current == "0008"
    code, out, err = _run(
        monkeypatch, capsys, ["db", "upgrade"], env | {"CLERK_TUI_STAFF": "admin", "CLERK_TUI_PIN": "135792"}
    )
    assert code == 0 and "升级到" in out, err
    assert status(engine).state == "current"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT failed_attempts FROM staff WHERE number = 'admin'")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM event WHERE kind = 'db.upgraded'")).scalar_one() == 1
    engine.dispose()
