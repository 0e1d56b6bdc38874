"""One watcher of the store per process, however many pages are open.

``Feed.run`` polls the newest event id (one cheap indexed query, every ``interval`` seconds) in a
worker thread; when it changes, every waiting stream wakes at once (one ``asyncio.Event`` per
change, swapped for a new one). Sixty open displays cost one poll, and with ``memo`` one hall-board
query per change, not sixty.

``event_stream`` is the server-sent events (text/event-stream) loop every page shares: a message
when the data changed, a ``ping`` event as a heartbeat in between (static/live.js notices a server
that went away within 10 s), a device's last contact written now and then, and the
token checked again so that a revoked device is cut off.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from clerk_tui.services.queue import last_event_id

log = logging.getLogger("clerk_tui.web")

POLL_SECONDS = 0.2
HEARTBEAT = 4.0  # seconds between heartbeats: a page that hears nothing for 10 s says the server is gone
RECHECK_SECONDS = 60.0  # a stream re-checks its device's token (and writes its last contact) this often


class Feed:
    def __init__(self, engine: Engine, interval: float = POLL_SECONDS) -> None:
        self.engine = engine
        self.interval = interval
        self.version = -1  # the newest event id seen; -1 before the first poll
        self.healthy = False  # the last poll reached the database
        self.polls = 0
        self._changed = asyncio.Event()
        self._memo: dict[str, tuple[int, asyncio.Future[Any]]] = {}
        self._task: asyncio.Task[None] | None = None

    # ---------------------------------------------------------------- the watcher

    async def poll_once(self) -> None:
        try:
            newest = await run_in_threadpool(last_event_id, self.engine)
        except Exception as exc:  # the database is away: pages keep what they show and wait
            if self.healthy:
                log.warning("feed: the store cannot be read (%s)", type(exc).__name__)
            self.healthy = False
            return
        self.polls += 1
        self.healthy = True
        if newest != self.version:
            self.version = newest
            changed, self._changed = self._changed, asyncio.Event()
            changed.set()

    async def run(self) -> None:
        while True:
            await self.poll_once()
            await asyncio.sleep(self.interval if self.healthy else max(self.interval, 1.0))

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.run(), name="clerk-tui-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    # ---------------------------------------------------------------- for the pages

    async def wait(self, seen: int, timeout: float) -> int:
        """The version once it differs from ``seen``, or after ``timeout`` seconds, whichever first."""
        changed = self._changed
        if self.version == seen:
            try:
                await asyncio.wait_for(changed.wait(), timeout)
            except TimeoutError:
                pass
        return self.version

    async def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` (blocking, run in a worker thread) once per version and key: every page
        that asks for the same data after the same change shares one query."""
        version = self.version
        cached = self._memo.get(key)
        if cached is not None and cached[0] == version:
            return await asyncio.shield(cached[1])
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._memo[key] = (version, future)
        try:
            future.set_result(await run_in_threadpool(compute))
        except Exception as exc:
            future.set_exception(exc)
            del self._memo[key]
            future.exception()  # retrieved: no "never retrieved" warning when nobody else waits
            raise
        return future.result()


def sse_message(event: str, data: Any, event_id: int | None = None) -> str:
    """One server-sent event; ``data`` as one line of JSON."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"


async def event_stream(
    request: Request,
    feed: Feed,
    payload: Callable[[], Awaitable[Any]],
    *,
    event: str,
    still_allowed: Callable[[], Awaitable[bool]],
    heartbeat: float | None = None,
    recheck: float | None = None,
) -> AsyncIterator[str]:
    """The stream of one page: ``event`` with ``await payload()`` now and after each change of the
    store; heartbeats between; ``still_allowed()`` (the token checked again, the last contact
    written) every ``recheck`` seconds, ending the stream when it says no."""
    heartbeat = HEARTBEAT if heartbeat is None else heartbeat
    recheck = RECHECK_SECONDS if recheck is None else recheck
    loop = asyncio.get_running_loop()
    yield f"retry: 2000\n: {' ' * 2048}\n\n"  # the padding gets the stream past buffering proxies and old browsers
    seen = -2
    checked = loop.time()
    while True:
        if await request.is_disconnected():
            return
        if loop.time() - checked >= recheck:
            checked = loop.time()
            if not await still_allowed():
                yield sse_message("revoked", {"message": "设备令牌已失效，请向带班领导索取新的网址"})
                return
        if feed.version != seen:
            seen = feed.version
            yield sse_message(event, await payload(), seen)
        else:  # a named event, not a comment: a page's EventSource sees only events
            yield sse_message("ping", {"ok": feed.healthy})
        await feed.wait(seen, heartbeat)
