"""Queue services on SQLite and PostgreSQL."""

import datetime as dt

import pytest
from sqlmodel import select

from clerk_tui.domain.queueing import QueuePolicy
from clerk_tui.services import queue as q
from clerk_tui.services.appointments import add_appointment, check_in, import_appointments, list_appointments
from clerk_tui.services.errors import NotFound, PermissionDenied, ServiceError
from clerk_tui.services.staff import add_staff, login
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Event, Ticket

ID1, ID2 = "11010519491231002X", "440524188001010014"


@pytest.fixture
def staff(hall, admin, now):
    add_staff(hall, admin, "8001", "导办员", "guide", "1111")
    add_staff(hall, admin, "1001", "李强", "clerk", "1111")
    add_staff(hall, admin, "1003", "王敏", "clerk", "3333")
    add_staff(hall, admin, "9001", "带班", "supervisor", "9999")
    return {
        "guide": login(hall, "8001", "1111"),
        "c1": login(hall, "1001", "1111"),
        "c3": login(hall, "1003", "3333"),
        "sup": login(hall, "9001", "9999"),
    }


def issue(hall, actor, **kw):
    return q.issue_ticket(hall, actor, **kw)


def test_numbering_per_day_and_queue_and_history_kept(hall, staff, now):
    g = staff["guide"]
    assert [issue(hall, g, queue="A").number for _ in range(3)] == ["A001", "A002", "A003"]
    assert issue(hall, g, queue="D").number == "D001"
    assert issue(hall, g, item_code="000105002000").number == "B001"  # the item's queue
    now("2026-11-27T08:30:00")
    t = issue(hall, g, queue="A")
    assert (t.number, t.business_date) == ("A001", dt.date(2026, 11, 27))
    with read_session(hall) as s:
        assert len(s.exec(select(Ticket)).all()) == 6  # yesterday's tickets are still there
    assert [v.number for v in q.list_tickets(hall, staff["sup"], day=dt.date(2026, 11, 26))] == [
        "A001",
        "A002",
        "A003",
        "D001",
        "B001",
    ]


def test_four_digits_after_999(hall, staff):
    from clerk_tui.store.engine import write_session
    from clerk_tui.store.models import Queue, TicketCounter

    with write_session(hall) as s:
        qa = s.exec(select(Queue).where(Queue.prefix == "A")).one()
        s.add(TicketCounter(hall_id=qa.hall_id, queue_id=qa.id, business_date=dt.date(2026, 11, 26), last=999))
    assert issue(hall, staff["guide"], queue="A").number == "A1000"


def test_waiting_ahead_counts_priority(hall, staff):
    g = staff["guide"]
    issue(hall, g, queue="A")
    issue(hall, g, queue="A")
    assert issue(hall, g, queue="A", priority="elderly").waiting_ahead == 0
    assert issue(hall, g, queue="A").waiting_ahead == 3


def test_call_order_priority_then_arrival_with_why(hall, staff, now):
    g, c3 = staff["guide"], staff["c3"]
    issue(hall, g, queue="D")
    now("2026-11-26T09:05:00")
    issue(hall, g, queue="D", priority="elderly")
    issue(hall, g, queue="A")
    q.open_window(hall, c3, 3)  # window 3 serves D then A
    first = q.call_next(hall, c3, 3)
    assert first.ticket.number == "D002" and "老年人优先" in first.why
    q.finish_service(hall, c3, "D002", 3)
    assert q.call_next(hall, c3, 3).ticket.number == "D001"
    q.start_service(hall, c3, "D001", 3)
    q.finish_service(hall, c3, "D001", 3)
    third = q.call_next(hall, c3, 3)
    assert third.ticket.number == "A001" and "第2队列" in third.why
    q.finish_service(hall, c3, "A001", 3)
    empty = q.call_next(hall, c3, 3)
    assert empty.ticket is None
    panel = q.window_panel(hall, 3)
    assert panel.served_today == 3 and panel.current is None and panel.clerk.startswith("王敏")


def test_interleave_mode(hall, staff):
    g, c3 = staff["guide"], staff["c3"]
    policy = QueuePolicy(priority_mode="interleave", interleave_normals=2)
    for pr in ("none", "none", "none", "elderly", "none"):
        issue(hall, g, queue="D", priority=pr)
    q.open_window(hall, c3, 3)
    order = []
    for _ in range(5):
        r = q.call_next(hall, c3, 3, policy)
        order.append(r.ticket.number)
        q.finish_service(hall, c3, r.ticket.number, 3)
    assert order == ["D001", "D002", "D004", "D003", "D005"]


