"""Shared fixtures of the web tests (imported by tests/conftest.py, so every test module has them):
a hall with a supervisor, devices registered through the service, the app under Starlette's
TestClient, the app served by uvicorn in a thread on a free port, and the system's Chromium driven
by Playwright.

Browser tests skip with a reason when /usr/bin/chromium (or Playwright) is missing, except in CI
(``CI`` set), where they fail instead.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


@dataclass
class WebHall:
    """A mini hall for the web: its engine, settings, an acting supervisor and clerk, and helpers."""

    engine: object
    settings: object
    supervisor: object
    clerk: object  # 王敏, clerk 1003: window 3 serves queues D then A
    guide: object

    def device(self, kind: str, name: str | None = None, **kw) -> str:
        """Register a device through the service; its token."""
        from clerk_tui.services.devices import add_device

        return add_device(self.engine, self.supervisor, kind, name or f"测试{kind}", **kw).token

    def issue(self, queue: str = "A", **kw):
        from clerk_tui.services.queue import issue_ticket

        return issue_ticket(self.engine, self.guide, queue=queue, **kw)

    def call(self, window: int = 3):
        from clerk_tui.services.queue import call_next, open_window, window_states

        if any(w.number == window and w.status != "open" for w in window_states(self.engine, self.clerk)):
            open_window(self.engine, self.clerk, window)
        return call_next(self.engine, self.clerk, window)


@pytest.fixture
def web_hall(hall, admin, now) -> WebHall:
    from clerk_tui.services.staff import add_staff, login
    from clerk_tui.settings import Settings

    add_staff(hall, admin, "9001", "带班", "supervisor", "9999")
    add_staff(hall, admin, "1003", "王敏", "clerk", "3333")
    add_staff(hall, admin, "8001", "导办员", "guide", "1111")
    settings = Settings(database=str(hall.url))
    return WebHall(
        hall, settings, login(hall, "9001", "9999"), login(hall, "1003", "3333", window=3), login(hall, "8001", "1111")
    )


@pytest.fixture
def web_client(web_hall):
    """Starlette's TestClient on the app (its lifespan, so the feed, runs)."""
    from starlette.testclient import TestClient

    from clerk_tui.web.app import make_web_app

    with TestClient(make_web_app(web_hall.settings, web_hall.engine)) as client:
        yield client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving the app in a thread; ``stop()`` and ``start()`` again on the same port (a
    server that went away and came back)."""

    def __init__(self, settings, engine, port: int | None = None) -> None:
        self.settings, self.engine, self.port = settings, engine, port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        from clerk_tui.web.server import make_server

        self.server = make_server(self.settings, self.engine, "127.0.0.1", self.port, log_level="warning")
        self.server.config.timeout_graceful_shutdown = 1
        self.thread = threading.Thread(target=self.server.run, name="web-test-server", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test web server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(20)
            self.server = self.thread = None


@pytest.fixture
def live_server(web_hall) -> Iterator[LiveServer]:
    live = LiveServer(web_hall.settings, web_hall.engine)
    live.start()
    yield live
    live.stop()


def browser_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    """The system's Chromium under Playwright, one per test module (each test opens its own page).
    Not one per session: Playwright's sync API keeps an event loop running in the main thread while
    it is open, and a later test that starts one of its own (a Textual app) would then fail."""
    if problem := browser_missing():
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {problem}")
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    from clerk_tui.printing.fonts import browser_font_env

    fonts = browser_font_env(tmp_path_factory.mktemp("fonts"))  # a machine without fonts draws no text
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env=fonts)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    """A fresh page (its own cookies) at 1920x1080, the display's size."""
    context = chromium.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()
