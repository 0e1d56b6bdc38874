"""Issue 12, items 4 and 5: the words and numbers a person reads (no None, phones as typed, the
machine's errors in Chinese, one message for an unknown item) and the rules a new user found loose
(an item's own queue, an empty catalog, who answers an inquiry, a supervisor resuming a window).
Service tests run on SQLite and PostgreSQL."""

import datetime as dt
import errno
import tomllib

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from clerk_tui.domain.calendar import DateOutOfRange, WorkdayCalendar
from clerk_tui.printing.transport import PrintFailed, parse_printer, send
from clerk_tui.services import appointments as ap
from clerk_tui.services import cases as cs
from clerk_tui.services import catalog as cat
from clerk_tui.services import queue as q
from clerk_tui.services import responsibility as rs
from clerk_tui.services.catalog_file import CSV_COLUMNS
from clerk_tui.services.errors import (
    NotFound,
    PermissionDenied,
    ServiceError,
    person_error,
    person_phone,
    read_failed,
    toml_words,
)
from clerk_tui.services.staff import add_staff, login
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Appointment, Event, ServiceItem, WindowState

ID1 = "11010519491231002X"
FOOD = "000112002000"  # queue D
MARRIAGE = "000105002000"  # queue B
ENGLISH = (
    "No such file",
    "Invalid value",
    "connection failed",
    "Device not found",
    "Could not open socket",
    "Errno",
    "line 1, column",
    "Connection refused",
    "None",
)


def no_english(words: str) -> bool:
    return not any(fragment in words for fragment in ENGLISH)


@pytest.fixture
def people(hall, admin, now):
    add_staff(hall, admin, "1001", "李强", "clerk", "1111", department="县民政局")
    add_staff(hall, admin, "1002", "赵六", "clerk", "2222", department="县市场监督管理局")
    add_staff(hall, admin, "8001", "导办员", "guide", "8888")
    add_staff(hall, admin, "9001", "带班", "supervisor", "9999")
    p = {
        "c1": login(hall, "1001", "1111", window=1),
        "c2": login(hall, "1002", "2222", window=3),
        "guide": login(hall, "8001", "8888"),
        "sup": login(hall, "9001", "9999"),
        "admin": admin,
    }
    q.open_window(hall, p["c1"], 1)
    q.open_window(hall, p["c2"], 3)
    return p


# ---------------------------------------------------------------- 4. words and numbers


def test_a_waiting_ticket_transferred_says_where_from_never_none(hall, people):
    t = q.issue_ticket(hall, people["guide"], queue="D")
    moved = q.transfer(hall, people["c2"], t.number, to_queue="B", reason="应先在原窗口办理前置手续")
    assert moved.transferred_from == 3 and moved.transfer_source == "自3号窗口转来"
    # moved by someone at no window (a supervisor), while still waiting: no window number to name
    again = q.transfer(hall, people["sup"], t.number, to_queue="D", reason="回原队列")
    assert again.transferred_from is None and again.transfer_source == "由他处转来"
    listed = next(v for v in q.list_tickets(hall, people["sup"]) if v.number == t.number)
    assert "None" not in listed.transfer_source and listed.transfers == 2
    assert q.issue_ticket(hall, people["guide"], queue="D").transfer_source == ""


def test_phone_kept_as_typed_and_digits_still_checked():
    assert person_phone(" 0571-12345678 ") == "0571-12345678"
    assert person_phone("138 0013 8000") == "138 0013 8000"
    assert person_phone("13800138000") == "13800138000"
    assert person_phone("") == ""
    for bad in ("0571-12", "0571-abc45678", "1380013800012345", "0 5 7 1 1 2 3 4 5 6 7 8"):
        with pytest.raises(ServiceError, match="电话号码"):
            person_phone(bad)


