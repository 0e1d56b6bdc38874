"""The ticket status page in a real browser at a phone's size (390x844): it follows a ticket from
the queue to its window as the clerk calls it through the service, says a transfer and an
expired link plainly. Skipped with a reason where no browser is installed (failing in CI)."""

from __future__ import annotations

import pytest

from clerk_tui.services import ticket_status as ts

pytestmark = pytest.mark.pg

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def open_status(page, live_server, ticket):
    url = ts.status_url(ticket, live_server.url)
    page.goto(url)
    page.wait_for_function("() => window.clerkStatus && window.clerkStatus.updates > 0")


def test_the_status_page_follows_a_ticket_to_its_window(web_hall, live_server, phone):
    from clerk_tui.services.queue import finish_service, start_service

    web_hall.issue("D")
    mine = web_hall.issue("D")
    open_status(phone, live_server, mine)
    assert phone.text_content("#number") == "D002"
    assert phone.text_content("#headline") == "排队中：前面还有 1 人" and phone.text_content("#ahead") == "1 人"
    web_hall.call(3)  # D001: one fewer ahead, pushed to the page
    phone.wait_for_function("() => document.getElementById('headline').textContent === '排队中：下一位就是您'")
    start_service(web_hall.engine, web_hall.clerk, "D001", 3)
    finish_service(web_hall.engine, web_hall.clerk, "D001", 3)
    web_hall.call(3)  # D002, mine
    phone.wait_for_function(
        "() => document.getElementById('headline').textContent === '请到 3 号窗口办理'", timeout=1000
    )
    assert phone.text_content("#window") == "3 号" and "called" in phone.get_attribute("#state", "class")
    body = phone.text_content("body")
    assert "导办员" not in body and "王敏" not in body  # no person on the page


def test_a_transfer_is_said_a_wrong_link_shows_nothing_and_yesterdays_expired(web_hall, live_server, phone, now):
    from clerk_tui.services.queue import transfer

    mine = web_hall.issue("D")
    open_status(phone, live_server, mine)
    web_hall.call(3)
    phone.wait_for_function("() => window.clerkStatus.status === 'called'")
    transfer(web_hall.engine, web_hall.clerk, "D001", reason="材料在综合窗口", to_queue="A", from_window=3)
    phone.wait_for_function("() => document.getElementById('headline').textContent.indexOf('已转到A') === 0")
    assert "（已转办）" in phone.text_content("#queue")
    url = ts.status_url(mine, live_server.url)
    response = phone.goto(url[:-6] + ("B" if url[-6] != "B" else "C") + url[-5:])
    assert response.status == 403 and "D001" not in phone.text_content("body")
    now("2026-11-27T08:30:00")  # the next morning
    response = phone.goto(url)
    assert (
        response.status == 410 and "已过期" in phone.text_content("body") and "D001" not in phone.text_content("body")
    )
