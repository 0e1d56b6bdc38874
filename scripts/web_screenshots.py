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
import sys
from dataclasses import dataclass
from pathlib import Path

from demo_server import served_demo  # scripts/: the demo hall and its serve process

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

    with served_demo(now=AT) as demo, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu"],
            env=private_fonts(demo.folder),
        )
        for shot in SHOTS:
            if shot.kind not in demo.urls:
                raise SystemExit(f"the demo printed no {shot.kind} URL")
            width, height = shot.size
            page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
            page.goto(demo.urls[shot.kind])
            page.wait_for_function(shot.ready)
            page.wait_for_timeout(300)  # the fonts and the first animation frame settle
            IMAGES.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(IMAGES / shot.image))
            page.close()
            print(f"{IMAGES / shot.image} ({width}x{height})")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
