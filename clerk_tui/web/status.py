"""排队进度: a ticket's status on its holder's phone, opened from the QR code on the ticket.

No device token here: the link's own token (services/ticket_status.py) names one ticket of one day
and is the only right the page needs. It is read from the query (``?t=``, so server.py keeps it out
of the access log) on every request; no cookie, so one phone can follow two tickets in two tabs.
A wrong token is 403, an earlier day's 410, and neither says anything of the hall.

The page (templates/status.html, static/status.js) follows ``/status/events`` (the ticket's status
again after each change of the store, from the shared feed) and falls back to polling
``/status/data``. ``/status/qr.svg`` draws the link as a QR code, for the kiosk's screen.
"""

from __future__ import annotations

import io
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from clerk_tui import clock
from clerk_tui.services import ticket_status as status
from clerk_tui.services.errors import AuthError
from clerk_tui.web.app import web_state
from clerk_tui.web.auth import TOKEN_PARAM
from clerk_tui.web.feed import event_stream


async def _ticket(request: Request) -> int:
    """The ticket the request's link names; 403 (not genuine) or 410 (an earlier day's)."""
    token = request.query_params.get(TOKEN_PARAM)
    try:
        return await run_in_threadpool(status.verify, web_state(request).engine, token)
    except status.LinkExpired as exc:
        raise HTTPException(410, exc.message) from None
    except AuthError as exc:
        raise HTTPException(403, exc.message) from None


async def _status(request: Request, ticket_id: int) -> dict[str, Any]:
    engine = web_state(request).engine
    return (await run_in_threadpool(status.ticket_status, engine, ticket_id)).as_json()


async def page(request: Request) -> Response:
    await _ticket(request)
    return web_state(request).templates.TemplateResponse(request, "status.html", {})


async def data(request: Request) -> Response:
    return JSONResponse(await _status(request, await _ticket(request)))


async def events(request: Request) -> Response:
    ticket_id = await _ticket(request)
    state = web_state(request)
    day = clock.today()

    async def still_today() -> bool:  # at midnight the link expires: the stream ends
        return clock.today() == day

    stream = event_stream(
        request,
        state.require_feed(),
        lambda: _status(request, ticket_id),
        event="status",
        still_allowed=still_today,
    )
    return StreamingResponse(stream, media_type="text/event-stream", headers={"x-accel-buffering": "no"})


def qr_svg(data: str) -> bytes:
    """``data`` as a QR code in SVG (a path, no script), as the kiosk's screen shows it."""
    import qrcode  # start-up: loaded only when a QR code is drawn
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


async def qr(request: Request) -> Response:
    """The link's QR code (the kiosk shows it beside a new ticket)."""
    ticket_id = await _ticket(request)
    engine = web_state(request).engine
    state = web_state(request)

    def link() -> str | None:
        from clerk_tui.store.engine import read_session
        from clerk_tui.store.models import Ticket

        with read_session(engine) as session:
            return status.status_url(session.get(Ticket, ticket_id), public_base(state.settings))

    url = await run_in_threadpool(link)
    if url is None:
        raise HTTPException(503, "本服务器没有大厅密钥文件，无法生成二维码")
    return Response(qr_svg(url), media_type="image/svg+xml")


def public_base(settings) -> str:
    """The base of the links this server hands out: ``[serve] public_url``, else its own address."""
    return settings.serve.base_url()


def routes() -> list[BaseRoute]:
    return [
        Route(status.STATUS_PATH, page),
        Route(f"{status.STATUS_PATH}/data", data),
        Route(f"{status.STATUS_PATH}/events", events),
        Route(f"{status.STATUS_PATH}/qr.svg", qr),
    ]
