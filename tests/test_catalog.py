import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import select

from clerk_tui.services import catalog as cat
from clerk_tui.services.catalog_file import CatalogFileError, parse_catalog, parse_toml
from clerk_tui.services.errors import PermissionDenied, ServiceError
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Event, Material, ServiceItem

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "catalog" / "demo-hall.toml"

ITEM = """
[[item]]
code = "{code}"
name = "测试事项{code}"
department = "县民政局"
queue = "B"
kind = "{kind}"
legal_limit_days = {legal}
promised_limit_days = {promised}
fee = "不收费"

[[item.material]]
name = "身份证"
form = "{form}"
"""


def item(code="900000000001", kind="promised", legal=20, promised=5, form="original"):
    return ITEM.format(code=code, kind=kind, legal=legal, promised=promised, form=form)


def test_demo_catalog_is_a_real_county_hall():
    data = parse_catalog(DEMO)
    assert data.hall and data.hall.code
    assert len(data.branch_halls) == 7
    assert len(data.departments) >= 21
    assert len(data.windows) == 45 and sorted(w.number for w in data.windows) == list(range(1, 46))
    assert len(data.items) >= 145
    depts_with_items = {i.department for i in data.items}
    assert len(depts_with_items) >= 20
    for i in data.items:
        assert len(i.materials) >= 2, i.code
        assert i.legal_basis and i.fee, i.code
        if i.kind == "immediate":
            assert (i.legal_limit_days, i.promised_limit_days) == (0, 0)
        else:
            assert 1 <= i.promised_limit_days <= i.legal_limit_days
    served = {q for w in data.windows for q in w.queues}
    assert served == {q.prefix for q in data.queues}
    assert any(w.department is None and len(w.queues) >= 3 for w in data.windows)  # comprehensive windows
    assert "¥" not in DEMO.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "body, line_of, field, words",
    [
        (
            item(kind="promised", legal=5, promised=7),
            "promised_limit_days = 7",
            "promised_limit_days",
            "不能超过法定时限",
        ),
        (item(kind="immediate", legal=5, promised=0), "legal_limit_days = 5", "legal_limit_days", "即办件"),
        (item(kind="sometimes"), 'kind = "sometimes"', "kind", "immediate"),
        (item(form="scan"), 'form = "scan"', "form", "original"),
        (item() + item(), None, "code", "重复"),
        (
            item().replace("legal_limit_days = 20", 'legal_limit_days = "twenty"'),
            'legal_limit_days = "twenty"',
            "legal_limit_days",
            "整数",
        ),
        (item().replace('name = "身份证"\n', ""), None, "name", "不能为空"),
    ],
)
def test_errors_name_file_line_and_field(tmp_path, body, line_of, field, words):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CatalogFileError) as info:
        parse_catalog(path)
    problem = info.value.problems[0]
    assert problem.file == str(path) and problem.field == field and words in problem.message
    if line_of:
        lines = body.splitlines()
        assert lines[problem.line - 1].strip() == line_of
    assert str(path) in info.value.message and f":{problem.line}:" in info.value.message


def test_toml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[[item]]\ncode = "1"\nname = 测试\n', encoding="utf-8")
    with pytest.raises(CatalogFileError) as info:
        parse_catalog(path)
    assert info.value.problems[0].line == 3


def test_material_error_points_at_the_material(tmp_path):
    body = item() + '\n[[item.material]]\nname = "户口簿"\ncopies = -1\n'
    problems = _problems(body)
    assert problems[0].field == "copies" and body.splitlines()[problems[0].line - 1] == "copies = -1"


def _problems(body):
    with pytest.raises(CatalogFileError) as info:
        parse_toml(body, "x.toml")
    return info.value.problems


def test_import_is_all_or_nothing(hall, admin, tmp_path):
    before = len(cat.list_items(hall))
    path = tmp_path / "two.toml"
    path.write_text(item("900000000001") + item("900000000002", kind="promised", legal=3, promised=9), encoding="utf-8")
    with pytest.raises(CatalogFileError):
        cat.import_catalog(hall, admin, path)
    assert len(cat.list_items(hall)) == before


def test_import_with_unknown_department_changes_nothing(hall, admin, tmp_path):
    before = len(cat.list_items(hall))
    path = tmp_path / "dept.toml"
    path.write_text(item("900000000001") + item("900000000002").replace("县民政局", "县不存在局"), encoding="utf-8")
    with pytest.raises(CatalogFileError) as info:
        cat.import_catalog(hall, admin, path)
    assert "县不存在局" in info.value.message and ":" in info.value.message
    assert len(cat.list_items(hall)) == before


def test_import_merges_and_records_an_event(hall, admin, tmp_path):
    path = tmp_path / "more.toml"
    path.write_text(
        item("900000000001") + item("000105002000", kind="immediate", legal=0, promised=0), encoding="utf-8"
    )
    counts = cat.import_catalog(hall, admin, path)
    assert counts["items_added"] == 1 and counts["items_updated"] == 1
    g = cat.get_item(hall, "000105002000")
    assert g.name == "测试事项000105002000" and [m.name for m in g.materials] == ["身份证"]
    with read_session(hall) as s:
        assert s.exec(select(Event).where(Event.kind == "catalog.imported")).all()