def test_recalls_no_show_and_rejoin(hall, staff, now):
    g, c3 = staff["guide"], staff["c3"]
    issue(hall, g, queue="D")
    issue(hall, g, queue="D")
    q.open_window(hall, c3, 3)
    q.call_next(hall, c3, 3)
    with pytest.raises(ServiceError, match="重呼2次"):
        q.mark_no_show(hall, c3, "D001", 3)
    with pytest.raises(ServiceError, match="已叫未到"):
        q.call_next(hall, c3, 3)
    assert q.recall(hall, c3, "D001", 3).recalls == 1
    q.recall(hall, c3, "D001", 3)
    assert q.mark_no_show(hall, c3, "D001", 3).status == "no_show"
    assert q.call_next(hall, c3, 3).ticket.number == "D002"
    q.finish_service(hall, c3, "D002", 3)
    now("2026-11-26T09:20:00")
    back = q.rejoin(hall, g, "D001")
    assert back.status == "waiting" and back.number == "D001"
    assert q.call_next(hall, c3, 3).ticket.number == "D001"
    q.recall(hall, c3, "D001", 3)
    q.recall(hall, c3, "D001", 3)
    q.mark_no_show(hall, c3, "D001", 3)
    now("2026-11-26T10:00:00")
    with pytest.raises(ServiceError, match="超过30分钟"):
        q.rejoin(hall, g, "D001")
    for blank in ("", "  "):
        with pytest.raises(ServiceError, match="请输入号码"):
            q.rejoin(hall, g, blank)
        with pytest.raises(ServiceError, match="请输入号码"):
            q.finish_service(hall, c3, blank, 3)


def test_auto_no_show_after_k_recalls(hall, staff):
    g, c3 = staff["guide"], staff["c3"]
    policy = QueuePolicy(auto_no_show=True, recalls_before_no_show=1)
    issue(hall, g, queue="D")
    issue(hall, g, queue="D")
    q.open_window(hall, c3, 3)
    q.call_next(hall, c3, 3, policy)
    q.recall(hall, c3, "D001", 3)
    r = q.call_next(hall, c3, 3, policy)
    assert r.auto_no_show == "D001" and r.ticket.number == "D002"
    assert q.get_ticket(hall, "D001").status == "no_show"


def test_transfer_keeps_number_and_arrival_and_shows_where_from(hall, staff, now):
    g, c1, c3 = staff["guide"], staff["c1"], staff["c3"]
    issue(hall, g, queue="D")  # D001 at 09:00
    now("2026-11-26T09:10:00")
    issue(hall, g, queue="A")  # A001 at 09:10
    q.open_window(hall, c3, 3)
    q.open_window(hall, c1, 1)
    q.call_next(hall, c3, 3)
    q.start_service(hall, c3, "D001", 3)
    now("2026-11-26T09:30:00")
    moved = q.transfer(hall, c3, "D001", to_queue="A", reason="需综合窗口补办社保")
    assert (moved.number, moved.queue, moved.status, moved.transfers, moved.transferred_from) == (
        "D001",
        "A",
        "waiting",
        1,
        3,
    )
    r = q.call_next(hall, c1, 1)  # window 1 serves A first: D001 arrived 09:00, before A001
    assert r.ticket.number == "D001" and "原取号时间09:00" in r.why
    assert r.ticket.transfer_reason == "需综合窗口补办社保" and r.ticket.transferred_from == 3
    panel = q.window_panel(hall, 1)
    assert panel.current.number == "D001" and "原取号时间" in panel.why


