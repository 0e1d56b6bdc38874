"""The CLI, run in-process through its real entry point (errors become one line and an exit code)."""

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, MINI_HALL, copy_mini_hall, run_cli


@pytest.fixture
def run(monkeypatch, capsys):
    def _run(*args, env=None, stdin_tty=False):
        return run_cli(monkeypatch, capsys, args, env, typed="" if stdin_tty else None)

    return _run


@pytest.fixture
def db(tmp_path, monkeypatch, mini_hall_file):
    """A hall as `clerk-tui init --catalog mini-hall.toml` leaves it (admin PIN 2468), copied from
    the session's template; `init` itself is tested below."""
    path = str(tmp_path / "cli.db")
    monkeypatch.setenv("CLERK_TUI_DB", path)
    copy_mini_hall(mini_hall_file, Path(path))
    return path


def test_init_with_a_given_pin(tmp_path, run, monkeypatch):
    monkeypatch.setenv("CLERK_TUI_DB", str(tmp_path / "i.db"))
    code, out, err = run("init", "--catalog", str(MINI_HALL), env={"CLERK_TUI_NEW_PIN": "2468"})
    assert code == 1 and "6到12位" in err  # a real hall: 6 digits at least
    code, out, err = run("init", "--catalog", str(MINI_HALL), env={"CLERK_TUI_NEW_PIN": "24681357"})
    assert code == 0, err
    code, out, err = run("staff", "list", env={"CLERK_TUI_STAFF": "admin", "CLERK_TUI_PIN": "24681357"})
    assert code == 0 and "admin" in out, err


ADMIN = {"CLERK_TUI_STAFF": "admin", "CLERK_TUI_PIN": "2468"}


def test_init_generates_a_pin_once_when_none_given(tmp_path, run, monkeypatch):
    monkeypatch.setenv("CLERK_TUI_DB", str(tmp_path / "g.db"))
    code, out, _ = run("init", "--catalog", str(MINI_HALL))
    assert code == 0 and "初始 PIN" in out
    pin = out.split("初始 PIN：")[1][:8]
    code, out, err = run("staff", "list", env={"CLERK_TUI_STAFF": "admin", "CLERK_TUI_PIN": pin})
    assert code == 1 and "请先修改 PIN" in err  # shown on a screen: changed at the first login
    admin = {"CLERK_TUI_STAFF": "admin", "CLERK_TUI_PIN": pin}
    code, out, err = run("staff", "change-pin", env=admin | {"CLERK_TUI_NEW_PIN": "80537291"})
    assert code == 0, err
    code, out, err = run("staff", "list", env={"CLERK_TUI_STAFF": "admin", "CLERK_TUI_PIN": "80537291"})
    assert code == 0, err
    code, _, err = run("init", "--catalog", str(MINI_HALL))
    assert code == 1 and "--force" in err


def test_catalog_list_json(db, run):
    code, out, _ = run("catalog", "list", "--format", "json")
    items = json.loads(out)
    assert code == 0 and len(items) == 5
    first = items[0]
    for key in ("code", "name", "department", "queue", "kind", "legal_limit_days", "promised_limit_days", "materials"):
        assert key in first
    assert first["kind"] in ("immediate", "promised") and isinstance(first["materials"], list)
    code, out, _ = run("catalog", "list", "--search", "jhdj", "--format", "json")
    assert [i["name"] for i in json.loads(out)] == ["内地居民结婚登记"]


def test_catalog_show(db, run):
    code, out, _ = run("catalog", "show", "000112001000")
    assert code == 0 and "有限责任公司设立登记" in out and "申请材料（共4项）" in out
    code, out, _ = run("catalog", "show", "000112001000", "--format", "json")
    assert json.loads(out)["promised_limit_days"] == 3
    code, _, err = run("catalog", "show", "nope")
    assert code == 1 and err.startswith("错误：") and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_catalog_import_needs_staff_and_reports_errors(db, run, tmp_path):
    code, _, err = run("catalog", "import", str(MINI_HALL))
    assert code == 1 and "操作人员" in err
    code, out, err = run("catalog", "import", str(MINI_HALL), env=ADMIN)
    assert code == 0 and "更新 5 项" in out
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[item]]\ncode = "1"\nname = "x"\ndepartment = "县民政局"\nqueue = "B"\nkind = "never"\n', encoding="utf-8"
    )
    code, _, err = run("catalog", "import", str(bad), env=ADMIN)
    assert code == 1 and f"{bad}:6: kind" in err and "未导入" in err