def test_phone_kept_as_typed_at_intake_inquiry_and_booking_and_found_however_typed(hall, people):
    case = cs.intake(
        hall,
        people["c2"],
        cs.IntakeRequest(
            FOOD,
            cs.Applicant("person", "张三", ID1, "0571-12345678"),
            "reject",
            reason="不属于本机关职权范围",
            competent_department="市市场监管局",
            competent_phone="0571 87654321",
        ),
    )
    assert (case.applicant_phone, case.competent_phone) == ("0571-12345678", "0571 87654321")
    for typed in ("0571-12345678", "057112345678", "0571 12345678"):
        assert [c.number for c in cs.list_cases(hall, people["c2"], query=typed)] == [case.number], typed
    inquiry = rs.open_inquiry(hall, people["guide"], matter="问结婚登记", phone="0571-12345678")
    assert inquiry.asker_phone == "0571-12345678"
    booked = ap.add_appointment(
        hall,
        people["guide"],
        id_number=ID1,
        item_code=FOOD,
        day="2026-11-27",
        start="09:00",
        end="09:30",
        phone="0571-12345678",
    )
    with read_session(hall) as s:
        assert s.get(Appointment, booked.id).phone == "0571-12345678"


def test_os_toml_and_printer_errors_come_through_in_chinese(tmp_path):
    missing = FileNotFoundError(errno.ENOENT, "No such file or directory", str(tmp_path / "x.toml"))
    words = read_failed("目录文件", tmp_path / "x.toml", missing).message
    assert "找不到目录文件" in words and "请检查路径" in words and no_english(words)
    assert "没有权限" in read_failed("日历文件", "/x", PermissionError(errno.EACCES, "Permission denied")).message
    with pytest.raises(tomllib.TOMLDecodeError) as bad:
        tomllib.loads("name = 张三\n")  # Invalid value (at line 1, column 8)
    words = toml_words(bad.value)
    assert words.startswith("第1行第8列") and "值无效" in words and no_english(words)
    # a printer that refuses the connection: python-escpos says "Device not found (Could not open socket …)"
    with pytest.raises(PrintFailed) as failed:
        send(parse_printer("tcp://127.0.0.1:1"), b"x")
    words = str(failed.value)
    assert "连接被拒绝" in words and "请检查" in words and no_english(words)
    assert person_error(failed.value) == words
    assert no_english(person_error(OSError(errno.ENOSPC, "No space left on device")))


def test_an_unreachable_database_is_one_chinese_sentence():
    from sqlalchemy.exc import OperationalError

    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/x")
    with pytest.raises(OperationalError) as failed:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    words = person_error(failed.value)
    assert words.startswith("无法访问数据库（连接被拒绝") and "--db" in words and no_english(words)


def test_the_tui_and_the_cli_show_the_same_words():
    from clerk_tui.ui.messages import error_text

    for exc in (
        ServiceError("请填写姓名"),
        FileNotFoundError(errno.ENOENT, "No such file or directory"),
        OverflowError("Python int too large"),
        DateOutOfRange(dt.date(9999, 12, 31), 5),
    ):
        assert error_text(exc) == person_error(exc) and no_english(error_text(exc))
    assert "程序出错" in error_text(KeyError("x")) and person_error(KeyError("x")) is None


def test_a_date_past_the_calendar_is_out_of_range_not_a_window_number():
    with pytest.raises(DateOutOfRange) as out:
        WorkdayCalendar().add_workdays(dt.date(9999, 12, 31), 5)
    assert "日期超出范围" in person_error(out.value) and "窗口号" not in person_error(out.value)
    with pytest.raises(DateOutOfRange):
        WorkdayCalendar().add_workdays(dt.date(2026, 12, 1), 10**12)
    assert WorkdayCalendar().add_workdays(dt.date(9999, 12, 20), 5).date == dt.date(9999, 12, 27)


def test_one_message_for_an_unknown_item_everywhere(hall, people):
    messages = set()
    for attempt in (
        lambda: q.issue_ticket(hall, people["guide"], item_code="NOPE"),
        lambda: cat.get_item(hall, "NOPE"),
        lambda: rs.open_inquiry(hall, people["guide"], matter="问", item="NOPE"),
        lambda: ap.add_appointment(
            hall, people["guide"], id_number=ID1, item_code="NOPE", day="2026-11-27", start="09:00", end="09:30"
        ),
        lambda: cs.intake(
            hall, people["c2"], cs.IntakeRequest("NOPE", cs.Applicant("person", "张三", ID1, ""), "accept")
        ),
    ):
        with pytest.raises(NotFound) as missing:
            attempt()
        messages.add(missing.value.message)
    assert messages == {"没有编码为 NOPE 的事项，请用 clerk-tui catalog list --search 关键词 查找事项编码"}
    with read_session(hall) as s:
        assert cat.item_by_code(s, f" {FOOD} ").code == FOOD
        with pytest.raises(NotFound, match="请填写事项编码"):
            cat.item_by_code(s, " ")


