"""The demo hall served by ``clerk-tui serve`` in a temporary folder, for the web scripts
(web_screenshots.py, bench_web.py): the demo is built with ``clerk-tui demo --no-tui``, its device
URLs read from what it prints, and ``serve`` run as its own process on a free port.

    with served_demo(now="2026-11-27T10:00:00") as demo:
        demo.urls["display"], demo.env, demo.server.pid, demo.folder
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROGRAM = str(Path(sys.executable).with_name("clerk-tui"))


@dataclass
class ServedDemo:
    folder: str
    env: dict[str, str]  # CLERK_TUI_DB, _CONFIG, _KEY_FILE (and _NOW) of the demo
    port: int
    urls: dict[str, str]  # device kind -> its URL (the demo's devices, tokens included; status: a ticket's)
    server: subprocess.Popen


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("clerk-tui serve stopped before it listened")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"clerk-tui serve did not listen on port {port} within {seconds} s")


@contextmanager
def served_demo(*, now: str | None = None, voice: bool = False) -> Iterator[ServedDemo]:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="clerk-tui-web-demo-") as folder:
        config = Path(folder) / "settings.toml"
        config.write_text(f"[serve]\nport = {port}\n[display]\nvoice = {str(voice).lower()}\n", encoding="utf-8")
        env = {
            **os.environ,
            "CLERK_TUI_CONFIG": str(config),
            "CLERK_TUI_KEY_FILE": str(Path(folder) / "pin.key"),
            "CLERK_TUI_DB": str(Path(folder) / "demo.db"),
        }
        if now:
            env["CLERK_TUI_NOW"] = now
        demo = subprocess.run([PROGRAM, "demo", "--no-tui"], env=env, capture_output=True, text=True, check=True)
        urls = {kind: url for url, kind in re.findall(r"(http://\S+/(display|pad|kiosk|status)\?t=\S+)", demo.stdout)}
        server = subprocess.Popen(
            [PROGRAM, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_listening(port, server)
            yield ServedDemo(folder, env, port, urls, server)
        finally:
            server.terminate()
            server.wait(10)
