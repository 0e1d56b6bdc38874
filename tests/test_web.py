"""The public devices' web server: the device registry (service, SQLite and PostgreSQL), the door
(401/403 that show nothing of the hall), the display's board, its event stream, its voice."""

from __future__ import annotations

import io
import json
import shutil
import wave

import httpx2
import pytest
from sqlmodel import select

from clerk_tui.services import devices
from clerk_tui.services.errors import AuthError, NotFound, PermissionDenied, ServiceError
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Device, Event

pytestmark = pytest.mark.pg

HALL_NAME = "测试县政务服务中心"


def hall_name(engine) -> str:
    from clerk_tui.services.catalog import get_hall

    with read_session(engine) as session:
        return get_hall(session).name


# ---------------------------------------------------------------- the registry (service)


def test_a_supervisor_registers_a_device_whose_token_alone_is_not_stored(web_hall):
    new = devices.add_device(web_hall.engine, web_hall.supervisor, "display", "大厅东屏")
    assert new.device.kind == "display" and new.device.created_by == "9001" and len(new.token) >= 40
    with read_session(web_hall.engine) as session:
        row = session.exec(select(Device)).one()
        kinds = [e.kind for e in session.exec(select(Event).where(Event.kind.like("device.%")))]
    assert row.token_hash == devices.token_hash(new.token) and new.token not in row.token_hash
    assert kinds == ["device.added"]
    actor = devices.authenticate(web_hall.engine, new.token, "display")
    assert actor.role == "device.display" and actor.device.name == "大厅东屏" and actor.staff_id == 0


@pytest.mark.parametrize("who", ["guide", "clerk"])
def test_only_a_supervisor_or_the_administrator_registers_devices(web_hall, who):
    with pytest.raises(PermissionDenied):
        devices.add_device(web_hall.engine, getattr(web_hall, who), "display", "屏")
    with pytest.raises(PermissionDenied):
        devices.list_devices(web_hall.engine, getattr(web_hall, who))
    with pytest.raises(PermissionDenied):
        devices.add_device(web_hall.engine, None, "display", "屏")


def test_what_a_device_needs_and_what_it_may_not_be(web_hall, admin):
    with pytest.raises(ServiceError, match="须绑定一个窗口"):
        devices.add_device(web_hall.engine, admin, "pad", "评价器")
    with pytest.raises(NotFound, match="没有 99 号窗口"):
        devices.add_device(web_hall.engine, admin, "pad", "评价器", window=99)
    with pytest.raises(ServiceError, match="设备类型"):
        devices.add_device(web_hall.engine, admin, "phone", "手机")
    with pytest.raises(ServiceError, match="零宽|不能保存"):
        devices.add_device(web_hall.engine, admin, "display", "大厅\u200b屏")
    devices.add_device(web_hall.engine, admin, "pad", "3号窗口评价器", window=3)
    with pytest.raises(ServiceError, match="已有名为"):
        devices.add_device(web_hall.engine, admin, "display", "3号窗口评价器")
    with read_session(web_hall.engine) as session:
        assert len(session.exec(select(Device)).all()) == 1  # nothing else was stored


def test_a_revoked_or_wrong_token_is_refused(web_hall):
    token = web_hall.device("display", "大厅屏")
    pad = web_hall.device("pad", "评价器", window=3)
    for bad in (None, "", "short", token[:-2] + "xx", token + "!"):
        with pytest.raises(AuthError):
            devices.authenticate(web_hall.engine, bad, "display")
    with pytest.raises(AuthError, match="评价器"):
        devices.authenticate(web_hall.engine, pad, "display")
    [view] = [d for d in devices.list_devices(web_hall.engine, web_hall.supervisor) if d.kind == "display"]
    devices.revoke_device(web_hall.engine, web_hall.supervisor, view.id)
    with pytest.raises(AuthError, match="吊销"):
        devices.authenticate(web_hall.engine, token, "display")
    with pytest.raises(ServiceError, match="已于"):
        devices.revoke_device(web_hall.engine, web_hall.supervisor, view.id)
    with pytest.raises(NotFound):
        devices.revoke_device(web_hall.engine, web_hall.supervisor, 999)
    assert [d.name for d in devices.list_devices(web_hall.engine, web_hall.supervisor)] == ["评价器"]
    assert len(devices.list_devices(web_hall.engine, web_hall.supervisor, revoked=True)) == 2