def test_transfer_to_a_window(hall, staff):
    g, c1, c3 = staff["guide"], staff["c1"], staff["c3"]
    issue(hall, g, queue="A")
    issue(hall, g, queue="D")
    q.open_window(hall, c3, 3)
    q.open_window(hall, c1, 1)
    q.call_next(hall, c1, 1)  # A001 at window 1
    q.transfer(hall, c1, "A001", to_window=3, reason="市场监管业务")
    assert q.window_panel(hall, 3).sent_here == 1
    # the hall display counts the person as waiting, as the supervisor's live hall does
    from clerk_tui.services.supervisor import board as live_hall

    shown = {c.prefix: c.waiting for c in q.hall_board(hall).queues}
    assert sum(shown.values()) == sum(x.waiting for x in live_hall(hall, staff["sup"]).queues) == 2
    r = q.call_next(hall, c3, 3)
    assert r.ticket.number == "A001" and "自1号窗口转来本窗口" in r.why


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(to_queue="D"), "已在 D"),
        (dict(to_window=2), "未开窗"),
        (dict(to_queue="Z"), "没有队列 Z"),
        (dict(to_queue="A", reason=""), "原因"),
        (dict(), "二者选一"),
    ],
)
def test_bad_transfers_change_nothing(hall, staff, kwargs, words):
    g, c3 = staff["guide"], staff["c3"]
    issue(hall, g, queue="D")
    q.open_window(hall, c3, 3)
    q.call_next(hall, c3, 3)
    args = {"reason": "测试"} | kwargs
    with pytest.raises(ServiceError, match=words):
        q.transfer(hall, c3, "D001", **args)
    t = q.get_ticket(hall, "D001")
    assert (t.status, t.queue, t.transfers) == ("called", "D", 0)


def test_paused_and_closed_windows_do_not_call(hall, staff):
    g, c3, c1 = staff["guide"], staff["c3"], staff["c1"]
    issue(hall, g, queue="D")
    with pytest.raises(ServiceError, match="尚未开窗"):
        q.call_next(hall, c3, 3)
    q.open_window(hall, c3, 3)
    with pytest.raises(ServiceError, match="原因"):
        q.pause_window(hall, c3, 3, "")
    q.pause_window(hall, c3, 3, "午休")
    with pytest.raises(ServiceError, match="暂停服务（午休）"):
        q.call_next(hall, c3, 3)
    assert q.window_panel(hall, 3).pause_reason == "午休"
    with pytest.raises(ServiceError, match="其他人员"):
        q.call_next(hall, c1, 3)
    q.resume_window(hall, c3, 3)
    assert q.call_next(hall, c3, 3).ticket.number == "D001"


def test_one_clerk_per_window_and_one_window_per_clerk(hall, staff):
    c1, c3, sup = staff["c1"], staff["c3"], staff["sup"]
    q.open_window(hall, c3, 3)
    with pytest.raises(ServiceError, match="已由 王敏"):
        q.open_window(hall, c1, 3)
    with pytest.raises(ServiceError, match="一人只能在一个窗口"):
        q.open_window(hall, c3, 1)
    q.close_window(hall, sup, 3, "交接班")  # the supervisor may close it
    q.open_window(hall, c1, 3)


def test_guide_cannot_call(hall, staff):
    with pytest.raises(PermissionDenied):
        q.call_next(hall, staff["guide"], 3)
    with pytest.raises(PermissionDenied):
        q.open_window(hall, staff["guide"], 3)


def test_call_specific_is_audited(hall, staff):
    g, c3 = staff["guide"], staff["c3"]
    issue(hall, g, queue="D")
    issue(hall, g, queue="D")
    q.open_window(hall, c3, 3)
    r = q.call_specific(hall, c3, "D002", 3)
    assert r.ticket.number == "D002" and "指定叫号" in r.why
    with read_session(hall) as s:
        ev = s.exec(select(Event).where(Event.kind == "ticket.called", Event.subject == "D002")).one()
        assert '"specific": true' in ev.payload and ev.window_number == 3
    q.finish_service(hall, c3, "D002", 3)
    with pytest.raises(NotFound, match="没有 D099 号"):
        q.call_specific(hall, c3, "D099", 3)


def test_per_id_limit_and_bad_id(hall, staff):
    g = staff["guide"]
    policy = QueuePolicy(max_active_per_id=2)
    issue(hall, g, queue="A", id_number=ID1, policy=policy)
    issue(hall, g, queue="D", id_number=ID1.lower(), policy=policy)
    with pytest.raises(ServiceError, match="上限2张"):
        issue(hall, g, queue="A", id_number=ID1, policy=policy)
    with pytest.raises(ServiceError, match="校验位"):
        issue(hall, g, queue="A", id_number="110105194912310021")
    assert len(q.list_tickets(hall, staff["sup"])) == 2
    assert q.list_tickets(hall, staff["sup"])[0].id_number_masked == "110105********002X"


