"""评价器: a window's rating pad as a page for a 1280x800 tablet.

The page (templates/pad.html, static/pad.js) shows the window's clerk as a badge (name and staff
number) and the ticket being served (its number only). When the window finishes a service (F9 at
the terminal) the stream ``/pad/events`` brings the visit, and the page asks for a rating with the
TUI pad's scale (services.ratings.LEVELS), the reasons for a low one (REASONS) and an optional
note; ``POST /pad/rate`` records it through services.ratings.rate, which checks that this pad rates
its own window's just-finished visit and opens the follow-up of a bad one. Unanswered, the page
records 未评价 after the TUI pad's timeout and goes back to idle.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from clerk_tui.services import ratings
from clerk_tui.services.errors import ServiceError
from clerk_tui.web.app import web_state
from clerk_tui.web.auth import DeviceAccess, device_access, device_page
from clerk_tui.web.feed import device_stream
from clerk_tui.web.forms import json_body, refusal

KIND = "pad"


def state_json(state: ratings.PadState) -> dict[str, Any]:
    """What the pad draws: the badge, the number being served, the visit to rate (number only)."""
    visit = state.visit
    return {
        "window": state.window,
        "window_name": state.window_name,
        "clerk": state.clerk,
        "clerk_number": state.clerk_number,
        "serving": state.serving,
        "visit": {"ticket": visit.ticket, "finished": f"{visit.finished_at:%H:%M}"} if visit else None,
    }


async def _state(request: Request, access: DeviceAccess) -> dict[str, Any]:
    state = web_state(request)
    window = access.actor.window
    pad = await state.require_feed().memo(f"pad.{window}", lambda: ratings.pad_state(state.engine, access.actor))
    return state_json(pad)


async def page(request: Request) -> Response:
    return await device_page(
        request,
        KIND,
        "pad.html",
        lambda access: {
            "window": access.actor.window,
            "levels": sorted(ratings.LEVELS.items(), reverse=True),
            "bad": ratings.BAD,
            "reasons": ratings.REASONS,
            "timeout": ratings.PAD_TIMEOUT_SECONDS,
            "thanks": ratings.PAD_THANKS_SECONDS,
        },
    )


async def current(request: Request) -> Response:
    access = await device_access(request, KIND)
    return JSONResponse(await _state(request, access))


async def events(request: Request) -> Response:
    access = await device_access(request, KIND)
    return device_stream(request, access, lambda: _state(request, access), event="pad")


async def rate(request: Request) -> Response:
    """``{"ticket": "A001", "level": 1-5 | null, "reasons": [...], "text": "..."}``: the rating."""
    access = await device_access(request, KIND)
    state = web_state(request)
    body = await json_body(request)
    level = body.get("level")
    reasons = body.get("reasons") or []
    if (level is not None and (isinstance(level, bool) or not isinstance(level, int))) or not isinstance(reasons, list):
        return refusal("评价内容无效：请重新选择")
    try:
        await run_in_threadpool(
            ratings.rate,
            state.engine,
            access.actor,
            access.actor.window,
            str(body.get("ticket") or ""),
            level,
            reasons=[str(r) for r in reasons],
            text=str(body.get("text") or ""),
            followup_days=state.settings.followup_days,
        )
    except ServiceError as exc:
        return refusal(exc)
    return JSONResponse({"ok": True, "bad": level is not None and level <= ratings.BAD})


def routes() -> list[BaseRoute]:
    return [
        Route("/pad", page),
        Route("/pad/state", current),
        Route("/pad/events", events),
        Route("/pad/rate", rate, methods=["POST"]),
    ]
