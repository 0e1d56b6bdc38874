"""A CJK font for PDF notices and for printing rare characters as images."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

# The usual places, Debian/Ubuntu first (fonts-wqy-microhei, fonts-noto-cjk), then others.
CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simsun.ttc",
]
INSTALL_HINT = ("请安装中文字体（Debian/Ubuntu：sudo apt install fonts-wqy-microhei 或 fonts-noto-cjk），"
                "或在设置文件 [printing] font 中写明字体文件路径")


class FontError(ValueError):
    """No usable CJK font: the message names the package to install or the file that is wrong."""


def find_font(configured: str | None = None) -> str:
    """The configured font file, else the first CJK font found in the usual folders."""
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise FontError(f"字体文件 {path} 不存在；{INSTALL_HINT}")
        check_font(str(path))
        return str(path)
    env = os.environ.get("CLERK_TUI_FONT")
    if env:
        return find_font(env)
    for candidate in CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    raise FontError(f"找不到中文字体，无法生成 PDF 或打印生僻字图像；{INSTALL_HINT}")


@lru_cache(maxsize=8)
def check_font(path: str) -> None:
    """Refuse a file that is not a TrueType/OpenType font (or collection) with CJK glyphs."""
    try:
        from fontTools.ttLib import TTCollection, TTFont

        with open(path, "rb") as fh:
            head = fh.read(4)
        font = TTCollection(path).fonts[0] if head == b"ttcf" else TTFont(path, lazy=True)
        cmap = font.getBestCmap() or {}
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not a font"
        raise FontError(f"{path} 不是可用的字体文件（{type(exc).__name__}）；{INSTALL_HINT}") from exc
    if ord("中") not in cmap:
        raise FontError(f"字体 {path} 没有中文字形；{INSTALL_HINT}")


@lru_cache(maxsize=8)
def _cmap(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTCollection, TTFont

    with open(path, "rb") as fh:
        head = fh.read(4)
    font = TTCollection(path).fonts[0] if head == b"ttcf" else TTFont(path, lazy=True)
    return frozenset((font.getBestCmap() or {}).keys())


def has_glyphs(path: str, text: str) -> bool:
    try:
        cmap = _cmap(path)
    except Exception:  # noqa: BLE001
        return False
    return all(ord(ch) in cmap or ch.isspace() for ch in text)
