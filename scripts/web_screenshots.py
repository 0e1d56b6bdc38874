"""Screenshots of the public devices' pages, each at its device's size, for the README.

    .venv/bin/python scripts/web_screenshots.py            # writes docs/images/web-*.png

The pages name system fonts only and download none; a TV has its CJK font. Here Chromium is given
the Noto Sans CJK that installs with clerk-tui (noto-cjk-sans-otc) through a private fontconfig
file, so the pictures come out the same on a machine without any CJK font.

It builds the demo hall in a temporary folder (``clerk-tui demo --no-tui``, at a fixed moment so
the pictures do not change from run to run), starts ``clerk-tui serve`` on a free port, opens each
device's URL (printed by the demo) in the system's Chromium (/usr/bin/chromium, driven by
Playwright) and saves the page.

A new page adds a ``Shot`` to SHOTS: the image's name, the device kind whose demo URL it opens, the
viewport, and what to wait for before the picture is taken.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
CHROMIUM = "/usr/bin/chromium"
AT = "2026-11-27T10:00:00"  # a Friday morning of the demo hall


@dataclass(frozen=True)
class Shot:
    image: str  # the file in docs/images
    kind: str  # the demo page whose URL it opens (display, pad, kiosk; status: a waiting ticket's)
    size: tuple[int, int]  # the device's screen
    ready: str  # a JavaScript function: true once the page shows what the picture is of


SHOTS = [
    Shot("web-display.png", "display", (1920, 1080), "() => window.clerkDisplay && window.clerkDisplay.boards > 0"),
    Shot("web-status.png", "status", (390, 844), "() => window.clerkStatus && window.clerkStatus.updates > 0"),
]


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


def private_fonts(folder: str) -> dict[str, str]:
    """The environment that lets Chromium find the packaged CJK font besides the system's."""
    from clerk_tui.printing.fonts import packaged_fonts

    dirs = "".join(f"<dir>{Path(f).parent}</dir>" for f in packaged_fonts())
    conf = Path(folder) / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include>{dirs}'
        f"<cachedir>{folder}/fontconfig-cache</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def main() -> int:
    from playwright.sync_api import sync_playwright

    program = str(Path(sys.executable).with_name("clerk-tui"))
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="clerk-tui-shots-") as folder:
        config = Path(folder) / "settings.toml"
        config.write_text(f"[serve]\nport = {port}\n[display]\nvoice = false\n", encoding="utf-8")
        env = {
            **os.environ,
            "CLERK_TUI_NOW": AT,
            "CLERK_TUI_CONFIG": str(config),
            "CLERK_TUI_KEY_FILE": str(Path(folder) / "pin.key"),
            "CLERK_TUI_DB": str(Path(folder) / "demo.db"),
        }
        demo = subprocess.run([program, "demo", "--no-tui"], env=env, capture_output=True, text=True, check=True)
        urls = dict(re.findall(r"(http://\S+/(display|pad|kiosk|status)\?t=\S+)", demo.stdout))
        urls = {kind: url for url, kind in urls.items()}
        server = subprocess.Popen(
            [program, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_listening(port, server)
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--headless", "--no-sandbox", "--disable-gpu"],
                    env=private_fonts(folder),
                )
                for shot in SHOTS:
                    if shot.kind not in urls:
                        raise SystemExit(f"the demo printed no {shot.kind} URL")
                    width, height = shot.size
                    page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
                    page.goto(urls[shot.kind])
                    page.wait_for_function(shot.ready)
                    page.wait_for_timeout(300)  # the fonts and the first animation frame settle
                    IMAGES.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(IMAGES / shot.image))
                    page.close()
                    print(f"{IMAGES / shot.image} ({width}x{height})")
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