def test_catalog_export(db, run, tmp_path):
    code, _out, _ = run("catalog", "export", str(tmp_path / "out.csv"))
    assert code == 0 and (tmp_path / "out.csv").read_text(encoding="utf-8-sig").startswith("code,name")


def test_a_number_too_big_for_the_store_gets_a_clear_line(clerks, run):
    code, _, err = run("window", "close", "99999999999999999999", env=clerks["sup"])
    assert code == 1 and "数字超出范围" in err and "Traceback" not in err


def test_window_list_json(db, run):
    _code, out, _ = run("window", "list", "--format", "json", env=ADMIN)
    windows = json.loads(out)
    assert windows[0]["number"] == 1 and windows[0]["queues"] == ["A", "D", "B"]


def test_calendar_commands(db, run):
    code, out, _ = run("calendar", "add-workdays", "2026-12-31", "1", "--format", "json", env=ADMIN)
    assert json.loads(out) == {"date": "2027-01-04", "provisional": True}
    code, out, _ = run("calendar", "is-workday", "2026-02-14", env=ADMIN)
    assert code == 0 and "是工作日" in out
    code, out, _ = run("calendar", "is-workday", "2026-02-16", env=ADMIN)
    assert code == 1
    code, _, err = run("calendar", "load", str(FIXTURES / "calendar-2027-test.toml"))
    assert code == 1 and "操作人员" in err
    code, out, err = run("calendar", "load", str(FIXTURES / "calendar-2027-test.toml"), env=ADMIN)
    assert code == 0, err
    code, out, _ = run("calendar", "add-workdays", "2026-12-31", "1", "--format", "json", env=ADMIN)
    assert json.loads(out) == {"date": "2027-01-04", "provisional": False}
    code, out, _ = run("calendar", "add-workdays", "2027-02-04", "1", "--format", "json", env=ADMIN)
    assert json.loads(out) == {"date": "2027-02-15", "provisional": False}
    code, _, err = run("calendar", "add-workdays", "2026-13-01", "1", env=ADMIN)
    assert code == 1 and "YYYY-MM-DD" in err


def test_calendar_works_without_a_database(tmp_path, run, monkeypatch):
    monkeypatch.setenv("CLERK_TUI_DB", str(tmp_path / "none.db"))
    _code, out, _ = run("calendar", "add-workdays", "2026-02-13", "2", "--format", "json", env=ADMIN)
    assert json.loads(out) == {"date": "2026-02-24", "provisional": False}
    assert not (tmp_path / "none.db").exists()


def test_staff_commands(db, run):
    code, _, err = run(
        "staff",
        "add",
        "1003",
        "王敏",
        "--role",
        "clerk",
        "--department",
        "县民政局",
        env=ADMIN | {"CLERK_TUI_NEW_PIN": "1357"},
    )
    assert code == 0, err
    code, out, _ = run("staff", "list", "--format", "json", env=ADMIN)
    assert {"number": "1003", "name": "王敏", "role": "clerk", "department": "县民政局", "locked": False} in json.loads(
        out
    )
    for _ in range(5):
        run("staff", "list", env={"CLERK_TUI_STAFF": "1003", "CLERK_TUI_PIN": "0000"})
    code, _, err = run("staff", "list", env={"CLERK_TUI_STAFF": "1003", "CLERK_TUI_PIN": "1357"})
    assert code == 1 and "锁定" in err
    code, _, _ = run("staff", "unlock", "1003", env=ADMIN)
    assert code == 0
    code, _, err = run(
        "staff",
        "set-pin",
        "1003",
        env={"CLERK_TUI_STAFF": "1003", "CLERK_TUI_PIN": "1357", "CLERK_TUI_NEW_PIN": "8642"},
    )
    assert code == 0, err
    code, _, err = run("staff", "list", env={"CLERK_TUI_STAFF": "1003", "CLERK_TUI_PIN": "8642"})
    assert code == 1 and "无权" in err
    code, _, err = run("staff", "add", "1004", "李", "--role", "king", env=ADMIN | {"CLERK_TUI_NEW_PIN": "1357"})
    assert code == 1 and "角色" in err