def test_last_contact_is_written_at_most_once_a_minute_and_a_silent_device_is_dark(web_hall, now):
    token = web_hall.device("display", "大厅屏")
    actor = devices.authenticate(web_hall.engine, token, "display")
    contacts = devices.ContactClock()
    [before] = devices.list_devices(web_hall.engine, web_hall.supervisor)
    now_at = before.created_at
    assert before.last_seen_at is None and before.dark(now_at)
    assert devices.touch(web_hall.engine, actor, contacts) is True
    assert devices.touch(web_hall.engine, actor, contacts) is False  # within the minute: no write
    [seen] = devices.list_devices(web_hall.engine, web_hall.supervisor)
    assert seen.last_seen_at is not None and not seen.dark(seen.last_seen_at)
    assert seen.dark(seen.last_seen_at + devices.DARK_AFTER + __import__("datetime").timedelta(seconds=1))
    with read_session(web_hall.engine) as session:  # a heartbeat, not an event
        assert [e.kind for e in session.exec(select(Event).where(Event.kind.like("device.%")))] == ["device.added"]


def test_a_device_acting_is_logged_as_the_device_not_a_person(web_hall):
    from clerk_tui.services import events
    from clerk_tui.services.tx import transaction

    actor = devices.authenticate(web_hall.engine, web_hall.device("kiosk", "取号机"), "kiosk")
    transaction(web_hall.engine, lambda s: events.record(s, "test.device", actor=actor, subject="x"))
    with read_session(web_hall.engine) as session:
        event = session.exec(select(Event).where(Event.kind == "test.device")).one()
    assert event.staff_id is None and json.loads(event.payload)["device"] == "取号机"


# ---------------------------------------------------------------- the door


def test_without_a_valid_token_nothing_of_the_hall_is_shown(web_hall, web_client):
    name = hall_name(web_hall.engine)
    web_hall.issue("A", id_number="11010519491231002X")
    web_hall.call(3)
    pad = web_hall.device("pad", "评价器", window=3)
    for path in ("/display", "/display/board", "/display/events", "/display/voice.wav?n=A001&w=3"):
        for token, status in ((None, 401), ("x" * 43, 403), (pad, 403)):
            url = path + (("&" if "?" in path else "?") + f"t={token}" if token else "")
            for accept in ("text/html", "application/json"):
                r = web_client.get(url, headers={"accept": accept})
                assert r.status_code == status, (path, token, accept)
                assert name not in r.text and "A001" not in r.text and "王敏" not in r.text
                assert r.headers["x-frame-options"] == "DENY" and "no-store" in r.headers["cache-control"]


def test_the_page_sets_its_cookie_and_the_security_headers(web_hall, web_client):
    token = web_hall.device("display", "大厅屏")
    r = web_client.get(f"/display?t={token}")
    assert r.status_code == 200 and "叫号大屏" in r.text
    cookie = r.headers["set-cookie"]
    assert "clerk_device_display=" in cookie and "HttpOnly" in cookie and "Path=/display" in cookie
    assert "script-src 'self'" in r.headers["content-security-policy"] and "<script>" not in r.text
    assert r.headers["referrer-policy"] == "no-referrer"
    assert web_client.get("/display/board").status_code == 200  # the cookie, now
    assert web_client.get("/static/display.js").status_code == 200
    assert web_client.get("/health").json() == {"ok": True}  # for a service monitor: no hall data


def test_request_bodies_are_bounded_and_json_only(web_client):
    assert (
        web_client.post(
            "/display/board", content=b"x" * 20000, headers={"content-type": "application/json"}
        ).status_code
        == 413
    )
    assert (
        web_client.post(
            "/display/board", content=b"a=1", headers={"content-type": "application/x-www-form-urlencoded"}
        ).status_code
        == 415
    )


def test_tokens_never_reach_the_access_log():
    from clerk_tui.web.server import redact

    assert redact('"GET /display?t=abcDEF_-123 HTTP/1.1"') == '"GET /display?t=… HTTP/1.1"'
    assert redact("/display?x=1&t=secret&y=2") == "/display?x=1&t=…&y=2"
    import logging

    from clerk_tui.web.server import RedactTokens

    # uvicorn's access line, as its logger makes it
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/display/events?t=abcDEF_-1234567890abcdef", "1.1", 200),
        None,
    )
    assert RedactTokens().filter(record) and "abcDEF" not in record.getMessage()


# ---------------------------------------------------------------- the display's data