# ---------------------------------------------------------------- 5. rules


def test_an_item_is_issued_only_into_its_own_queue(hall, people):
    with pytest.raises(ServiceError, match="在 D .*队列办理，不在 A 队列") as refused:
        q.issue_ticket(hall, people["guide"], queue="A", item_code=FOOD)
    assert "只按事项取号" in refused.value.message
    assert [t for t in q.list_tickets(hall, people["sup"])] == []
    with read_session(hall) as s:
        assert s.exec(select(Event).where(Event.kind == "ticket.issued")).first() is None
    assert q.issue_ticket(hall, people["guide"], queue="d", item_code=FOOD).queue == "D"
    assert q.issue_ticket(hall, people["guide"], item_code=MARRIAGE).queue == "B"


def test_a_catalog_without_items_is_refused(hall, admin, tmp_path):
    with read_session(hall) as s:
        before = len(s.exec(select(ServiceItem)).all())
    empty = tmp_path / "empty.toml"
    empty.write_text('[[department]]\nname = "县民政局"\n', encoding="utf-8")
    nothing = tmp_path / "nothing.toml"
    nothing.write_text("", encoding="utf-8")
    header = tmp_path / "header.csv"
    header.write_text(",".join(CSV_COLUMNS) + "\n", encoding="utf-8")
    for path in (empty, nothing, header):
        with pytest.raises(ServiceError, match="没有任何事项") as refused:
            cat.import_catalog(hall, admin, path)
        assert "FORMAT.md" in refused.value.message
    with read_session(hall) as s:
        assert len(s.exec(select(ServiceItem)).all()) == before
        imports = len(s.exec(select(Event).where(Event.kind == "catalog.imported")).all())
    assert imports == 1  # only the one of init


def test_only_the_owner_or_a_supervisor_answers_an_inquiry(hall, people):
    i = rs.open_inquiry(hall, people["c1"], matter="问社保")
    for other in ("c2", "guide"):
        with pytest.raises(PermissionDenied, match="请由其本人或带班领导处理"):
            rs.answer(hall, people[other], i.id, note="不是我的")
    with pytest.raises(PermissionDenied, match="系统管理员（系统管理员）无权"):  # 三员分立
        rs.answer(hall, people["admin"], i.id, note="不是我的")
    assert [v.status for v in rs.list_inquiries(hall, people["sup"]) if v.id == i.id] == ["open"]
    assert rs.answer(hall, people["sup"], i.id, note="带班领导答复").status == "closed"
    with pytest.raises(PermissionDenied, match="无权"):  # the administrator takes no inquiry
        rs.open_inquiry(hall, people["admin"], matter="管理员被问到")


def test_a_supervisor_pauses_resumes_and_closes_a_clerks_window(hall, people):
    q.pause_window(hall, people["sup"], 3, "会议")
    q.resume_window(hall, people["sup"], 3)
    with read_session(hall) as s:
        kinds = [e.kind for e in s.exec(select(Event).where(Event.subject == "3").order_by(Event.id))]
        state = s.exec(select(WindowState).where(WindowState.staff_id == people["c2"].staff_id)).one()
    assert kinds[-2:] == ["window.paused", "window.resumed"] and state.status == "open"
    q.pause_window(hall, people["c2"], 3, "午休")
    with pytest.raises(ServiceError, match="由其他人员开窗"):
        q.resume_window(hall, people["c1"], 3)  # another clerk still may not
    q.resume_window(hall, people["c2"], 3)
    q.close_window(hall, people["sup"], 3, "下班")