@pytest.mark.parametrize(
    "args, code, words",
    [
        (("check", "id", "11010519491231002X"), 0, "有效"),
        (("check", "id", "110105194912310021"), 1, "校验位"),
        (("check", "uscc", "91350100M000100Y43"), 0, "有效"),
        (("check", "uscc", "91350100M000100Y44"), 1, "校验位"),
    ],
)
def test_check_commands(run, args, code, words):
    got, out, err = run(*args)
    assert got == code and words in out + err


def test_db_commands(tmp_path, run, monkeypatch, db):
    code, out, _ = run("db", "check", "--format", "json")
    assert code == 0 and json.loads(out)["state"] == "current"
    code, out, _ = run("db", "upgrade", env=ADMIN)
    assert code == 0
    monkeypatch.setenv("CLERK_TUI_DB", str(tmp_path / "missing.db"))
    code, _, err = run("catalog", "list")
    assert code == 1 and "不存在" in err and not (tmp_path / "missing.db").exists()


def test_every_command_has_help(run):
    for args in (
        ["--help"],
        ["catalog", "--help"],
        ["catalog", "list", "--help"],
        ["staff", "add", "--help"],
        ["calendar", "add-workdays", "--help"],
        ["db", "check", "--help"],
        ["check", "id", "--help"],
    ):
        code, out, _ = run(*args)
        assert code == 0 and "用法：" in out and "显示本帮助并退出" in out
        assert not any(word in out for word in ("Usage", "Show this message", "Options:", "Commands:", "required"))


def test_bad_database_url_is_one_line(run):
    code, _, err = run("--db", "mysql://x/y", "catalog", "list")
    assert code == 1 and "只支持" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "args, words",
    [
        (("bogus",), "没有命令 bogus"),
        (("catalog", "list", "--format", "xml"), "可选：table、json"),
        (("catalog", "show"), "缺少参数"),
        (("staff", "list", "--staff", "9001"), "要写在命令名之前"),
    ],
)
def test_usage_errors_are_one_chinese_line(run, args, words):
    code, _out, err = run(*args)
    assert (
        code == 2 and words in err and "Usage" not in err and "用法：" not in err and len(err.strip().splitlines()) == 1
    )


# ---------------------------------------------------------------- cases


@pytest.fixture
def clerks(db, run, monkeypatch):
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    for args in (
        ("1001", "李强", "--role", "clerk", "--department", "县市场监督管理局"),
        ("1003", "王敏", "--role", "clerk"),
        ("9001", "带班", "--role", "supervisor"),
    ):
        code, _, err = run("staff", "add", args[0], args[1], *args[2:], env=ADMIN | {"CLERK_TUI_NEW_PIN": "1357"})
        assert code == 0, err
    return {
        "c1": {"CLERK_TUI_STAFF": "1001", "CLERK_TUI_PIN": "1357"},
        "c3": {"CLERK_TUI_STAFF": "1003", "CLERK_TUI_PIN": "1357"},
        "sup": {"CLERK_TUI_STAFF": "9001", "CLERK_TUI_PIN": "1357"},
    }


_GOOD = (
    '{"item": "000112002000", "applicant": {"kind": "person", "name": "张三", "id_number": "11010519491231002X"},'
    ' "decision": "accept"}'
)


def test_an_intake_file_in_gb18030_is_read_when_said(clerks, run, tmp_path):
    path = tmp_path / "gbk.json"
    path.write_bytes(_GOOD.replace("accept", "supplement").encode("gb18030"))
    code, out, err = run(
        "case", "intake", "--json", str(path), "--encoding", "gb18030", "--format", "json", env=clerks["c1"]
    )
    assert code == 0, err
    assert json.loads(out)["applicant_name"] == "张三"