def test_every_action_is_an_event(hall, staff):
    g, c3 = staff["guide"], staff["c3"]
    issue(hall, g, queue="D")
    q.open_window(hall, c3, 3)
    q.call_next(hall, c3, 3)
    q.recall(hall, c3, "D001", 3)
    q.start_service(hall, c3, "D001", 3)
    q.finish_service(hall, c3, "D001", 3)
    q.pause_window(hall, c3, 3, "会议")
    with read_session(hall) as s:
        kinds = [(e.kind, e.staff_id is not None) for e in s.exec(select(Event).order_by(Event.id))]
    for kind in (
        "ticket.issued",
        "window.opened",
        "ticket.called",
        "ticket.recalled",
        "ticket.started",
        "ticket.finished",
        "window.paused",
    ):
        assert (kind, True) in kinds


@pytest.mark.parametrize(
    "at, priority, words",
    [
        ("2026-11-26T09:50:00", "appointment", "预约签到成功"),
        ("2026-11-26T10:00:00", "appointment", "预约签到成功"),
        ("2026-11-26T10:40:00", "appointment", "预约签到成功"),
        ("2026-11-26T10:46:00", "none", "已超过预约时段"),
    ],
)
def test_appointment_check_in(hall, staff, now, at, priority, words):
    add_appointment(
        hall,
        staff["guide"],
        id_number=ID2,
        item_code="000112001000",
        day="2026-11-26",
        start="10:00",
        end="10:30",
        name="张三",
    )
    now(at)
    result = check_in(hall, staff["guide"], ID2)
    assert result.ticket.priority == priority and words in result.message and result.ticket.queue == "D"
    assert list_appointments(hall, staff["sup"])[0].status == "checked_in"
    with pytest.raises(NotFound):
        check_in(hall, staff["guide"], ID2)


def test_a_desk_booking_checks_the_phone(hall, staff):
    with pytest.raises(ServiceError, match="7–12 位数字"):
        add_appointment(
            hall,
            staff["guide"],
            id_number=ID2,
            item_code="000112001000",
            day="2026-11-26",
            start="10:00",
            end="10:30",
            phone="123",
        )
    assert list_appointments(hall, staff["sup"]) == []


def test_appointment_too_early_is_refused(hall, staff, now):
    add_appointment(
        hall, staff["guide"], id_number=ID2, item_code="000112001000", day="2026-11-26", start="10:00", end="10:30"
    )
    now("2026-11-26T09:30:00")
    with pytest.raises(ServiceError, match="请于09:45后再签到"):
        check_in(hall, staff["guide"], ID2)
    assert q.list_tickets(hall, staff["sup"]) == []


def test_appointment_import_is_all_or_nothing(hall, staff, tmp_path):
    good = tmp_path / "ok.csv"
    good.write_text(
        "id_number,name,phone,item,date,start,end,ref\n"
        f"{ID1},张三,13800000000,000105002000,2026-11-26,10:00,10:30,W1\n"
        f"{ID2},李四,13900000000,000112001000,2026-11-26,11:00,11:30,W2\n",
        encoding="utf-8",
    )
    assert import_appointments(hall, staff["guide"], good) == 2
    import_appointments(hall, staff["guide"], good)  # the same export again: nothing doubled
    assert len(list_appointments(hall, staff["sup"])) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id_number,name,phone,item,date,start,end,ref\n"
        f"{ID1},王五,,000105002000,2026-11-27,10:00,10:30,W3\n"
        "110105194912310021,赵六,,000105002000,2026-11-27,10:00,10:30,W4\n",
        encoding="utf-8",
    )
    with pytest.raises(ServiceError, match="bad.csv:3"):
        import_appointments(hall, staff["guide"], bad)
    assert list_appointments(hall, staff["sup"], dt.date(2026, 11, 27)) == []


def test_appointment_export_from_excel_in_gbk_and_hostile_rows(hall, staff, tmp_path):
    export = tmp_path / "excel.csv"
    body = (
        f"id_number,name,phone,item,date,start,end,ref\n{ID1},张三,13800000000,000105002000,2026-11-26,10:00,10:30,W1\n"
    )
    export.write_bytes(body.encode("gbk"))
    with pytest.raises(ServiceError, match="GB18030.*--encoding gb18030"):
        import_appointments(hall, staff["guide"], export)
    assert import_appointments(hall, staff["guide"], export, encoding="gb18030") == 1
    assert list_appointments(hall, staff["sup"])[0].name == "张三"
    hostile = tmp_path / "hostile.csv"
    hostile.write_text(body.replace("张三", "张\x1b[2J三").replace("W1", "W9"), encoding="utf-8")
    with pytest.raises(ServiceError, match="U\\+001B"):
        import_appointments(hall, staff["guide"], hostile)
    assert len(list_appointments(hall, staff["sup"])) == 1


