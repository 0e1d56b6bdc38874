"""The web app of the public devices: ``make_web_app(settings, engine)``.

Pages register by device kind: ``PAGE_MODULES`` names the modules (``clerk_tui.web.<name>``), and
each has ``routes() -> list[BaseRoute]`` with its paths under ``/<kind>`` (its cookie's path, see
auth.py). A new page (pad, kiosk, ticket status) is a module and one more name here.

Every response carries the security headers (a Content-Security-Policy without inline script,
no framing, no referrer, no caching of data); request bodies are bounded (``MAX_BODY`` bytes)
and only JSON is accepted for them.
"""

from __future__ import annotations

import contextlib
import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clerk_tui.services.devices import ContactClock
from clerk_tui.settings import Settings
from clerk_tui.web.feed import Feed

HERE = Path(__file__).parent
PAGE_MODULES: tuple[str, ...] = ("display", "pad", "kiosk", "status")  # clerk_tui/web/<name>.py
MAX_BODY = 16 * 1024  # bytes: the pages send small JSON (a rating, a ticket request), nothing more

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # the token in a page's URL never leaves in a Referer
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


@dataclass
class WebState:
    """What every page reaches through ``request.app.state.web``."""

    settings: Settings
    engine: Engine
    templates: Jinja2Templates
    feed: Feed | None = None
    contacts: ContactClock = field(default_factory=ContactClock)
    extra: dict[str, Any] = field(default_factory=dict)  # a page's own process-wide things (caches)

    def require_feed(self) -> Feed:
        if self.feed is None:
            raise RuntimeError("the feed starts with the app (lifespan)")
        return self.feed


def web_state(request: Request) -> WebState:
    return request.app.state.web


class Guard:
    """ASGI middleware: the security headers on every response, ``no-store`` on all but the static
    files, and request bodies bounded to ``MAX_BODY`` bytes and JSON only (415/413 before the
    endpoint reads them)."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        headers = dict(scope["headers"])
        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            length = headers.get(b"content-length", b"0")
            kind = headers.get(b"content-type", b"").split(b";")[0].strip()
            if not length.isdigit() or int(length) > self.max_body:
                await _refuse(scope, receive, send, 413, "请求内容过大")
                return
            if int(length) and kind != b"application/json":
                await _refuse(scope, receive, send, 415, "只接受 JSON")
                return

        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise HTTPException(413, "请求内容过大")
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = list(message.get("headers", []))
                out.extend(SECURITY_HEADERS)
                if not static and not any(k.lower() == b"cache-control" for k, _ in out):
                    out.append((b"cache-control", b"no-store"))
                message["headers"] = out
            await send(message)

        await self.app(scope, bounded_receive, send_with_headers)


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, text: str) -> None:
    response = JSONResponse({"error": text}, status_code=status, headers={"cache-control": "no-store"})
    response.headers.update({k.decode(): v.decode() for k, v in SECURITY_HEADERS})
    await response(scope, receive, send)


async def refused(request: Request, exc: Exception) -> Response:
    """401/403/404…: a short page (or JSON for the data endpoints) that names nothing of the hall."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "服务器内部错误"
    if status == 401:
        detail = "此页面只对登记过的设备开放：请使用 clerk-tui device add 给出的完整网址（含令牌）"
    accept = request.headers.get("accept", "")
    if "text/html" in accept:
        return web_state(request).templates.TemplateResponse(
            request, "refused.html", {"status": status, "detail": detail}, status_code=status
        )
    if "text/event-stream" in accept or request.url.path.endswith(".wav"):
        return PlainTextResponse(detail, status_code=status)
    return JSONResponse({"error": detail}, status_code=status)


def page_routes(names: tuple[str, ...] = PAGE_MODULES) -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for name in names:
        module = importlib.import_module(f"clerk_tui.web.{name}")
        routes.extend(module.routes())
    return routes


async def health(request: Request) -> Response:
    """For a service monitor: is the server up and does it reach the store (no hall data)."""
    feed = web_state(request).feed
    ok = feed is not None and feed.healthy
    return JSONResponse({"ok": ok}, status_code=200 if ok else 503)


def make_web_app(settings: Settings, engine: Engine, *, pages: tuple[str, ...] = PAGE_MODULES) -> Starlette:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    state = WebState(settings, engine, templates)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        state.feed = Feed(engine)
        await state.feed.poll_once()
        state.feed.start()
        try:
            yield
        finally:
            await state.feed.stop()

    routes: list[BaseRoute] = [
        Route("/health", health),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
        *page_routes(pages),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: refused, 500: refused},
    )
    app.state.web = state
    app.add_middleware(Guard)
    return app