def _intake_file(tmp_path, **data):
    body = {
        "item": "000112002000",
        "applicant": {"kind": "person", "name": "张三", "id_number": "11010519491231002X", "phone": "13800138000"},
        "materials_received": ["食品经营许可申请书"],
        "decision": "supplement",
    } | data
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_case_cli_supplement_then_accept_then_find_by_phone(clerks, run, tmp_path, monkeypatch):
    code, out, err = run("case", "intake", "--json", _intake_file(tmp_path), "--format", "json", env=clerks["c1"])
    assert code == 0, err
    made = json.loads(out)
    assert made["status"] == "supplement_pending" and made["case_number"] == "TS202611260001"
    code, _, err = run("case", "start", made["case_number"], env=clerks["c1"])
    assert code == 1 and "待补正" in err
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-27T10:00:00")
    code, out, err = run(
        "case", "supplement", made["case_number"], "--received", "营业执照复印件", "--format", "json", env=clerks["c1"]
    )
    assert code == 0, err
    assert json.loads(out)["status"] == "accepted" and json.loads(out)["accepted_on"] == "2026-11-27"
    code, out, _ = run("case", "list", "--find", "13800138000", "--format", "json", env=clerks["c1"])
    assert code == 0 and [c["case_number"] for c in json.loads(out)] == [made["case_number"]]
    code, out, _ = run("case", "show", made["case_number"].lower(), "--format", "json", env=clerks["c1"])
    shown = json.loads(out)
    for key in (
        "case_number",
        "status",
        "item",
        "applicant_name",
        "accepted_on",
        "promised_date",
        "provisional",
        "remaining_workdays",
        "warning",
        "owner",
    ):
        assert key in shown
    assert shown["promised_date"] == "2026-12-04" and shown["owner"] == "1001" and shown["warning"] == "none"
    assert "11010519491231002X" not in out  # masked
    code, out, _ = run("case", "show", made["case_number"], env=clerks["c1"])
    assert code == 0 and "首办人" in out and "李强" in out


def test_case_cli_lifecycle_and_refusals(clerks, run, tmp_path):
    code, out, err = run(
        "case",
        "intake",
        "--json",
        _intake_file(tmp_path, decision="accept", materials_received=["食品经营许可申请书", "营业执照复印件"]),
        "--format",
        "json",
        env=clerks["c1"],
    )
    assert code == 0, err
    n = json.loads(out)["case_number"]
    steps = [
        (("start", n), "c1", 0, ""),
        (("extend", n, "--days", "5", "--reason", "需现场核查"), "c1", 1, "带班领导"),
        (("extend", n, "--days", "5", "--reason", "需现场核查"), "sup", 0, ""),
        (("suspend", n, "--reason", "专家评审", "--days", "3"), "c3", 1, "首办人是李强"),
        (("suspend", n, "--reason", "专家评审", "--days", "3"), "c1", 0, ""),
        (("complete", n, "--result", "approved"), "c1", 1, "挂起"),
        (("resume", n), "c1", 0, ""),
        (("handover", n, "--to", "1003", "--reason", "调岗"), "c1", 0, ""),
        (("acknowledge", n), "c1", 1, "只有接收人"),
        (("acknowledge", n), "c3", 0, ""),
        (("complete", n, "--result", "denied"), "c3", 1, "理由"),
        (("complete", n, "--result", "approved"), "c3", 0, ""),
        (("deliver", n, "--method", "mail", "--tracking", "EMS1234567890123"), "c3", 0, ""),
        (("withdraw", n, "--reason", "不办了"), "c3", 1, "不能撤回"),
    ]
    for args, who, expected, words in steps:
        code, _, err = run("case", *args, env=clerks[who])
        assert code == expected and words in err, (args, err)
    code, out, _ = run("case", "show", n, "--format", "json", env=clerks["c1"])
    data = json.loads(out)
    assert data["status"] == "delivered" and data["owner"] == "1003" and data["extension_days"] == 5
    assert [h["what"].split("（")[0] for h in data["history"]][:3] == ["收件", "开始办理", "延期"]
    assert "批准人：9001" in data["history"][2]["what"]
    code, out, _ = run("case", "list", "--status", "delivered", "--owner", "1003", "--format", "json", env=clerks["c1"])
    assert [c["case_number"] for c in json.loads(out)] == [n]


def test_case_cli_override_by_supervisor_pin(clerks, run, tmp_path):
    bad = {"kind": "person", "name": "张三", "id_number": "110105194912310021", "phone": "13800138000"}
    code, _, err = run("case", "intake", "--json", _intake_file(tmp_path, applicant=bad), env=clerks["c1"])
    assert code == 1 and "校验位" in err and "带班领导" in err
    path = _intake_file(tmp_path, applicant=bad, override={"reason": "老证件号码，已核实", "by": "9001"})
    code, _, err = run("case", "intake", "--json", path, env=clerks["c1"] | {"CLERK_TUI_OVERRIDE_PIN": "0000"})
    assert code == 1 and "不正确" in err
    code, out, err = run(
        "case", "intake", "--json", path, "--format", "json", env=clerks["c1"] | {"CLERK_TUI_OVERRIDE_PIN": "1357"}
    )
    assert code == 0, err and json.loads(out)["status"] == "supplement_pending"


