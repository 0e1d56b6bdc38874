"""The rating pad and the self-service kiosk as web devices: what their device actors may do in
the services (SQLite and PostgreSQL), and the door's pages and JSON (Starlette's TestClient)."""

from __future__ import annotations

import time

import pytest
from sqlmodel import select

from clerk_tui.domain.ids import id_check_char
from clerk_tui.services import devices, kiosk, ratings
from clerk_tui.services.errors import PermissionDenied, ServiceError
from clerk_tui.services.queue import finish_service, get_ticket, issue_ticket, list_tickets, start_service
from clerk_tui.settings import PrintSettings
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Device, Event, FollowUp, PrintJob, Rating, Ticket

pytestmark = pytest.mark.pg

COMPANY = "000112001000"  # 有限责任公司设立登记, queue D (window 3 serves D then A)


def resident_id(body17: str = "11010519491231002") -> str:
    return body17 + id_check_char(body17)


def served_at_3(web_hall, queue: str = "D") -> str:
    """A ticket called, served and finished at window 3 (F9) through the services; its number."""
    web_hall.issue(queue)
    number = web_hall.call(3).ticket.number
    start_service(web_hall.engine, web_hall.clerk, number, 3)
    finish_service(web_hall.engine, web_hall.clerk, number, 3)
    return number


