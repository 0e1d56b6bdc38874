"""The rating pad (1280x800) and the kiosk (1080x1920) in a real browser (the system's Chromium
under Playwright): the pad asks after a finish made through the service and takes a rating, a
low one with its reason opening the follow-up; the kiosk issues a ticket and shows it, says so
when its printer fails; pages refuse a missing or another kind's token. Skipped with a reason
where no browser is installed (failing in CI instead)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from clerk_tui.store.engine import read_session
from clerk_tui.store.models import FollowUp, Rating
from tests.test_web_pad_kiosk import COMPANY, dead_printer, file_printer, served_at_3

pytestmark = pytest.mark.pg


@pytest.fixture
def device_page(chromium):
    """``device_page(width, height)``: a fresh page (its own cookies) at a device's size."""
    contexts = []

    def open_page(width: int, height: int):
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="zh-CN", has_touch=True)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def open_pad(device_page, live_server, token):
    page = device_page(1280, 800)
    page.goto(f"{live_server.url}/pad?t={token}")
    page.wait_for_function("() => window.clerkPad && window.clerkPad.states > 0")
    return page


def ratings_of(engine):
    with read_session(engine) as session:
        return [(r.level, r.reasons) for r in session.exec(select(Rating))], session.exec(select(FollowUp)).all()


def test_the_pad_takes_a_rating_after_a_finish(web_hall, live_server, device_page, now):
    page = open_pad(device_page, live_server, web_hall.device("pad", "3号评价器", window=3))
    assert page.is_visible("#idle") and page.text_content("#clerk-name") == "—"
    web_hall.issue("D")
    called = web_hall.call(3).ticket.number
    page.wait_for_function("() => document.getElementById('serving').textContent === 'D001'")
    assert page.text_content("#clerk-name") == "王敏" and page.text_content("#clerk-number") == "1003"
    from clerk_tui.services.queue import finish_service, start_service

    start_service(web_hall.engine, web_hall.clerk, called, 3)
    finish_service(web_hall.engine, web_hall.clerk, called, 3)  # F9 at the terminal
    page.wait_for_selector("#ask", state="visible", timeout=3000)
    assert page.text_content("#visit-ticket") == "D001"
    page.tap("#level-5")
    page.wait_for_selector("#thanks", state="visible")
    assert page.text_content("#thanks-text") == "感谢您的评价！"
    assert ratings_of(web_hall.engine) == ([(5, "")], [])
    page.wait_for_selector("#idle", state="visible", timeout=10000)  # back to idle after the thanks


def test_a_low_rating_with_a_reason_opens_the_follow_up(web_hall, live_server, device_page, now):
    page = open_pad(device_page, live_server, web_hall.device("pad", "3号评价器", window=3))
    served_at_3(web_hall)
    page.wait_for_selector("#ask", state="visible", timeout=3000)
    page.tap("#level-1")
    page.wait_for_selector("#reasons-box", state="visible")
    page.tap("#submit")  # nothing chosen yet: the pad asks for a reason
    assert "请点选不满意的原因" in page.text_content("#pad-status")
    page.tap("button[data-reason='服务态度差']")
    page.fill("#note", "窗口无人 十分钟")
    page.tap("#submit")
    page.wait_for_selector("#thanks", state="visible")
    assert "带班领导跟进" in page.text_content("#thanks-text")
    levels, followups = ratings_of(web_hall.engine)
    assert levels == [(1, "服务态度差")] and len(followups) == 1 and followups[0].status == "open"


def open_kiosk(device_page, live_server, token):
    page = device_page(1080, 1920)
    page.goto(f"{live_server.url}/kiosk?t={token}")
    page.wait_for_function("() => window.clerkKiosk && window.clerkKiosk.menus > 0")
    return page