@pytest.mark.parametrize(
    "body,words",
    [
        ("{", "JSON 格式错误"),
        ("[]", "JSON 对象"),
        ('{"item": "000112002000"}', "缺少字段 applicant"),
        ('{"item": "x", "applicant": {}, "decision": "accept", "colour": 1}', "未知字段 colour"),
        (
            '{"item": "000112002000", "applicant": {"kind": "person", "name": "张三", "id_number": "11010519491231002X"},'
            ' "decision": "maybe"}',
            "决定",
        ),
        # strict types: a string where a boolean or a number belongs is refused, never guessed
        (
            _GOOD[:-1] + ', "materials": [{"name": "食品经营许可申请书", "received": "false"}]}',
            "materials[0].received 应为true 或 false",
        ),
        (_GOOD[:-1] + ', "materials": [{"name": "营业执照复印件", "copies": "2"}]}', "materials[0].copies 应为整数"),
        (_GOOD[:-1] + ', "materials": [{"name": "营业执照复印件", "copies": true}]}', "应为整数"),
        (_GOOD.replace('"张三"', "3"), "applicant.name 应为文字"),
        (_GOOD[:-1] + ', "agent": {"name": "李四", "colour": 1}}', "agent 有未知字段 colour"),
        ("[" * 100_000, "嵌套太深"),
        ('{"item": ' + "9" * 5000 + "}", "太长"),
        ('{"item": NaN}', "NaN"),
        (_GOOD.encode("gbk"), "GB18030"),  # a GBK file: said so, with what to do
    ],
)
def test_case_intake_bad_files(clerks, run, tmp_path, body, words):
    path = tmp_path / "bad.json"
    if isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text(body, encoding="utf-8")
    code, _, err = run("case", "intake", "--json", str(path), env=clerks["c1"])
    assert code == 1 and words in err and err.count("\n") == 1
    code, out, _ = run("case", "list", "--format", "json", env=clerks["c1"])
    assert json.loads(out) == []


# ---------------------------------------------------------------- printing


def printer_settings(tmp_path, ticket: str, *more: str) -> dict[str, str]:
    """CLERK_TUI_CONFIG for settings that name ``ticket`` and ``more`` printers, papers in tmp_path."""
    config = tmp_path / "printers.toml"
    lines = ["[printing]", f'ticket = "{ticket}"', f'papers = "{tmp_path}"']
    config.write_text("\n".join(lines + [f'[[printing.printers]]\nurl = "{u}"' for u in more]) + "\n", "utf-8")
    return {"CLERK_TUI_CONFIG": str(config)}


def test_print_cli_preview_print_jobs_retry(clerks, run, tmp_path):
    from clerk_tui.printing.escpos import decode

    code, out, err = run("ticket", "issue", "--item", "000112002000", "--format", "json", env=clerks["c1"])
    number = json.loads(out)["number"]
    code, preview, err = run("print", "preview", "ticket", number, "--width", "58", env=clerks["c1"])
    text_lines = [line for line in preview.splitlines() if not line.startswith("[二维码：")]  # a QR is an image
    assert code == 0 and number in preview and all(len(line.encode("gb18030")) <= 32 for line in text_lines)
    paper = tmp_path / "paper.bin"
    here = clerks["c1"] | printer_settings(tmp_path, f"file://{paper}", "tcp://127.0.0.1:1")
    code, out, err = run("print", "ticket", number, "--width", "58", "--format", "json", env=here)
    assert code == 0, err
    assert json.loads(out)["status"] == "printed" and decode(paper.read_bytes()) == preview
    code, out, err = run("print", "ticket", number, "--printer", "tcp://127.0.0.1:1", env=here)
    assert code == 1 and "没有响应" in err and "print retry" in err
    code, out, _ = run("print", "jobs", "--format", "json", env=clerks["c1"])
    jobs = json.loads(out)
    assert [j["status"] for j in jobs] == ["pending", "printed"] and jobs[0]["reprint"] == 1
    code, _, err = run("print", "retry", str(jobs[0]["id"]), env=here)
    assert code == 1 and "没有响应" in err
    code, _, err = run("print", "retry", "999", env=clerks["c1"])
    assert code == 1 and "没有编号为 999" in err