def test_call_specific_stays_within_the_windows_queues_and_pads_numbers(hall, staff):
    g, c3 = staff["guide"], staff["c3"]
    issue(hall, g, queue="B")
    issue(hall, g, queue="D")
    q.open_window(hall, c3, 3)  # serves D and A, not B
    with pytest.raises(ServiceError, match="本窗口不办理该队列"):
        q.call_specific(hall, c3, "B001", 3)
    assert q.call_specific(hall, c3, "d1", 3).ticket.number == "D001"  # typed without zeros


def test_no_pause_with_a_ticket_in_hand(hall, staff):
    g, c3 = staff["guide"], staff["c3"]
    issue(hall, g, queue="D")
    q.open_window(hall, c3, 3)
    q.call_next(hall, c3, 3)
    with pytest.raises(ServiceError, match="先办结"):
        q.pause_window(hall, c3, 3, "午休")
    q.finish_service(hall, c3, "D001", 3)
    q.pause_window(hall, c3, 3, "午休")


def test_board_shows_a_recalled_ticket_once_and_window_states(hall, staff):
    g, c3 = staff["guide"], staff["c3"]
    issue(hall, g, queue="D")
    q.open_window(hall, c3, 3)
    q.call_next(hall, c3, 3)
    q.recall(hall, c3, "D001", 3)
    q.recall(hall, c3, "D001", 3)
    board = q.hall_board(hall)
    assert [(c.number, c.window, c.recall) for c in board.calls] == [("D001", 3, True)]
    states = {w.number: w for w in q.window_states(hall, staff["sup"])}
    assert states[3].status == "open" and states[3].clerk.startswith("王敏") and states[1].status == "closed"


def test_longest_wait_counts_from_the_original_ticket_time(hall, staff, now):
    g, c1, c3 = staff["guide"], staff["c1"], staff["c3"]
    issue(hall, g, queue="A")  # 09:00
    q.open_window(hall, c1, 1)
    q.open_window(hall, c3, 3)
    q.call_next(hall, c1, 1)
    now("2026-11-26T09:40:00")
    q.transfer(hall, c1, "A001", to_window=3, reason="市场监管")
    now("2026-11-26T09:45:00")
    panel = q.window_panel(hall, 3)
    assert panel.sent_here == 1 and panel.sent_here_wait_minutes == 45 and panel.longest_wait_minutes == 45


def test_transfer_to_the_back_of_the_line_when_the_hall_says_so(hall, staff, now):
    g, c1, c3 = staff["guide"], staff["c1"], staff["c3"]
    back = QueuePolicy(transferred_front=False)
    issue(hall, g, queue="D")  # D001 09:00
    now("2026-11-26T09:10:00")
    issue(hall, g, queue="A")  # A001 09:10
    q.open_window(hall, c3, 3)
    q.open_window(hall, c1, 1)
    q.call_next(hall, c3, 3, back)
    now("2026-11-26T09:30:00")
    q.transfer(hall, c3, "D001", to_queue="A", reason="综合窗口办理", policy=back)
    assert q.call_next(hall, c1, 1, back).ticket.number == "A001"  # D001 queues from 09:30 now


def test_finish_and_call_next_in_one_step(hall, staff):
    g, c3 = staff["guide"], staff["c3"]
    for _ in range(3):
        issue(hall, g, queue="D")
    q.open_window(hall, c3, 3)
    first = q.finish_and_call_next(hall, c3, 3)
    assert first.finished is None and first.call.ticket.number == "D001"
    q.start_service(hall, c3, "D001", 3)
    second = q.finish_and_call_next(hall, c3, 3)
    assert second.finished.number == "D001" and second.finished.status == "done"
    assert second.call.ticket.number == "D002"
    assert q.get_ticket(hall, "D001").status == "done"
    q.finish_and_call_next(hall, c3, 3)
    last = q.finish_and_call_next(hall, c3, 3)
    assert last.finished.number == "D003" and last.call.ticket is None
    assert q.window_panel(hall, 3).served_today == 3
