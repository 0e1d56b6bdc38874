"""Who is at the door: the one place a device's token becomes an ``Actor``.

A device proves itself with the token of its URL: ``?t=`` on the first load (a TV browser has no
other way to be given it), then a cookie scoped to its kind's path (``/display``, ``/pad`` …, so a
display and a kiosk open in one browser keep their own), or an ``Authorization: Bearer`` header
for scripts. No token: 401. A wrong, revoked, or other kind's token: 403. Neither says anything of
the hall. Tokens never reach a log (server.py strips them from the access log).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from clerk_tui.services import devices
from clerk_tui.services.context import Actor
from clerk_tui.services.errors import AuthError

TOKEN_PARAM = "t"


def cookie_name(kind: str) -> str:
    return f"clerk_device_{kind}"


def request_token(request: Request, kind: str) -> str | None:
    """The token a request carries: the query's ``t``, else the kind's cookie, else a bearer header."""
    token = request.query_params.get(TOKEN_PARAM) or request.cookies.get(cookie_name(kind))
    if not token:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else None
    return token or None


@dataclass(frozen=True)
class DeviceAccess:
    """A device let in: its Actor (for services) and the token it came with (to check it again)."""

    actor: Actor
    token: str
    from_query: bool  # the token came in the URL: the page sets the cookie


async def device_access(request: Request, kind: str) -> DeviceAccess:
    """The device making ``request``, which must be a ``kind`` device; HTTPException 401/403 if not.
    Also notes its last contact (written at most once a minute per device)."""
    token = request_token(request, kind)
    if token is None:
        raise HTTPException(401, "需要设备令牌")
    state = request.app.state.web
    try:
        actor = await run_in_threadpool(devices.authenticate, state.engine, token, kind)
    except AuthError as exc:
        raise HTTPException(403, exc.message) from None
    try:
        await run_in_threadpool(devices.touch, state.engine, actor, state.contacts)
    except Exception:  # a busy store: the contact is written on a later request
        pass
    return DeviceAccess(actor, token, bool(request.query_params.get(TOKEN_PARAM)))


async def still_valid(engine: Engine, access: DeviceAccess, contacts: devices.ContactClock) -> bool:
    """For a long-lived stream: is the token still good (not revoked)? Notes the contact too."""
    kind = access.actor.device.kind if access.actor.device else None
    try:
        actor = await run_in_threadpool(devices.authenticate, engine, access.token, kind)
    except AuthError:
        return False
    except Exception:  # the database is away: keep the page; the feed says so
        return True
    try:
        await run_in_threadpool(devices.touch, engine, actor, contacts)
    except Exception:
        pass
    return True


def remember_device(response: Response, access: DeviceAccess, kind: str, *, secure: bool) -> None:
    """After a first load with ``?t=``: the token as an HttpOnly cookie for the page's own requests."""
    if access.from_query:
        response.set_cookie(
            cookie_name(kind),
            access.token,
            max_age=400 * 24 * 3600,
            path=f"/{kind}",
            httponly=True,
            samesite="strict",
            secure=secure,
        )


async def device_page(
    request: Request, kind: str, template: str, context: Callable[[DeviceAccess], dict[str, Any]]
) -> Response:
    """A device's page: the device let in (401/403 if not), its template rendered with
    ``context(access)``, and on a first load with ``?t=`` the token kept as the kind's cookie."""
    access = await device_access(request, kind)
    templates = request.app.state.web.templates
    response = templates.TemplateResponse(request, template, context(access))
    remember_device(response, access, kind, secure=request.url.scheme == "https")
    return response