def test_print_cli_test_page_and_bad_input(clerks, run, tmp_path):
    from clerk_tui.printing.escpos import decode

    paper = tmp_path / "test.bin"
    clerk_here = clerks["c1"] | printer_settings(tmp_path, "dummy:")
    code, out, err = run("print", "test", "--printer", f"file://{paper}", env=clerk_here)
    assert code == 1 and "只有系统管理员" in err and not paper.exists()  # an ad-hoc printer: not a clerk's
    admin_here = ADMIN | printer_settings(tmp_path, "dummy:")
    code, out, err = run("print", "test", "--printer", f"file://{paper}", "--width", "80", env=admin_here)
    assert code == 0 and "打印测试页" in out and decode(paper.read_bytes()) == out
    code, _, err = run("print", "test", "--printer", "lpt1", env=clerks["c1"])
    assert code == 1 and "打印机地址" in err
    code, _, err = run("print", "preview", "memo", "A001", env=clerks["c1"])
    assert code == 1 and "文书" in err
    code, _, err = run("print", "receipt", "TS202611260099", "--printer", "dummy:", env=clerks["c1"])
    assert code == 1 and "TS202611260099" in err


# ---------------------------------------------------------------- 首问负责制


def test_inquiry_cli_refer_alert_and_refusals(clerks, run, monkeypatch):
    code, out, err = run("window", "open", "3", env=clerks["c3"])
    assert code == 0, err
    code, out, err = run(
        "inquiry", "open", "--matter", "问食品经营许可", "--name", "张三", "--format", "json", env=clerks["c1"]
    )
    assert code == 0, err
    inquiry = json.loads(out)["id"]
    code, _, err = run("inquiry", "close", str(inquiry), env=clerks["c1"])
    assert code == 1 and "不能直接关闭" in err
    code, _, err = run("inquiry", "answer", str(inquiry), env=clerks["c1"])
    assert code == 2 and "--note" in err
    code, out, err = run("inquiry", "refer", str(inquiry), "--to-window", "3", "--format", "json", env=clerks["c1"])
    assert code == 0, err
    ticket = json.loads(out)["ticket"]
    assert ticket
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T10:00:00")  # 30 minutes, nobody called it
    code, out, _ = run("alerts", "list", "--staff", "1001", "--format", "json", env=clerks["c1"])
    [alert] = json.loads(out)
    assert {"kind", "responsible", "subject", "due"} <= set(alert) and alert["responsible"] == "1001"
    assert alert["kind"] == "referral_unacknowledged"
    code, _, err = run("ticket", "call", "--window", "3", env=clerks["c3"])
    assert code == 0, err
    code, out, _ = run("alerts", "list", "--format", "json", env=clerks["c1"])
    assert json.loads(out) == []
    code, out, _ = run("inquiry", "list", "--open", "--format", "json", env=clerks["c1"])
    assert json.loads(out) == []
    code, out, _ = run("inquiry", "list", "--staff", "1001", "--format", "json", env=clerks["c1"])
    assert json.loads(out)[0]["acknowledged"] is True
    for args, words in [
        (("inquiry", "external", "99", "--department", "x", "--phone", "1"), "没有编号为 99"),
        (("alerts", "dismiss", "nope", "--reason", "r"), "没有编号为 nope"),
    ]:
        code, _, err = run(*args, env=clerks["c1"])
        assert code == 1 and words in err


def test_report_cli_formats_and_bad_input(clerks, run, tmp_path):
    code, out, err = run("report", "daily", "--format", "json", env=clerks["c1"])
    assert code == 0, err
    data = json.loads(out)
    for key in (
        "tickets_issued",
        "tickets_served",
        "no_shows",
        "cases_received",
        "cases_completed",
        "immediate_cases",
        "immediate_share",
        "promised_completed",
        "promised_on_time",
        "on_time_rate",
        "promised_early",
        "early_rate",
        "supplements",
        "rejections",
        "ratings",
        "satisfaction_rate",
    ):
        assert key in data["groups"][0]
    out_file = tmp_path / "m.xlsx"
    code, out, err = run(
        "report",
        "monthly",
        "--month",
        "2026-11",
        "--by",
        "clerk",
        "--format",
        "xlsx",
        "--out",
        str(out_file),
        env=clerks["sup"],
    )
    assert code == 0 and out_file.exists(), err
    code, _, err = run("report", "range", "--from", "2026-11-30", "--to", "2026-11-01", env=clerks["c1"])
    assert code == 1 and "晚于" in err
    code, _, err = run("report", "yearly", "--format", "csv", "--out", str(tmp_path / "no" / "r.csv"), env=clerks["c1"])
    assert code == 1 and "目录" in err and not (tmp_path / "no").exists()
    code, _, err = run("report", "daily", "--clerk", "7777", env=clerks["sup"])
    assert code == 1 and "7777" in err
    code, _, err = run("report", "daily", "--by", "planet", env=clerks["c1"])
    assert code == 2 and "planet" in err


