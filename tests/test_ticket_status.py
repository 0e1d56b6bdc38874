"""A ticket's status on a phone (issue 16, point 6): the link's token (this ticket, today, genuine
— or refused), what the page's data says across a ticket's life on SQLite and PostgreSQL, the
web endpoints (403, 410, no personal data), the QR code on the printed ticket, and the status
link of ``ticket issue --format json``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from clerk_tui.domain.status_token import BadToken, make_token, parse_token, status_key
from clerk_tui.services import ticket_status as ts
from clerk_tui.services.errors import AuthError
from tests.conftest import ADMIN_PIN, copy_mini_hall, run_cli

pytestmark = pytest.mark.pg


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["t"][0]


# ---------------------------------------------------------------- the token


def test_the_derived_key_is_not_the_secret_and_a_token_names_one_ticket():
    secret = bytes(range(32))
    key = status_key(secret)
    assert key != secret and len(key) == 32
    at = dt.datetime(2026, 11, 26, 9, 0, 5)
    token = make_token(key, 17, dt.date(2026, 11, 26), at)
    assert parse_token(token)[:2] == (17, dt.date(2026, 11, 26))
    assert token != make_token(key, 18, dt.date(2026, 11, 26), at)
    assert token != make_token(status_key(bytes(32)), 17, dt.date(2026, 11, 26), at)
    for bad in ("", "17-20261126", "17-20261399-" + "A" * 22, "0-20261126-" + "A" * 22, token + "x", None):
        with pytest.raises(BadToken):
            parse_token(bad)


def test_a_link_works_for_its_ticket_on_its_day_only(web_hall, now):
    first, second = web_hall.issue("A"), web_hall.issue("A")
    url = ts.status_url(first, "http://hall.example:8765/")
    assert url.startswith("http://hall.example:8765/status?t=")
    token = token_of(url)
    assert ts.verify(web_hall.engine, token) == first.id
    other = token_of(ts.status_url(second))
    assert ts.verify(web_hall.engine, other) == second.id
    ticket_id, day, mac = parse_token(token)
    forged = [
        f"{second.id}-{day:%Y%m%d}-{mac}",  # another ticket's id with this one's MAC
        f"{ticket_id}-{day:%Y%m%d}-{mac[:5]}{'B' if mac[5] != 'B' else 'C'}{mac[6:]}",  # one character changed
        f"{ticket_id}-{day:%Y%m%d}-{'A' * 22}",  # made up
        f"{ticket_id + 100}-{day:%Y%m%d}-{mac}",  # no such ticket
        "not-a-token",
        None,
    ]
    for bad in forged:
        with pytest.raises(AuthError, match="链接无效"):
            ts.verify(web_hall.engine, bad)
    now("2026-11-27T08:00:00")  # the next day: expired, said plainly
    with pytest.raises(ts.LinkExpired, match="11月26日.*已过期"):
        ts.verify(web_hall.engine, token)


# ---------------------------------------------------------------- the ticket's life


def status(web_hall, ticket):
    return ts.status_by_token(web_hall.engine, token_of(ts.status_url(ticket)))


def test_the_status_follows_a_ticket_from_waiting_to_done(web_hall):
    from clerk_tui.services.queue import finish_service, start_service

    tickets = [web_hall.issue("D") for _ in range(3)]
    third = status(web_hall, tickets[2])
    assert (third.number, third.queue, third.status, third.ahead, third.window) == ("D003", "D", "waiting", 2, None)
    assert third.headline == "排队中：前面还有 2 人" and third.hall
    web_hall.call(3)  # D001
    assert status(web_hall, tickets[2]).ahead == 1
    first = status(web_hall, tickets[0])
    assert (first.status, first.window, first.headline) == ("called", 3, "请到 3 号窗口办理")
    start_service(web_hall.engine, web_hall.clerk, "D001", 3)
    assert status(web_hall, tickets[0]).headline == "正在 3 号窗口办理"
    finish_service(web_hall.engine, web_hall.clerk, "D001", 3)
    done = status(web_hall, tickets[0])
    assert (done.status, done.window, done.headline) == ("done", 3, "已办结") and "3 号窗口办结" in done.detail
    web_hall.call(3)  # D002
    nxt = status(web_hall, tickets[2])
    assert nxt.ahead == 0 and nxt.headline == "排队中：下一位就是您"


def test_a_transferred_and_a_skipped_ticket_are_said_plainly(web_hall):
    from clerk_tui.services.queue import mark_no_show, recall, transfer

    d1, d2 = web_hall.issue("D"), web_hall.issue("D")
    web_hall.call(3)
    transfer(web_hall.engine, web_hall.clerk, "D001", reason="材料在综合窗口", to_queue="A", from_window=3)
    moved = status(web_hall, d1)
    assert moved.status == "waiting" and moved.transferred and moved.queue == "A"
    assert moved.headline == "已转到A 综合受理：下一位就是您"  # keeps its place: nobody waits in A
    web_hall.call(3)  # window 3 serves D first: D002
    for _ in range(2):
        recall(web_hall.engine, web_hall.clerk, "D002", 3)
    mark_no_show(web_hall.engine, web_hall.clerk, "D002", 3)
    skipped = status(web_hall, d2)
    assert (skipped.status, skipped.headline) == ("no_show", "已过号") and "导办台" in skipped.detail


# ---------------------------------------------------------------- the web endpoints


def test_the_status_endpoints_answer_only_a_genuine_link_of_today(web_hall, web_client, now):
    ticket = web_hall.issue("A", id_number="11010519491231002X")
    token = token_of(ts.status_url(ticket))
    page = web_client.get(f"/status?t={token}", headers={"accept": "text/html"})
    assert page.status_code == 200 and "排队进度" in page.text
    data = web_client.get(f"/status/data?t={token}").json()
    assert data["number"] == "A001" and data["status"] == "waiting" and data["ahead"] == 0
    shown = json.dumps(data, ensure_ascii=False)
    assert "1101" not in shown and "002X" not in shown and "导办员" not in shown  # nobody's data
    assert web_client.get("/status/data").status_code == 403
    changed = token[:-5] + ("B" if token[-5] != "B" else "C") + token[-4:]
    assert web_client.get(f"/status/data?t={changed}").status_code == 403
    refused = web_client.get(f"/status?t={changed}", headers={"accept": "text/html"})
    assert refused.status_code == 403 and "A001" not in refused.text and "窗口" not in refused.text
    svg = web_client.get(f"/status/qr.svg?t={token}")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    now("2026-11-27T08:00:00")
    gone = web_client.get(f"/status/data?t={token}")
    assert gone.status_code == 410 and "已过期" in gone.json()["error"]


def test_the_event_stream_sends_the_status(web_hall, web_client):
    ticket = web_hall.issue("A")
    token = token_of(ts.status_url(ticket))
    with web_client.stream("GET", f"/status/events?t={token}") as response:
        assert response.status_code == 200
        seen = ""
        for chunk in response.iter_text():
            seen += chunk
            if "event: status" in seen and "\n\n" in seen.split("event: status", 1)[1]:
                break
    data = json.loads(seen.split("event: status", 1)[1].split("data: ", 1)[1].split("\n", 1)[0])
    assert data["number"] == "A001" and data["headline"] == "排队中：下一位就是您"


# ---------------------------------------------------------------- the printed ticket, the CLI


def test_the_printed_ticket_carries_the_status_link_as_its_qr_code(web_hall, tmp_path):
    from clerk_tui.printing.escpos import decode, encode, parse
    from clerk_tui.printing.layout import PAPER_COLUMNS, QR, lay_out
    from clerk_tui.services.printing import build

    ticket = web_hall.issue("A")
    ts.configure(web_hall.settings)
    doc = build(web_hall.engine, "ticket", ticket.number)
    codes = [block.data for block in doc.blocks if isinstance(block, QR)]
    assert codes == [ts.status_url(ticket)]
    assert ts.verify(web_hall.engine, token_of(codes[0])) == ticket.id
    paper = encode(lay_out(doc, PAPER_COLUMNS[80]), PAPER_COLUMNS[80]).data  # as the thermal printer gets it
    assert [value for op, value in parse(paper) if op == "qr"] == codes  # the QR payload the printer draws
    assert "扫码查看排队进度" in decode(paper)


def test_ticket_issue_json_has_the_status_url(tmp_path, monkeypatch, capsys, mini_hall_file):
    path = tmp_path / "cli.db"
    copy_mini_hall(mini_hall_file, Path(path))
    config = tmp_path / "settings.toml"
    config.write_text('[serve]\npublic_url = "https://hall.example.cn/q/"\n', encoding="utf-8")
    from clerk_tui.services.staff import add_staff, login
    from clerk_tui.store.engine import make_engine

    engine = make_engine(str(path))
    try:
        add_staff(engine, login(engine, "admin", ADMIN_PIN), "8001", "导办员", "guide", "1111")
        env = {"CLERK_TUI_DB": str(path), "CLERK_TUI_CONFIG": str(config), "CLERK_TUI_STAFF": "8001"}
        args = ["ticket", "issue", "--queue", "A", "--format", "json"]
        code, out, err = run_cli(monkeypatch, capsys, args, env | {"CLERK_TUI_PIN": "1111"})
        assert code == 0, err
        body = json.loads(out)
        assert body["status_url"].startswith("https://hall.example.cn/q/status?t=")
        assert ts.status_by_token(engine, token_of(body["status_url"])).number == body["number"] == "A001"
        code, out, err = run_cli(monkeypatch, capsys, args[:4], env | {"CLERK_TUI_PIN": "1111"})
        assert code == 0 and "A002" in out and "排队进度（扫码或打开）：https://hall.example.cn/q/status?t=" in out
    finally:
        engine.dispose()
