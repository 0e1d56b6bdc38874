"""叫号大屏: the hall display for a 1920x1080 TV's browser.

The page (templates/display.html, static/display.js) shows the newest call large (号码 → 窗口), the
last few, the waiting count per queue, the hall's name and the time. It follows the server-sent
event stream ``/display/events`` (the board again after every change of the store, pushed by the
feed within its 200 ms poll), falls back to polling ``/display/board`` where EventSource is
missing, says within 10 s that the server is gone and reconnects by itself. Each new call or
recall is announced from ``/display/voice.wav`` (a chime, then the phrase), one after another.

The data is the TUI display's: services.queue.hall_board (through devices.display_board, which
checks that a display asks) and domain.queueing.call_phrase.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from clerk_tui import clock
from clerk_tui.domain.queueing import call_phrase
from clerk_tui.printing.voice import PhraseAudio, VoiceUnavailable
from clerk_tui.services import devices
from clerk_tui.settings import Settings
from clerk_tui.web.app import WebState, web_state
from clerk_tui.web.auth import DeviceAccess, device_access, device_page, still_valid
from clerk_tui.web.feed import event_stream

KIND = "display"
RECENT = 8  # calls on the board: the newest large, the rest listed
_NUMBER = re.compile(r"[A-Z]{1,3}[0-9]{1,5}")


def board_json(settings: Settings, shown: devices.DisplayBoard) -> dict[str, Any]:
    """What the page draws: numbers, windows, times and counts; the supervisor on duty and the
    month's awards; nothing of any applicant."""
    board = shown.board
    now = clock.now()
    return {
        "hall": board.hall_name,
        "on_duty": shown.on_duty,
        "awards": shown.awards,
        "version": board.last_event_id,
        "date": f"{now.year}年{now.month}月{now.day}日 星期{'一二三四五六日'[now.weekday()]}",
        "seconds": now.hour * 3600 + now.minute * 60 + now.second,
        "calls": [
            {
                "event": call.event_id,
                "number": call.number,
                "window": call.window,
                "at": f"{call.at:%H:%M}",
                "recall": call.recall,
                "phrase": call_phrase(settings.queue, call.number, call.window),
                "voice": "/display/voice.wav?" + urlencode({"n": call.number, "w": call.window}),
            }
            for call in board.calls
        ],
        "queues": [{"prefix": q.prefix, "name": q.name, "waiting": q.waiting} for q in board.queues],
    }


async def _board(request: Request, access: DeviceAccess) -> dict[str, Any]:
    state = web_state(request)
    board = await state.require_feed().memo(
        "display.board", lambda: devices.display_board(state.engine, access.actor, RECENT)
    )
    return board_json(state.settings, board)


async def page(request: Request) -> Response:
    return await device_page(request, KIND, "display.html", lambda _: {"voice": web_state(request).settings.voice})


async def board(request: Request) -> Response:
    access = await device_access(request, KIND)
    return JSONResponse(await _board(request, access))


async def events(request: Request) -> Response:
    access = await device_access(request, KIND)
    state = web_state(request)
    stream = event_stream(
        request,
        state.require_feed(),
        lambda: _board(request, access),
        event="board",
        still_allowed=lambda: still_valid(state.engine, access, state.contacts),
    )
    return StreamingResponse(stream, media_type="text/event-stream", headers={"x-accel-buffering": "no"})


async def voice(request: Request) -> Response:
    """The announcement of one call as WAV: a chime, then the phrase (espeak-ng or the hall's clips)."""
    await device_access(request, KIND)
    number, window = request.query_params.get("n", ""), request.query_params.get("w", "")
    if not _NUMBER.fullmatch(number) or not window.isdigit() or not 0 < int(window) < 10000:
        raise HTTPException(400, "号码或窗口号无效")
    state = web_state(request)
    phrase = call_phrase(state.settings.queue, number, int(window))
    try:
        wav = await run_in_threadpool(voice_cache(state).wav, phrase)
    except VoiceUnavailable as exc:
        raise HTTPException(503, str(exc)) from None
    return Response(wav, media_type="audio/wav", headers={"cache-control": "private, max-age=86400"})


def voice_cache(state: WebState) -> PhraseAudio:
    """The process's announcements (one cache for every display)."""
    audio = state.extra.get("voice")
    if audio is None:
        audio = state.extra["voice"] = PhraseAudio(clips=state.settings.voice_clips)
    return audio


def routes() -> list[BaseRoute]:
    return [
        Route("/display", page),
        Route("/display/board", board),
        Route("/display/events", events),
        Route("/display/voice.wav", voice),
    ]