# ---------------------------------------------------------------- issue 12: words a person reads, rules

ENGLISH = (
    "No such file",
    "Invalid value",
    "connection failed",
    "Device not found",
    "Could not open socket",
    "Errno",
    "column",
    "None",
    "Traceback",
)


def test_ticket_list_names_a_transfer_without_none(clerks, run):
    code, _, err = run("window", "open", "3", env=clerks["c3"])
    assert code == 0, err
    code, out, err = run("ticket", "issue", "--queue", "D", "--format", "json", env=clerks["sup"])
    number = json.loads(out)["number"]
    code, _, err = run(
        "ticket", "transfer", number, "--to-queue", "B", "--reason", "应先在原窗口办理前置手续", env=clerks["c3"]
    )
    assert code == 0, err
    code, _, err = run("ticket", "transfer", number, "--to-queue", "D", "--reason", "回原队列", env=clerks["sup"])
    assert code == 0, err
    code, out, _ = run("ticket", "list", env=clerks["sup"])
    row = next(line for line in out.splitlines() if number in line)
    assert code == 0 and "由他处转来：回原队列" in row and "None" not in out
    code, out, _ = run("ticket", "list", "--format", "json", env=clerks["sup"])
    assert [t["transferred_from"] for t in json.loads(out) if t["number"] == number] == [None]


def test_intake_keeps_the_phone_as_typed_and_finds_it_run_together(clerks, run, tmp_path):
    path = _intake_file(
        tmp_path,
        applicant={"kind": "person", "name": "张三", "id_number": "11010519491231002X", "phone": "0571-12345678"},
    )
    code, out, err = run("case", "intake", "--json", path, "--format", "json", env=clerks["c1"])
    assert code == 0, err
    number = json.loads(out)["case_number"]
    code, out, _ = run("case", "show", number, "--format", "json", env=clerks["c1"])
    assert json.loads(out)["applicant_phone"] == "0571-12345678"
    code, out, _ = run("case", "list", "--find", "057112345678", "--format", "json", env=clerks["c1"])
    assert [c["case_number"] for c in json.loads(out)] == [number]


@pytest.mark.parametrize(
    "args, who, words",
    [
        (
            ("catalog", "import", "/nonexistent/hall.toml"),
            "admin",
            "找不到目录文件 /nonexistent/hall.toml（文件或目录不存在）",
        ),
        (("calendar", "load", "/nonexistent/2027.toml"), "admin", "找不到日历文件"),
        (("appointment", "import", "/nonexistent/a.csv"), "c1", "找不到预约文件"),
    ],
)
def test_a_missing_file_is_a_chinese_sentence(clerks, run, args, who, words):
    code, _, err = run(*args, env=ADMIN if who == "admin" else clerks[who])
    assert code == 1 and words in err and "请检查路径" in err and not any(w in err for w in ENGLISH)