def wait_for(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def pad_actor(web_hall, window: int = 3):
    return devices.authenticate(web_hall.engine, web_hall.device("pad", f"{window}号评价器", window=window), "pad")


def kiosk_actor(web_hall, printer: str = "", name: str = "自助机"):
    return devices.authenticate(web_hall.engine, web_hall.device("kiosk", name, printer=printer), "kiosk")


def file_printer(tmp_path) -> PrintSettings:
    papers = tmp_path / "papers"
    return PrintSettings(ticket=f"file://{papers}/kiosk.bin", papers=str(papers))


def dead_printer(tmp_path) -> PrintSettings:
    import socket

    with socket.socket() as s:  # a port nobody listens on: the printer is off
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return PrintSettings(ticket=f"tcp://127.0.0.1:{port}", status_timeout=0.5, papers=str(tmp_path / "papers"))


# ---------------------------------------------------------------- the pad (service)


def test_the_pad_shows_its_windows_clerk_and_the_ticket_served_then_the_visit(web_hall, now):
    pad = pad_actor(web_hall)
    idle = ratings.pad_state(web_hall.engine, pad)
    assert (idle.window, idle.clerk, idle.clerk_number, idle.serving, idle.visit) == (3, "", "", None, None)
    web_hall.issue("D")
    called = web_hall.call(3).ticket.number
    state = ratings.pad_state(web_hall.engine, pad)
    assert (state.clerk, state.clerk_number, state.serving, state.visit) == ("王敏", "1003", called, None)
    start_service(web_hall.engine, web_hall.clerk, called, 3)
    finish_service(web_hall.engine, web_hall.clerk, called, 3)
    state = ratings.pad_state(web_hall.engine, pad)
    assert state.serving is None and state.visit is not None and state.visit.ticket == called


def test_a_pad_rates_its_windows_visit_and_a_bad_rating_opens_the_follow_up(web_hall, now):
    pad = pad_actor(web_hall)
    good = served_at_3(web_hall)
    ratings.rate(web_hall.engine, pad, 3, good, 5)
    bad = served_at_3(web_hall)
    with pytest.raises(ServiceError, match="请选择不满意的原因"):
        ratings.rate(web_hall.engine, pad, 3, bad, 1)
    ratings.rate(web_hall.engine, pad, 3, bad, 1, reasons=["等候时间长"], text="  排了很久  ")
    with read_session(web_hall.engine) as session:
        rows = {r.level: r for r in session.exec(select(Rating))}
        follow = session.exec(select(FollowUp)).one()
        given = session.exec(select(Event).where(Event.kind == "rating.given")).all()
    assert set(rows) == {5, 1} and rows[1].text == "排了很久" and rows[1].reasons == "等候时间长"
    assert follow.rating_id == rows[1].id and follow.status == "open"
    assert len(given) == 2
    with pytest.raises(ServiceError, match="已经评价过"):
        ratings.rate(web_hall.engine, pad, 3, bad, 5)


def test_a_pad_rates_only_its_own_windows_just_finished_visit(web_hall, now):
    number = served_at_3(web_hall)
    other = pad_actor(web_hall, window=1)
    with pytest.raises(PermissionDenied, match="此评价器属于1号窗口"):
        ratings.rate(web_hall.engine, other, 3, number, 5)
    with pytest.raises(ServiceError, match="不是1号窗口刚办结的服务"):
        ratings.rate(web_hall.engine, other, 1, number, 5)
    pad = pad_actor(web_hall)
    with pytest.raises(PermissionDenied, match="工作人员不能代为评价"):
        ratings.rate(web_hall.engine, web_hall.clerk, 3, number, 5)
    kiosk_device = kiosk_actor(web_hall)
    with pytest.raises(PermissionDenied, match="无权"):
        ratings.rate(web_hall.engine, kiosk_device, 3, number, 5)
    with pytest.raises(PermissionDenied, match="无权"):
        ratings.pad_state(web_hall.engine, kiosk_device)
    now("2026-11-26T09:16:00")  # more than VISIT_MINUTES after it finished: no longer "just finished"
    with pytest.raises(ServiceError, match="不是3号窗口刚办结的服务"):
        ratings.rate(web_hall.engine, pad, 3, number, 5)
    assert ratings.pad_state(web_hall.engine, pad).visit is None


# ---------------------------------------------------------------- the kiosk (service)


def test_the_kiosk_issues_an_ordinary_ticket_and_prints_it_on_its_printer(web_hall, now, tmp_path):
    cfg = file_printer(tmp_path)
    device = kiosk_actor(web_hall)
    done = kiosk.take_ticket(web_hall.engine, device, COMPANY, cfg=cfg)
    assert done.printed and done.print_message == "" and done.ticket.number == "D001"
    assert done.ticket.priority == "none" and done.ticket.item_name == "有限责任公司设立登记"
    assert (tmp_path / "papers" / "kiosk.bin").stat().st_size > 0
    with read_session(web_hall.engine) as session:
        ticket = session.exec(select(Ticket)).one()
        job = session.exec(select(PrintJob)).one()
        issued = session.exec(select(Event).where(Event.kind == "ticket.issued")).one()
    assert ticket.issued_by is None and job.staff_id is None and job.status == "printed"
    assert issued.staff_id is None and f'"device_id": {device.device.device_id}' in issued.payload
    with pytest.raises(PermissionDenied, match="不补打"):  # a kiosk prints each ticket once
        from clerk_tui.services.printing import print_paper

        print_paper(web_hall.engine, device, "ticket", "D001", cfg=cfg)


def test_a_failed_print_keeps_the_ticket_and_says_why(web_hall, now, tmp_path):
    done = kiosk.take_ticket(web_hall.engine, kiosk_actor(web_hall), COMPANY, cfg=dead_printer(tmp_path))
    assert not done.printed and "没有响应" in done.print_message
    assert get_ticket(web_hall.engine, done.ticket.number).status == "waiting"
    unset = kiosk.take_ticket(web_hall.engine, kiosk_actor(web_hall, name="自助机2"), COMPANY, cfg=PrintSettings())
    assert not unset.printed and "没有指定打印机" in unset.print_message and unset.ticket.number == "D002"


def test_the_kiosks_printer_is_its_own_named_in_the_settings(web_hall, now, tmp_path):
    from clerk_tui.services.printing import device_printer
    from clerk_tui.settings import PrinterEntry

    papers = tmp_path / "papers"
    cfg = PrintSettings(
        ticket=f"file://{papers}/desk.bin",
        papers=str(papers),
        printers=(PrinterEntry(f"file://{papers}/hall.bin", "大厅取号机"),),
    )
    device = kiosk_actor(web_hall, printer="大厅取号机")
    assert device_printer(device, cfg) == f"file://{papers}/hall.bin"
    assert kiosk.take_ticket(web_hall.engine, device, COMPANY, cfg=cfg).printed
    assert (papers / "hall.bin").exists() and not (papers / "desk.bin").exists()
    stranger = kiosk_actor(web_hall, printer=f"file://{papers}/other.bin", name="自助机2")  # not in the settings
    refused = kiosk.take_ticket(web_hall.engine, stranger, COMPANY, cfg=cfg)
    assert not refused.printed and "不在设置中" in refused.print_message


def test_the_kiosk_issues_no_priority_ticket_and_keeps_the_per_id_limit(web_hall, now, tmp_path):
    device = kiosk_actor(web_hall)
    with pytest.raises(PermissionDenied, match="导办台"):
        issue_ticket(web_hall.engine, device, item_code=COMPANY, priority="elderly")
    with pytest.raises(ServiceError, match="校验码|身份证"):
        kiosk.take_ticket(web_hall.engine, device, COMPANY, id_number="110105194912310020")
    cfg = file_printer(tmp_path)
    for _ in range(3):
        kiosk.take_ticket(web_hall.engine, device, COMPANY, id_number=resident_id(), cfg=cfg)
    with pytest.raises(ServiceError, match="上限3张"):
        kiosk.take_ticket(web_hall.engine, device, COMPANY, id_number=resident_id(), cfg=cfg)
    assert len(list_tickets(web_hall.engine, web_hall.guide)) == 3


def test_a_kiosk_may_do_nothing_else(web_hall, now, tmp_path):
    from clerk_tui.services.printing import print_paper
    from clerk_tui.services.queue import call_next

    device = kiosk_actor(web_hall)
    web_hall.issue("D")
    with pytest.raises(PermissionDenied):
        call_next(web_hall.engine, device, 3)
    with pytest.raises(PermissionDenied, match="只能在本机的打印机上打印号票"):
        print_paper(web_hall.engine, device, "item-notice", COMPANY, cfg=file_printer(tmp_path))
    with pytest.raises(PermissionDenied, match="只能在本机的打印机上打印号票"):
        print_paper(web_hall.engine, device, "ticket", "D001", printer="dummy:", cfg=file_printer(tmp_path))
    with pytest.raises(PermissionDenied):
        devices.list_devices(web_hall.engine, device)
    pad = pad_actor(web_hall)
    for refused in (
        lambda: kiosk.take_ticket(web_hall.engine, pad, COMPANY),
        lambda: kiosk.menu(web_hall.engine, pad),
        lambda: issue_ticket(web_hall.engine, pad, item_code=COMPANY),
        lambda: print_paper(web_hall.engine, pad, "ticket", "D001", cfg=file_printer(tmp_path)),
    ):
        with pytest.raises(PermissionDenied):
            refused()


def test_the_kiosks_menu_and_pinyin_search(web_hall, now, tmp_path):
    device = kiosk_actor(web_hall)
    for _ in range(2):
        kiosk.take_ticket(web_hall.engine, device, "000118001000", cfg=file_printer(tmp_path))
    menu = kiosk.menu(web_hall.engine, device)
    assert menu.hall == "测试县政务服务中心"
    assert [d for d, _ in menu.departments] == sorted(d for d, _ in menu.departments) and len(menu.departments) == 3
    assert menu.common[0].code == "000118001000"  # the most taken first
    assert [g.code for g in kiosk.search(web_hall.engine, device, "JHDJ")][:1] == ["000105002000"]
    assert kiosk.search(web_hall.engine, device, "  ") == []
    guide = kiosk.item(web_hall.engine, device, COMPANY)
    assert "公司章程" in [m.name for m in guide.materials]


def test_an_appointment_checks_in_at_the_kiosk(web_hall, now, tmp_path):
    from clerk_tui.services.appointments import add_appointment

    add_appointment(
        web_hall.engine,
        web_hall.guide,
        id_number=resident_id(),
        item_code=COMPANY,
        day="2026-11-26",
        start="09:00",
        end="09:30",
        name="张三",
    )
    device = kiosk_actor(web_hall)
    with pytest.raises(ServiceError, match="没有待签到的预约"):
        kiosk.appointment_check_in(
            web_hall.engine, device, resident_id("11010519800101003"), cfg=file_printer(tmp_path)
        )
    done = kiosk.appointment_check_in(web_hall.engine, device, resident_id(), cfg=file_printer(tmp_path))
    assert done.printed and done.ticket.priority == "appointment" and "预约签到成功" in done.message


# ---------------------------------------------------------------- the door (TestClient)


def test_the_pads_page_and_its_rating_through_the_door(web_hall, web_client, now):
    token = web_hall.device("pad", "3号评价器", window=3)
    assert web_client.get("/pad").status_code == 401
    assert web_client.get(f"/pad?t={web_hall.device('kiosk', '机')}").status_code == 403
    page = web_client.get(f"/pad?t={token}")
    assert page.status_code == 200 and "非常不满意" in page.text and "等候时间长" in page.text
    number = served_at_3(web_hall)
    state = web_client.get("/pad/state").json()  # the cookie the page set
    assert state["clerk"] == "王敏" and state["clerk_number"] == "1003" and state["visit"]["ticket"] == number
    refused = web_client.post("/pad/rate", json={"ticket": number, "level": 2})
    assert refused.status_code == 400 and "不满意的原因" in refused.json()["error"]
    bad_body = web_client.post("/pad/rate", json={"ticket": number, "level": "5"})
    assert bad_body.status_code == 400
    done = web_client.post("/pad/rate", json={"ticket": number, "level": 2, "reasons": ["服务态度差"]})
    assert done.json() == {"ok": True, "bad": True}
    assert wait_for(lambda: web_client.get("/pad/state").json()["visit"] is None)  # after the feed's next poll
    with read_session(web_hall.engine) as session:
        assert session.exec(select(FollowUp)).one().status == "open"


def test_the_kiosks_pages_through_the_door(web_hall, web_client, now, tmp_path):
    web_hall.settings.printing = dead_printer(tmp_path)
    token = web_hall.device("kiosk", "自助机")
    assert web_client.get("/kiosk/menu").status_code == 401
    assert web_client.get(f"/kiosk/menu?t={web_hall.device('display', '屏')}").status_code == 403
    assert web_client.get(f"/kiosk?t={token}").status_code == 200
    assert web_client.get("/kiosk/alive").json() == {"ok": True}  # the heartbeat: its last contact written
    with read_session(web_hall.engine) as session:
        assert session.exec(select(Device).where(Device.name == "自助机")).one().last_seen_at is not None
    menu = web_client.get("/kiosk/menu").json()
    assert menu["hall"] == "测试县政务服务中心" and len(menu["departments"]) == 3
    assert web_client.get("/kiosk/search", params={"q": "YXZR"}).json()["items"][0]["code"] == COMPANY
    assert web_client.get("/kiosk/item", params={"code": "nope"}).status_code == 404
    ticket = web_client.post("/kiosk/ticket", json={"item": COMPANY, "id": ""}).json()
    assert ticket["number"] == "D001" and ticket["printed"] is False
    assert ticket["print_message"] == "出票口暂时无法打印，工作人员会尽快处理"  # not the printer's technical reason
    # the screen shows the ticket's status link as a QR code, as the paper does: an SVG of that link alone
    assert ticket["qr"].startswith("/status/qr.svg?t=")
    qr = web_client.get(ticket["qr"])
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml") and b"<svg" in qr.content
    wrong_id = web_client.post("/kiosk/ticket", json={"item": COMPANY, "id": "123"})
    assert wrong_id.status_code == 400 and "身份证" in wrong_id.json()["error"]
    assert web_client.post("/kiosk/checkin", json={"id": resident_id()}).status_code == 404
    assert (
        web_client.post("/kiosk/ticket", content=b"[1]", headers={"content-type": "application/json"}).status_code
        == 400
    )
    deep = b"[" * 5000 + b"]" * 5000  # small, but deep enough to make a recursive parser overflow
    refused = web_client.post("/kiosk/ticket", content=deep, headers={"content-type": "application/json"})
    assert refused.status_code == 400 and refused.json() == {"error": "请求内容不是有效的 JSON"}
    pad = web_hall.device("pad", "3号评价器", window=3)
    web_client.cookies.clear()  # the kiosk's cookie would come first
    other = web_client.post("/kiosk/ticket", json={"item": COMPANY}, headers={"authorization": f"Bearer {pad}"})
    assert other.status_code in (401, 403)