def test_the_kiosk_issues_a_ticket_and_shows_it(web_hall, live_server, device_page, now, tmp_path):
    web_hall.settings.printing = file_printer(tmp_path)
    page = open_kiosk(device_page, live_server, web_hall.device("kiosk", "自助机"))
    assert page.text_content("#hall-name") == "测试县政务服务中心"
    page.tap("#departments button:has-text('县市场监督管理局')")
    page.tap(f"#department-items button[data-code='{COMPANY}']")
    page.wait_for_selector("#item", state="visible")
    assert "公司章程" in page.text_content("#item-materials")
    page.tap("#take")
    page.wait_for_selector("#ticket", state="visible")
    assert page.text_content("#ticket-number") == "D001"
    assert page.text_content("#ticket-print") == "号票已打印，请从出票口取走"
    assert (tmp_path / "papers" / "kiosk.bin").exists()
    # its status link as a QR code on the screen, drawn (a loaded image), as on the paper
    page.wait_for_function("() => document.getElementById('ticket-qr-image').naturalWidth > 0")
    assert page.is_visible("#ticket-qr")
    page.tap("#done")
    page.wait_for_selector("#home", state="visible")
    # the rest by pinyin initials, with an ID number typed on the keypad
    page.tap("#open-search")
    for letter in "SYBX":
        page.tap(f"#letters button[data-key='{letter}']")
    page.wait_for_selector("#search-results button[data-code='000118001000']")
    page.tap("#search-results button[data-code='000118001000']")
    page.wait_for_selector("#item", state="visible")
    page.tap("#take-with-id")
    for key in "110105194912310":
        page.tap(f"#id-keys button[data-key='{key}']")
    page.tap("#id-ok")
    assert "18位" in page.text_content("#k-error")
    for key in "021":  # a wrong check digit: the service's words
        page.tap(f"#id-keys button[data-key='{key}']")
    page.tap("#id-ok")
    page.wait_for_function("() => document.getElementById('k-error').textContent.indexOf('身份证') >= 0")
    assert page.is_visible("#id-entry")


def test_a_failed_printer_shows_the_number_and_says_so(web_hall, live_server, device_page, now, tmp_path):
    web_hall.settings.printing = dead_printer(tmp_path)
    page = open_kiosk(device_page, live_server, web_hall.device("kiosk", "自助机"))
    page.tap(f"#common button[data-code='{COMPANY}']")
    page.wait_for_selector("#item", state="visible")
    page.tap("#take")
    page.wait_for_selector("#ticket", state="visible", timeout=10000)
    assert page.text_content("#ticket-number") == "D001"
    said = page.text_content("#ticket-print")
    assert "未能打印" in said and "请记下您的号码 D001" in said
    assert "failed" in page.get_attribute("#ticket-print", "class")


def test_an_appointment_checks_in_on_the_keypad(web_hall, live_server, device_page, now, tmp_path):
    from clerk_tui.services.appointments import add_appointment
    from tests.test_web_pad_kiosk import resident_id

    number = resident_id()
    add_appointment(
        web_hall.engine,
        web_hall.guide,
        id_number=number,
        item_code=COMPANY,
        day="2026-11-26",
        start="09:00",
        end="09:30",
    )
    web_hall.settings.printing = file_printer(tmp_path)
    page = open_kiosk(device_page, live_server, web_hall.device("kiosk", "自助机"))
    page.tap("#open-checkin")
    page.wait_for_selector("#id-entry", state="visible")
    for key in number:
        page.tap(f"#id-keys button[data-key='{key}']")
    page.tap("#id-ok")
    page.wait_for_selector("#ticket", state="visible")
    assert page.text_content("#ticket-number") == "D001"
    assert "预约签到成功" in page.text_content("#ticket-message")


def test_priority_goes_to_the_guide_desk(web_hall, live_server, device_page, now):
    page = open_kiosk(device_page, live_server, web_hall.device("kiosk", "自助机"))
    page.tap("#open-priority")
    page.wait_for_selector("#priority", state="visible")
    assert "导办台" in page.text_content("#priority")


def test_the_pages_refuse_a_missing_or_another_kinds_token(web_hall, live_server, device_page):
    page = device_page(1280, 800)
    assert page.goto(f"{live_server.url}/pad").status == 401
    assert page.goto(f"{live_server.url}/kiosk").status == 401
    kiosk_token = web_hall.device("kiosk", "自助机")
    response = page.goto(f"{live_server.url}/pad?t={kiosk_token}")
    assert response.status == 403 and "自助取号机" in page.text_content("body")
    assert "王敏" not in page.text_content("body")
    pad_token = web_hall.device("pad", "3号评价器", window=3)
    assert page.goto(f"{live_server.url}/kiosk?t={pad_token}").status == 403