def test_bad_toml_and_a_dead_database_and_printer_are_chinese(clerks, run, tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[printing]\nticket = tcp://x\n", encoding="utf-8")
    code, _, err = run("--config", str(config), "catalog", "list")
    assert code == 1 and "第2行第10列：值无效" in err and not any(w in err for w in ENGLISH)
    calendar = tmp_path / "2027.toml"
    calendar.write_text("year = 2027\nholidays = [1\n", encoding="utf-8")
    code, _, err = run("calendar", "load", str(calendar), env=ADMIN)
    assert code == 1 and "格式错误" in err and not any(w in err for w in ENGLISH)
    code, _, err = run("--db", "postgresql+psycopg://nobody@127.0.0.1:1/x", "ticket", "list", env=ADMIN)
    assert code == 1 and "无法访问数据库（连接被拒绝" in err and not any(w in err for w in ENGLISH)
    here = clerks["c1"] | printer_settings(tmp_path, "tcp://127.0.0.1:1")  # the settings name it
    code, _, err = run("print", "test", "--printer", "tcp://127.0.0.1:1", env=here)
    assert code == 1 and "连接被拒绝" in err and not any(w in err for w in ENGLISH)


def test_add_workdays_past_9999_is_out_of_range(db, run):
    code, _, err = run("calendar", "add-workdays", "9999-12-31", "5", env=ADMIN)
    assert code == 1 and "日期超出范围" in err and "窗口号" not in err


def test_unknown_item_at_intake_suggests_the_command_that_exists(clerks, run, tmp_path):
    code, _, err = run("case", "intake", "--json", _intake_file(tmp_path, item="NOPE"), env=clerks["c1"])
    assert code == 1 and "clerk-tui catalog list --search" in err
    code, _, err2 = run("ticket", "issue", "--item", "NOPE", env=clerks["c1"])
    code3, _, err3 = run("catalog", "show", "NOPE")
    assert err == err2 == err3 and code3 == 1


def test_readme_and_the_program_agree_on_exit_codes(db, run):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    cli_section = readme[readme.index("## The CLI") :]
    assert "exit status 1" in cli_section and "exit status 2" in cli_section
    code, _, err = run("ticket", "list", "--bogus")  # typed wrongly: a usage error
    assert code == 2 and err.startswith("错误：")
    code, _, err = run("catalog", "show", "NOPE")  # refused: an error a person can cause
    assert code == 1 and err.startswith("错误：")


def test_ticket_issue_into_another_queue_than_the_items_is_refused(clerks, run):
    code, _, err = run("ticket", "issue", "--queue", "A", "--item", "000112002000", env=clerks["c1"])
    assert code == 1 and "不在 A 队列" in err
    code, out, _ = run("ticket", "list", "--format", "json", env=clerks["c1"])
    assert json.loads(out) == []


def test_an_empty_catalog_file_is_refused(db, run, tmp_path):
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    code, _, err = run("catalog", "import", str(empty), env=ADMIN)
    assert code == 1 and "[[item]]" in err
    code, out, _ = run("catalog", "list", "--format", "json")
    assert len(json.loads(out)) == 5


def test_a_supervisor_resumes_a_clerks_paused_window(clerks, run):
    assert run("window", "open", "3", env=clerks["c3"])[0] == 0
    code, _, err = run("window", "pause", "3", "--reason", "会议", env=clerks["sup"])
    assert code == 0, err
    code, _, err = run("window", "resume", "3", env=clerks["sup"])
    assert code == 0, err
    code, out, _ = run("window", "list", "--format", "json", env=clerks["sup"])
    assert [w["status"] for w in json.loads(out) if w["number"] == 3] == ["open"]


def test_a_table_never_sends_a_stored_control_character_to_the_terminal(db, run):
    """Defence in depth: a row written before the text policy (or by hand) holding an escape
    sequence or a bidi override is printed with visible stand-ins, never raw."""
    import sqlite3

    con = sqlite3.connect(db)
    con.execute("UPDATE staff SET name = ? WHERE number = 'admin'", ("\x1b[31m红\u202e管理员",))
    con.commit()
    con.close()
    code, out, err = run("staff", "list", env=ADMIN)
    assert code == 0, err
    assert "\x1b" not in out and "\u202e" not in out
    assert "\u241b[31m红<U+202E>管理员" in out


def test_stored_control_characters_never_reach_the_terminal_from_the_cli(clerks, run, tmp_path, db):
    """A row written before the text policy (or by hand) with ESC sequences and a bidi override: the
    plain output shows stand-ins, the JSON escapes them, neither sends them raw."""
    import sqlite3

    code, out, err = run("case", "intake", "--json", _intake_file(tmp_path), "--format", "json", env=clerks["c1"])
    assert code == 0, err
    number = json.loads(out)["case_number"]
    con = sqlite3.connect(db)
    con.execute(
        "UPDATE service_case SET applicant_name = ? WHERE number = ?", ("张\x1b]0;PWNED\x07三\u202e\x1b[2J", number)
    )
    con.commit()
    con.close()
    code, out, err = run("case", "show", number, env=clerks["c1"])
    assert code == 0, err
    assert "]0;PWNED" in out and "\u241b" in out and "<U+202E>" in out  # shown, visibly
    assert not any(ch in out for ch in "\x1b\x07\u202e")
    code, out, err = run("case", "show", number, "--format", "json", env=clerks["c1"])
    assert code == 0 and not any(ch in out for ch in "\x1b\x07\u202e")
    assert json.loads(out)["applicant_name"] == "张\x1b]0;PWNED\x07三\u202e\x1b[2J"  # the data unchanged
