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
viewport, what to wait for before the picture is taken, and what to tap on the way (a kiosk's item).
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from demo_server import PROGRAM, served_demo  # scripts/: the demo hall and its serve process

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
CHROMIUM = "/usr/bin/chromium"
AT = "2026-11-27T10:00:00"  # a Friday morning of the demo hall
DEMO_PIN = "123456"  # every demo staff member's


@dataclass(frozen=True)
class Shot:
    image: str  # the file in docs/images
    kind: str  # the demo page whose URL it opens (display, pad, kiosk; status: a waiting ticket's)
    size: tuple[int, int]  # the device's screen
    ready: str  # a JavaScript function: true once the page shows what the picture is of
    taps: tuple[str, ...] = ()  # selectors clicked in turn once ready (a kiosk's item) …
    shows: str = ""  # … and the selector then awaited before the picture
    before: tuple[tuple[str, ...], ...] = ()  # clerk-tui commands run first (demo PIN), e.g. a finish at a window


SHOTS = [
    Shot("web-display.png", "display", (1920, 1080), "() => window.clerkDisplay && window.clerkDisplay.boards > 0"),
    Shot(
        "web-pad.png",
        "pad",
        (1280, 800),
        "() => window.clerkPad && window.clerkPad.asked.length > 0",
        # 1003 calls the next ticket at window 3, then finishes it and calls another (F9): the pad asks
        before=(("--staff", "1003", "ticket", "next", "--window", "3"),) * 2,
    ),
    Shot("web-kiosk.png", "kiosk", (1080, 1920), "() => window.clerkKiosk && window.clerkKiosk.menus > 0"),
    Shot(
        "web-kiosk-item.png",
        "kiosk",
        (1080, 1920),
        "() => window.clerkKiosk && window.clerkKiosk.menus > 0",
        taps=("#common button",),
        shows="#item-materials li",
    ),
    Shot("web-status.png", "status", (390, 844), "() => window.clerkStatus && window.clerkStatus.updates > 0"),
]


def main() -> int:
    from playwright.sync_api import sync_playwright

    from clerk_tui.printing.fonts import browser_font_env

    with served_demo(now=AT) as demo, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu"],
            env=browser_font_env(demo.folder),
        )
        for shot in SHOTS:
            if shot.kind not in demo.urls:
                raise SystemExit(f"the demo printed no {shot.kind} URL")
            for command in shot.before:
                subprocess.run(
                    [PROGRAM, *command], env={**demo.env, "CLERK_TUI_PIN": DEMO_PIN}, capture_output=True, check=True
                )
            width, height = shot.size
            page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
            page.goto(demo.urls[shot.kind])
            page.wait_for_function(shot.ready)
            for selector in shot.taps:
                page.click(selector)
            if shot.shows:
                page.wait_for_selector(shot.shows, state="visible")
            page.wait_for_timeout(300)  # the fonts and the first animation frame settle
            IMAGES.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(IMAGES / shot.image))
            page.close()
            print(f"{IMAGES / shot.image} ({width}x{height})")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
