"""The hall display in a real browser (the system's Chromium under Playwright, 1920x1080): a call
made through the service shows within 1 s and is played, a transfer updates the list, a recall
flashes again, a page without a token is refused, and a server that went away is said so and
reconnected to. Skipped with a reason where no browser is installed (failing in CI instead)."""

from __future__ import annotations

import shutil

import pytest

pytestmark = pytest.mark.pg

SHOWN_WITHIN_MS = 1000  # the issue's promise: a call made at any terminal is on the display within 1 s


def open_display(page, live_server, token):
    page.goto(f"{live_server.url}/display?t={token}")
    page.wait_for_function("() => window.clerkDisplay && window.clerkDisplay.boards > 0")


def test_a_call_shows_within_a_second_and_is_played(web_hall, live_server, browser_page):
    page = browser_page
    token = web_hall.device("display", "大厅屏")
    web_hall.issue("D")
    web_hall.issue("D")
    open_display(page, live_server, token)
    assert page.text_content("#hall-name") and page.text_content("#now-number") == "—"
    web_hall.call(3)
    page.wait_for_function(
        "() => document.getElementById('now-number').textContent === 'D001'", timeout=SHOWN_WITHIN_MS
    )
    assert page.text_content("#now-window") == "3"
    assert page.text_content("#now-phrase") == "请D001号到3号窗口办理"
    if shutil.which("espeak-ng"):  # the audio element got the call's sound and played it
        page.wait_for_function("() => window.clerkDisplay.played.length > 0", timeout=10000)
        played = page.evaluate("window.clerkDisplay.played[0]")
        assert "/display/voice.wav?n=D001&w=3" in played
        assert page.evaluate("document.getElementById('voice').src").endswith("n=D001&w=3")
    assert page.evaluate("window.clerkDisplay.announced") == ["D001"]


def test_a_transfer_updates_the_list_and_a_recall_flashes_again(web_hall, live_server, browser_page):
    from clerk_tui.services.queue import finish_service, recall, start_service, transfer

    page = browser_page
    token = web_hall.device("display", "大厅屏")
    for _ in range(2):
        web_hall.issue("D")
    web_hall.call(3)  # D001 at window 3
    start_service(web_hall.engine, web_hall.clerk, "D001", 3)
    finish_service(web_hall.engine, web_hall.clerk, "D001", 3)
    open_display(page, live_server, token)
    web_hall.call(3)  # D002 at window 3; D001 goes down to the list
    page.wait_for_function("() => document.getElementById('now-number').textContent === 'D002'")
    assert "D001" in page.text_content("#recent")
    transfer(web_hall.engine, web_hall.clerk, "D002", reason="材料在综合窗口", to_queue="A", from_window=3)
    page.wait_for_function("() => document.getElementById('now-number').textContent === 'D001'")
    assert "D002" not in page.text_content("#recent")  # no longer awaited at window 3
    assert web_hall.call(3).ticket.number == "D002"  # transferred to the front of A, which window 3 serves too
    page.wait_for_function("() => document.getElementById('now-number').textContent === 'D002'")
    page.evaluate("document.getElementById('now').className = 'now'")
    recall(web_hall.engine, web_hall.clerk, "D002", 3)
    page.wait_for_function("() => document.getElementById('now').className.indexOf('flash') >= 0")
    assert "重呼" in page.text_content("#now-phrase")
    assert page.evaluate("window.clerkDisplay.announced") == ["D002", "D002", "D002"]  # called, again, recalled


def test_a_page_without_a_valid_token_is_refused(web_hall, live_server, browser_page):
    page = browser_page
    response = page.goto(f"{live_server.url}/display")
    assert response.status == 401 and "登记过的设备" in page.text_content("body")
    response = page.goto(f"{live_server.url}/display?t={'x' * 43}")
    assert response.status == 403
    body = page.text_content("body")
    assert "无法打开此页面" in body and "窗口" not in body.replace("网址", "")


def test_the_display_says_the_server_is_gone_and_comes_back_by_itself(web_hall, live_server, browser_page):
    page = browser_page
    token = web_hall.device("display", "大厅屏")
    open_display(page, live_server, token)
    assert page.is_hidden("#offline")
    live_server.stop()
    page.wait_for_selector("#offline", state="visible", timeout=10000)
    live_server.start()
    page.wait_for_selector("#offline", state="hidden", timeout=15000)
    web_hall.issue("D")
    web_hall.call(3)
    page.wait_for_function("() => document.getElementById('now-number').textContent === 'D001'", timeout=5000)


def test_a_browser_without_eventsource_polls_and_still_shows_the_call(web_hall, live_server, browser_page):
    page = browser_page
    page.add_init_script("delete window.EventSource;")  # an old TV browser
    token = web_hall.device("display", "大厅屏")
    web_hall.issue("D")
    open_display(page, live_server, token)
    assert page.evaluate("typeof window.EventSource") == "undefined"
    web_hall.call(3)
    page.wait_for_function("() => document.getElementById('now-number').textContent === 'D001'", timeout=5000)
    assert page.is_hidden("#offline")
