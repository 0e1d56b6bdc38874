"""The service-mode and 前店后场 commands: ``case intake --mode …``, ``case send-back``, ``case
returned`` and ``report modes``, run in-process through the real entry point."""

# ruff: noqa: F811 (test_cli's fixtures, imported, are the tests' arguments)
import json

from tests.test_cli import ADMIN, _intake_file, clerks, db, run  # noqa: F401

ALL = ["食品经营许可申请书", "营业执照复印件"]
MARKET = "县市场监督管理局"


def _accept(run, tmp_path, env, *options):
    code, out, err = run(
        "case",
        "intake",
        "--json",
        _intake_file(tmp_path, decision="accept", materials_received=ALL),
        *options,
        "--format",
        "json",
        env=env,
    )
    assert code == 0, err
    return json.loads(out)


def _mark_back_office(run, tmp_path):
    path = tmp_path / "catalog.toml"
    code, _, err = run("catalog", "export", str(path), env=ADMIN)
    assert code == 0, err
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(f'name = "{MARKET}"\n', f'name = "{MARKET}"\nback_office = true\n', 1), encoding="utf-8"
    )
    code, _, err = run("catalog", "import", str(path), env=ADMIN)
    assert code == 0, err


def test_intake_with_a_mode_and_its_refusals(clerks, run, tmp_path):
    made = _accept(run, tmp_path, clerks["c1"], "--mode", "agency", "--agency-staff", "1003")
    assert made["modes"] == ["全程代办"] and made["agency_staff"] == "王敏（1003）"
    code, out, _ = run("case", "show", made["case_number"], env=clerks["c1"])
    assert code == 0 and "服务方式" in out and "全程代办" in out and "王敏（1003）" in out
    visit = _accept(
        run,
        tmp_path,
        clerks["c1"],
        *("--mode", "visit", "--visit-address", "城关镇幸福村3组", "--visit-at", "2026-11-26 08:00"),
    )
    assert visit["visit_address"] == "城关镇幸福村3组" and visit["modes"] == ["上门服务", "延时服务"]  # before 08:30
    marked = _accept(run, tmp_path, clerks["c1"], "--after-hours")
    assert marked["after_hours"] is True
    for options, words in (
        (["--mode", "agency"], "代办人员的工号"),
        (["--mode", "bus"], "服务方式 'bus' 无效"),
        (["--mode", "visit", "--visit-address", "城关镇", "--visit-at", "明天"], "2026-12-01 15:30"),
    ):
        code, out, err = run(
            "case", "intake", "--json", _intake_file(tmp_path, decision="accept", materials_received=ALL), *options,
            env=clerks["c1"],
        )  # fmt: skip
        assert code == 1 and words in err and "Traceback" not in err, err
    code, out, _ = run("case", "list", "--format", "json", env=clerks["c1"])
    assert len(json.loads(out)) == 3  # nothing stored by the refused ones


def test_mode_in_the_intake_file(clerks, run, tmp_path):
    path = _intake_file(
        tmp_path, decision="accept", materials_received=ALL, mode="agency", agency_staff="1003", after_hours=True
    )
    code, out, err = run("case", "intake", "--json", path, "--format", "json", env=clerks["c1"])
    assert code == 0, err
    assert json.loads(out)["modes"] == ["全程代办", "延时服务"]
    bad = _intake_file(tmp_path, decision="accept", materials_received=ALL, after_hours="yes")
    code, _, err = run("case", "intake", "--json", bad, env=clerks["c1"])
    assert code == 1 and "after_hours" in err and "true 或 false" in err


def test_send_back_show_returned_and_report(clerks, run, tmp_path, monkeypatch):
    made = _accept(run, tmp_path, clerks["c1"])
    number = made["case_number"]
    code, _, err = run("case", "send-back", number, env=clerks["c1"])
    assert code == 1 and "在窗口审批" in err  # the department is not marked yet
    _mark_back_office(run, tmp_path)
    code, out, err = run("case", "send-back", number, "--note", "送审批科", "--format", "json", env=clerks["c1"])
    assert code == 0, err
    sent = json.loads(out)
    assert sent["status"] == "back_office" and sent["in_back_office"] and sent["owner"] == "1001"
    assert sent["promised_date"] == made["promised_date"]
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-30T11:00:00")
    code, out, _ = run("case", "show", number, env=clerks["c1"])
    assert code == 0 and "后场审批中" in out and "已 4天1小时" in out and "2026-11-26 09:30 送出" in out
    code, out, _ = run("case", "list", "--status", "back_office", "--format", "json", env=clerks["c1"])
    assert [c["case_number"] for c in json.loads(out)] == [number]
    code, out, _ = run("report", "modes", "--from", "2026-11-01", "--to", "2026-11-30", env=clerks["sup"])
    assert code == 0 and "县市场监督管理局（后场审批）" in out and "100.0%" in out and "4天1小时" in out
    code, _, err = run("case", "returned", number, "--result", "maybe", env=clerks["c1"])
    assert code == 1 and "approved" in err
    code, out, err = run("case", "returned", number, "--result", "approved", "--format", "json", env=clerks["c1"])
    assert code == 0, err
    back = json.loads(out)
    assert back["status"] == "completed" and not back["in_back_office"] and back["back_office_minutes"] == 4 * 1440 + 90
    code, out, _ = run(
        "report", "modes", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json", env=clerks["sup"]
    )
    total = json.loads(out)["total"]
    assert (total["received"], total["sent_back"], total["in_back_office"], total["sent_back_share"]) == (1, 1, 0, 1.0)
    csv_path = tmp_path / "modes.csv"
    code, out, err = run(
        "report", "modes", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "csv", "--out", str(csv_path),
        env=clerks["sup"],
    )  # fmt: skip
    assert code == 0, err
    assert "送后场比重" in csv_path.read_text(encoding="utf-8-sig")
    code, _, err = run("report", "modes", "--from", "2026-11-01", env=clerks["sup"])
    assert code == 1 and "--to" in err
    code, _, err = run("report", "modes", "--format", "csv", env=clerks["sup"])
    assert code == 1 and "--out" in err
