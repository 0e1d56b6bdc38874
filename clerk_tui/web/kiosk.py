"""自助取号机: the self-service kiosk as a page for a touch screen (1080x1920 portrait).

The page (templates/kiosk.html, static/kiosk.js) offers the common items and the departments as
large buttons, a pinyin-initials search for the rest, the item's materials (what to bring), an
on-screen keypad for an optional ID number, and the ticket: its number large, and whether the
kiosk's printer printed it (when not, the page says so and asks to note the number down).
Appointments check in by ID number. Priority tickets are refused by the service: the page sends
the applicant to the guide desk (导办台).

Everything goes through services/kiosk.py, which checks that a kiosk asks (``kiosk.issue``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from clerk_tui.services import kiosk, ticket_status
from clerk_tui.services.catalog import ItemGuide
from clerk_tui.services.errors import ServiceError
from clerk_tui.web.app import web_state
from clerk_tui.web.auth import device_access, device_page
from clerk_tui.web.forms import json_body, refusal

KIND = "kiosk"


def item_json(guide: ItemGuide) -> dict[str, Any]:
    return {"code": guide.code, "name": guide.name, "department": guide.department, "queue": guide.queue_name}


def guide_json(guide: ItemGuide) -> dict[str, Any]:
    """An item's guide as the kiosk shows it: where it is served and what to bring."""
    return {
        **item_json(guide),
        "windows": list(guide.windows),
        "promised_days": guide.promised_limit_days,
        "fee": guide.fee,
        "materials": [
            {"name": m.name, "required": m.required, "form": m.form_name, "copies": m.copies, "notes": m.notes}
            for m in guide.materials
        ],
    }


log = logging.getLogger("clerk_tui.web")
PUBLIC_PRINT_FAILURE = "出票口暂时无法打印，工作人员会尽快处理"


def ticket_json(done: kiosk.KioskTicket) -> dict[str, Any]:
    t = done.ticket
    if not done.printed:
        log.warning("kiosk: ticket %s not printed: %s", t.number, done.print_message)
    link = ticket_status.status_url(t)  # None where this server has no hall key file
    return {
        "number": t.number,
        "queue": t.queue_name,
        "item": t.item_name,
        "ahead": t.waiting_ahead,
        "appointment": t.priority == "appointment",
        "printed": done.printed,
        # the applicant's words: why the printer failed (a setting, a cover open) is the staff's, in
        # the print jobs and the serve log, never a command line on the public screen
        "print_message": "" if done.printed else PUBLIC_PRINT_FAILURE,
        "message": done.message,
        # the ticket's status link as a QR code on screen, as on the paper (web/status.py draws it)
        "qr": f"{ticket_status.STATUS_PATH}/qr.svg?{link.split('?', 1)[1]}" if link else None,
    }


async def page(request: Request) -> Response:
    return await device_page(request, KIND, "kiosk.html", lambda access: {"device": access.actor.name})


async def alive(request: Request) -> Response:
    """The kiosk's heartbeat (every 30 s): its last contact for the supervisor's screen, and the
    page's way to notice a server that went away."""
    await device_access(request, KIND)
    return JSONResponse({"ok": web_state(request).require_feed().healthy})


async def menu(request: Request) -> Response:
    access = await device_access(request, KIND)
    engine = web_state(request).engine
    found = await run_in_threadpool(kiosk.menu, engine, access.actor)
    return JSONResponse(
        {
            "hall": found.hall,
            "common": [item_json(g) for g in found.common],
            "departments": [
                {"name": name, "items": [item_json(g) for g in items]} for name, items in found.departments
            ],
        }
    )


async def search(request: Request) -> Response:
    access = await device_access(request, KIND)
    query = request.query_params.get("q", "")
    found = await run_in_threadpool(kiosk.search, web_state(request).engine, access.actor, query)
    return JSONResponse({"items": [item_json(g) for g in found]})


async def item(request: Request) -> Response:
    access = await device_access(request, KIND)
    try:
        guide = await run_in_threadpool(
            kiosk.item, web_state(request).engine, access.actor, request.query_params.get("code", "")
        )
    except ServiceError as exc:
        return refusal(exc)
    return JSONResponse(guide_json(guide))


async def _issue(request: Request, work: Callable[..., kiosk.KioskTicket]) -> Response:
    """``work(engine, actor, body, policy=…, cfg=…)`` for the kiosk asking: its ticket, or the refusal."""
    access = await device_access(request, KIND)
    state = web_state(request)
    body = await json_body(request)
    try:
        done = await run_in_threadpool(
            lambda: work(state.engine, access.actor, body, policy=state.settings.queue, cfg=state.settings.printing)
        )
    except ServiceError as exc:
        return refusal(exc)
    return JSONResponse(ticket_json(done))


async def ticket(request: Request) -> Response:
    """``{"item": code, "id": "ID number or empty"}``: an ordinary ticket, printed."""
    return await _issue(
        request,
        lambda engine, actor, body, **kw: kiosk.take_ticket(
            engine, actor, str(body.get("item") or ""), id_number=str(body.get("id") or "") or None, **kw
        ),
    )


async def check_in(request: Request) -> Response:
    """``{"id": "ID number"}``: an appointment's check-in, its ticket printed."""
    return await _issue(
        request,
        lambda engine, actor, body, **kw: kiosk.appointment_check_in(engine, actor, str(body.get("id") or ""), **kw),
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/kiosk", page),
        Route("/kiosk/alive", alive),
        Route("/kiosk/menu", menu),
        Route("/kiosk/search", search),
        Route("/kiosk/item", item),
        Route("/kiosk/ticket", ticket, methods=["POST"]),
        Route("/kiosk/checkin", check_in, methods=["POST"]),
    ]