def test_the_board_has_numbers_windows_and_counts_only(web_hall, web_client):
    token = web_hall.device("display", "大厅屏")
    web_hall.issue("A", id_number="11010519491231002X")
    web_hall.issue("A")
    web_hall.call(3)
    r = web_client.get("/display/board", headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 200
    board = r.json()
    assert board["hall"] == hall_name(web_hall.engine)
    [call] = board["calls"]
    assert (call["number"], call["window"], call["recall"]) == ("A001", 3, False)
    assert call["phrase"] == "请A001号到3号窗口办理" and call["voice"] == "/display/voice.wav?n=A001&w=3"
    assert {q["prefix"]: q["waiting"] for q in board["queues"]}["A"] == 1
    assert "11010519491231002X" not in r.text and "王敏" not in r.text and "1003" not in r.text


def test_the_stream_delivers_a_call_made_through_the_service(web_hall, live_server):
    token = web_hall.device("display", "大厅屏")
    web_hall.issue("D")
    with httpx2.Client(timeout=10) as client:
        with client.stream("GET", f"{live_server.url}/display/events?t={token}") as r:
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
            lines = r.iter_lines()
            first = _events_from(lines, 1)
            assert first[0][1]["calls"] == []
            web_hall.call(3)  # opens the window (an event, a board of its own), then calls
            for _ in range(5):
                [(kind, board)] = _events_from(lines, 1)
                if board["calls"]:
                    break
    assert kind == "board" and board["calls"][0]["number"] == "D001" and board["calls"][0]["window"] == 3


def _events_from(lines, want: int) -> list[tuple[str, dict]]:
    out, kind = [], None
    for line in lines:
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: ") and kind not in (None, "ping"):
            out.append((kind, json.loads(line[6:])))
            if len(out) >= want:
                return out
    raise AssertionError("the stream ended")


def test_one_feed_serves_every_stream(web_hall):
    """Many waiting pages, one poll a tick, one board query a change."""
    import asyncio

    from clerk_tui.web.feed import Feed

    calls = []

    async def scenario():
        feed = Feed(web_hall.engine, interval=0.05)
        await feed.poll_once()
        seen = feed.version
        feed.start()
        waiters = [asyncio.ensure_future(feed.wait(seen, 10)) for _ in range(60)]
        await asyncio.sleep(0.1)
        await asyncio.to_thread(web_hall.issue, "A")
        versions = await asyncio.gather(*waiters)

        def board():
            calls.append(1)
            return feed.version

        results = await asyncio.gather(*(feed.memo("board", board) for _ in range(60)))
        await feed.stop()
        return seen, versions, results

    seen, versions, results = asyncio.run(scenario())
    assert all(v > seen for v in versions) and len(set(versions)) == 1
    assert len(calls) == 1 and set(results) == {versions[0]}


# ---------------------------------------------------------------- the voice


def _wav(data: bytes):
    with wave.open(io.BytesIO(data)) as w:
        return w.getparams(), w.readframes(w.getnframes())


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (apt-get install espeak-ng)")
def test_the_voice_is_a_wav_with_a_chime_first_made_once_per_phrase(web_hall, web_client):
    from clerk_tui.printing.voice import WavFormat, chime

    token = web_hall.device("display", "大厅屏")
    r = web_client.get(f"/display/voice.wav?n=A001&w=3&t={token}")
    assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
    assert r.content[:4] == b"RIFF" and r.content[8:12] == b"WAVE"
    params, frames = _wav(r.content)
    tone = chime(WavFormat(params.nchannels, params.sampwidth, params.framerate))
    assert frames.startswith(tone) and len(frames) > len(tone) * 2  # the chime, then the phrase
    assert web_client.get(f"/display/voice.wav?n=A001&w=3&t={token}").content == r.content
    assert web_client.app.state.web.extra["voice"].made == 1
    for bad in ("n=A001&w=x", "n=<b>&w=3", "n=A001&w=0", "w=3"):
        assert web_client.get(f"/display/voice.wav?{bad}&t={token}").status_code == 400


def test_the_voice_is_joined_from_the_halls_clips_when_every_piece_is_there(tmp_path):
    from clerk_tui.printing.voice import PhraseAudio, WavFormat, chime, clip_pieces, write_wav

    fmt = WavFormat(1, 2, 16000)
    pieces = {
        "请": b"\x01\x00",
        "号到": b"\x02\x00",
        "号窗口办理": b"\x03\x00",
        "A": b"\x04\x00",
        "0": b"\x05\x00",
        "1": b"\x06\x00",
        "3": b"\x07\x00",
    }
    for name, frame in pieces.items():
        (tmp_path / f"{name}.wav").write_bytes(write_wav(fmt, frame * 100))
    (tmp_path / "a.wav").unlink(missing_ok=True)
    assert clip_pieces("请A001号到3号窗口办理", pieces) == ["请", "A", "0", "0", "1", "号到", "3", "号窗口办理"]
    assert clip_pieces("请B001号", pieces) is None
    audio = PhraseAudio(clips=str(tmp_path), executable="/nonexistent/espeak-ng")
    params, frames = _wav(audio.wav("请A001号到3号窗口办理"))
    assert params.framerate == 16000
    expected = b"".join(pieces[p] * 100 for p in ["请", "A", "0", "0", "1", "号到", "3", "号窗口办理"])
    assert frames == chime(fmt) + expected


def test_a_missing_clip_falls_back_to_espeak_and_without_it_says_why(tmp_path):
    from clerk_tui.printing.voice import PhraseAudio, VoiceUnavailable

    audio = PhraseAudio(clips=str(tmp_path), executable="")
    with pytest.raises(VoiceUnavailable, match="espeak-ng"):
        audio.wav("请A001号到3号窗口办理")
    with pytest.raises(VoiceUnavailable, match="不存在"):
        PhraseAudio(clips=str(tmp_path / "none")).wav("请")


def test_the_voice_cache_is_bounded(tmp_path):
    from clerk_tui.printing.voice import PhraseAudio, WavFormat, write_wav

    for ch in "0123456789":
        (tmp_path / f"{ch}.wav").write_bytes(write_wav(WavFormat(), b"\x00\x00" * 10))
    audio = PhraseAudio(clips=str(tmp_path), size=3)
    for n in ("1", "2", "3", "4", "1"):
        audio.wav(n)
    assert audio.made == 5 and len(audio._cache) == 3


# ---------------------------------------------------------------- the commands


def test_device_commands_print_the_url_once_and_list_the_last_contact(sqlite_hall, tmp_path, monkeypatch, capsys):
    from tests.conftest import ADMIN_PIN, run_cli

    config = tmp_path / "settings.toml"
    config.write_text('[serve]\npublic_url = "http://192.168.1.10:8765/"\n', encoding="utf-8")
    env = {
        "CLERK_TUI_DB": str(tmp_path / "hall.db"),
        "CLERK_TUI_CONFIG": str(config),
        "CLERK_TUI_STAFF": "admin",
        "CLERK_TUI_PIN": ADMIN_PIN,
    }
    code, out, err = run_cli(
        monkeypatch, capsys, ["device", "add", "display", "--name", "大厅东屏", "--format", "json"], env
    )
    assert code == 0, err
    url = json.loads(out)["url"]
    assert url.startswith("http://192.168.1.10:8765/display?t=") and len(url.split("t=")[1]) >= 40
    assert devices.authenticate(sqlite_hall, url.split("t=")[1], "display").device.name == "大厅东屏"
    code, out, err = run_cli(monkeypatch, capsys, ["device", "add", "pad", "--name", "评价器"], env)
    assert code == 1 and "须绑定一个窗口" in err
    code, out, err = run_cli(monkeypatch, capsys, ["device", "add", "pad", "--name", "3号评价器", "--window", "3"], env)
    assert code == 0 and "评价器" in out and "/pad?t=" in out, err
    code, out, err = run_cli(monkeypatch, capsys, ["device", "list", "--format", "json"], env)
    listed = json.loads(out)
    assert [(d["name"], d["window"], d["dark"], d["last_seen_at"]) for d in listed] == [
        ("大厅东屏", None, True, None),
        ("3号评价器", 3, True, None),
    ]
    assert "t=" not in out and "token" not in out
    code, out, err = run_cli(monkeypatch, capsys, ["device", "list"], env)
    assert "从未联系（失联）" in out
    code, out, err = run_cli(monkeypatch, capsys, ["device", "revoke", str(listed[0]["id"])], env)
    assert code == 0 and "已吊销" in out
    code, out, err = run_cli(monkeypatch, capsys, ["device", "revoke", str(listed[0]["id"])], env)
    assert code == 1 and err.startswith("错误：") and "已于" in err


def test_serve_says_when_it_cannot_listen(sqlite_hall, tmp_path, monkeypatch, capsys):
    import socket

    from tests.conftest import run_cli

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _out, err = run_cli(
            monkeypatch, capsys, ["serve", "--port", str(port)], {"CLERK_TUI_DB": str(tmp_path / "hall.db")}
        )
    assert code == 1 and "未能启动" in err and str(port) in err


def test_the_serve_settings_and_the_base_url(tmp_path):
    from clerk_tui.settings import SettingsError, load_settings

    config = tmp_path / "settings.toml"
    config.write_text('[serve]\nhost = "0.0.0.0"\nport = 9000\n', encoding="utf-8")
    assert load_settings(config).serve.base_url() == "http://127.0.0.1:9000"
    for bad in ("port = 0", 'public_url = "ftp://x"', 'hostname = "x"'):
        config.write_text(f"[serve]\n{bad}\n", encoding="utf-8")
        with pytest.raises(SettingsError, match="serve"):
            load_settings(config)


def test_the_web_door_never_loads_textual():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import clerk_tui.web.app, clerk_tui.web.display, clerk_tui.web.server, clerk_tui.cli.serve, clerk_tui.cli.device\n"
        "print('TEXTUAL' if 'textual' in sys.modules else 'CLEAN')"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "CLEAN"


def test_a_revoked_display_is_cut_off_its_open_stream(web_hall, live_server, monkeypatch):
    from clerk_tui.web import feed

    monkeypatch.setattr(feed, "RECHECK_SECONDS", 0.3)  # a minute in the hall
    monkeypatch.setattr(feed, "HEARTBEAT", 0.1)
    token = web_hall.device("display", "大厅屏")
    [view] = devices.list_devices(web_hall.engine, web_hall.supervisor)
    with httpx2.Client(timeout=10) as client:
        with client.stream("GET", f"{live_server.url}/display/events?t={token}") as r:
            lines = r.iter_lines()
            assert _events_from(lines, 1)[0][0] == "board"
            devices.revoke_device(web_hall.engine, web_hall.supervisor, view.id)  # an event: a board first
            kind, data = _events_from(lines, 1)[0]
            while kind == "board":
                kind, data = _events_from(lines, 1)[0]
            assert kind == "revoked" and "失效" in data["message"]
            assert not any(list(lines))  # the stream ended
    [seen] = devices.list_devices(web_hall.engine, web_hall.supervisor, revoked=True)
    assert seen.last_seen_at is not None  # the stream's first request counted as contact


def test_the_pages_scripts_are_es5_for_old_tv_browsers():
    """No arrow functions, let/const, classes, template strings or spread in static/*.js: an old
    TV browser stops at the first one and the page stays blank."""
    import re
    from pathlib import Path

    import clerk_tui.web

    newer = re.compile(r"=>|`|\.\.\.|\b(let|const|class|async|await)\s")
    for script in (Path(clerk_tui.web.__file__).parent / "static").glob("*.js"):
        code = re.sub(r"/\*.*?\*/|//[^\n]*", "", script.read_text(encoding="utf-8"), flags=re.S)
        code = re.sub(r'"(\\.|[^"\\])*"', '""', code)
        found = [line.strip() for line in code.splitlines() if newer.search(line)]
        assert not found, (script.name, found)


def test_the_board_names_the_supervisor_on_duty_and_the_months_awards(web_hall, web_client, now):
    """Issue 17 on the web display too: today's supervisor on duty (a name, as on the TUI display)
    and this month's 流动红旗 windows, once last month was closed; both absent when there are none."""
    import time

    from clerk_tui.services import assessment
    from clerk_tui.services import queue as q

    auth = {"authorization": f"Bearer {web_hall.device('display', '大厅屏')}"}
    board = web_client.get("/display/board", headers=auth).json()
    assert board["on_duty"] == "带班" and board["awards"] == ""  # 9001 logged in first today
    now("2026-10-20T08:55:00")  # window 3 opens on time (a late opening costs a point) …
    for _ in range(5):  # … and serves five tickets in October: enough for the rule's red flag
        web_hall.issue("D")
        q.finish_service(web_hall.engine, web_hall.clerk, web_hall.call(3).ticket.number, 3)
    now("2026-11-02T09:00:00")
    assessment.close_month(web_hall.engine, web_hall.supervisor, "2026-10")
    for _ in range(50):  # the feed notices the close on its next poll
        board = web_client.get("/display/board", headers=auth).json()
        if board["awards"]:
            break
        time.sleep(0.1)
    assert board["awards"] == "流动红旗窗口：3号" and board["on_duty"] == ""  # nobody on duty yet on 2 Nov