def test_import_needs_an_admin(hall, tmp_path):
    from clerk_tui.services.staff import add_staff, login

    admin = login(hall, "admin", "2468")
    add_staff(hall, admin, "8001", "导办员", "guide", "1111")
    guide = login(hall, "8001", "1111")
    path = tmp_path / "x.toml"
    path.write_text(item(), encoding="utf-8")
    with pytest.raises(PermissionDenied):
        cat.import_catalog(hall, guide, path)
    with pytest.raises(PermissionDenied):
        cat.import_catalog(hall, None, path)


def test_csv_import_and_errors(hall, admin, tmp_path):
    good = tmp_path / "items.csv"
    good.write_text(
        "\ufeffcode,name,department,queue,kind,legal_limit_days,promised_limit_days,fee,legal_basis,conditions,"
        "consultation_phone,supervision_phone,materials\n"
        '900000000010,补领结婚证,县民政局,B,immediate,0,0,不收费,《婚姻登记条例》,,,,"身份证|required|original|1|;户口簿|optional|copy|2|本地户籍"\n',
        encoding="utf-8",
    )
    cat.import_catalog(hall, admin, good)
    g = cat.get_item(hall, "900000000010")
    assert [(m.name, m.required, m.form, m.copies, m.notes) for m in g.materials] == [
        ("身份证", True, "original", 1, ""),
        ("户口簿", False, "copy", 2, "本地户籍"),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        good.read_text(encoding="utf-8")
        .replace("immediate,0,0", "promised,3,5")
        .replace("900000000010", "900000000011"),
        encoding="utf-8",
    )
    with pytest.raises(CatalogFileError) as info:
        cat.import_catalog(hall, admin, bad)
    assert info.value.problems[0].line == 2 and info.value.problems[0].field == "promised_limit_days"
    with pytest.raises(ServiceError):
        cat.get_item(hall, "900000000011")


@pytest.mark.parametrize("suffix", [".toml", ".csv"])
def test_export_then_import_round_trips(hall, admin, tmp_path, suffix):
    out = tmp_path / f"export{suffix}"
    assert cat.export_catalog(hall, out) == 5
    before = [g.as_json() for g in cat.list_items(hall)]
    counts = cat.import_catalog(hall, admin, out)
    assert counts["items_added"] == 0 and counts["items_updated"] == 5
    assert [g.as_json() for g in cat.list_items(hall)] == before


def test_export_to_missing_directory_leaves_nothing(hall, tmp_path):
    with pytest.raises(ServiceError):
        cat.export_catalog(hall, tmp_path / "nope" / "x.toml")
    assert not (tmp_path / "nope").exists()


def test_guide_has_everything_the_guide_desk_tells(hall):
    g = cat.get_item(hall, "000112001000")
    assert g.department == "县市场监督管理局" and g.queue == "D" and g.windows == (1, 3)
    assert g.consultation_phone == "0579-80000002"  # the department's, by default
    assert g.supervision_phone == "0579-80001234"  # the hall's, by default
    assert [m.form for m in g.materials] == ["original", "original", "copy", "copy"]
    assert g.materials[3].required is False


def test_windows_list_queues_in_order(hall):
    windows = {w.number: w for w in cat.list_windows(hall)}
    assert windows[1].queues == ("A", "D", "B") and windows[3].queues == ("D", "A")


def test_stored_pinyin(hall):
    with read_session(hall) as s:
        row = s.exec(select(ServiceItem).where(ServiceItem.code == "000105002000")).one()
        assert (row.pinyin, row.initials) == ("neidijuminjiehundengji", "ndjmjhdj")
        assert s.exec(select(Material).where(Material.item_id == row.id)).all()


def test_file_and_store_problems_come_in_one_round_in_line_order(hall, admin, tmp_path):
    body = item("900000000001").replace('fee = "不收费"\n', "") + item("900000000002").replace(
        "县民政局", "县不存在局"
    ).replace('queue = "B"', 'queue = "Q9"')
    path = tmp_path / "many.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CatalogFileError) as info:
        cat.import_catalog(hall, admin, path)
    problems = info.value.problems
    assert [p.field for p in problems] == ["fee", "department", "queue"]
    assert [p.line for p in problems] == sorted(p.line for p in problems)
    lines = body.splitlines()
    assert lines[problems[1].line - 1] == 'department = "县不存在局"'
    assert "一个字母" in problems[2].message


def test_demo_keywords_find_colloquial_names(demo_at):
    engine = demo_at("2026-11-27T10:00:00")  # the demo's catalog; the hour does not matter here
    for word, expected in (
        ("社保", "社会保险"),
        ("营业执照", "设立登记"),
        ("低保", "最低生活保障"),
        ("dibao", "最低生活保障"),
        ("房产证", "房屋所有权"),
    ):
        found = cat.list_items(engine, word)
        assert any(expected in g.name for g in found[:5]), (word, [g.name for g in found[:5]])


@pytest.mark.parametrize("at", ["2026-11-27T00:20:00", "2026-11-26T23:50:00"])
def test_the_demo_builds_a_living_hall_at_any_hour(demo_at, at):
    """CI runs at any hour: a demo built just after midnight or late at night keeps its morning in
    one business day (it used to spread tickets over two days and fail). demo_at builds it with
    the clock at ``at`` (once per run: test_demo.py uses the same hours)."""
    from sqlmodel import select

    from clerk_tui.store.engine import read_session
    from clerk_tui.store.models import Ticket

    engine = demo_at(at)
    day = dt.date.fromisoformat(at[:10])
    with read_session(engine) as s:
        today = s.exec(select(Ticket).where(Ticket.business_date == day)).all()
        assert today and all(t.issued_at.date() == day for t in today)
        assert any(t.status == "waiting" for t in today)
    engine.dispose()
