"""A CJK font for PDF notices and for printing rare characters as images.

The search, first found wins: the configured file (settings ``[printing] font`` or
``CLERK_TUI_FONT``); fontconfig's choice for Simplified Chinese (``fc-match :lang=zh-cn``, then
``fc-list :lang=zh-cn``); the usual paths on Windows, macOS, Debian/Ubuntu, Fedora and UOS/Kylin;
last the font that installs with clerk-tui (Noto Sans CJK, the ``noto-cjk-sans-otc`` package), so
a machine without any system font still prints. A character the chosen font lacks (CJK extension
B and beyond, 𠮷) is looked for in the other fonts: :func:`fallback_fonts`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

_WINDIR = os.environ.get("WINDIR", "C:/Windows").replace("\\", "/")

# The usual places when fontconfig is absent or knows no Chinese font.
CANDIDATES = [
    # Debian/Ubuntu, and UOS/Deepin and Kylin, which are Debian-based and ship these packages.
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/ukai/ukai.ttc",
    # Fedora, RHEL, openEuler
    "/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    # macOS
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    # Windows
    f"{_WINDIR}/Fonts/msyh.ttc",
    f"{_WINDIR}/Fonts/simsun.ttc",
    f"{_WINDIR}/Fonts/simhei.ttf",
    f"{_WINDIR}/Fonts/Deng.ttf",
    f"{_WINDIR}/Fonts/simsunb.ttf",  # SimSun-ExtB: CJK extension B, a fallback for 𠮷
]
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")  # what the PDF writer can embed
PACKAGED = ("noto_cjk_sans_otc", "NotoSansCJK-Regular.ttc")  # module, file: installs with clerk-tui
INSTALL_HINT = (
    "请安装中文字体（Debian/Ubuntu：sudo apt install fonts-wqy-microhei 或 fonts-noto-cjk），"
    "或在设置文件 [printing] font 中写明字体文件路径"
)


class FontError(ValueError):
    """No usable CJK font: the message names the package to install or the file that is wrong."""


def _fc_list(*args: str) -> list[str]:
    """Font files from a fontconfig command (``fc-match``/``fc-list`` with ``-f %{file}``); [] without it."""
    if not args or shutil.which(args[0]) is None:
        return []
    try:
        out = subprocess.run(list(args), capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in out.splitlines() if line.strip()]


def fontconfig_fonts() -> list[str]:
    """fontconfig's best Simplified Chinese font first, then every font it knows for zh-cn."""
    best = _fc_list("fc-match", "-f", "%{file}\n", ":lang=zh-cn")
    every = sorted(set(_fc_list("fc-list", "-f", "%{file}\n", ":lang=zh-cn")))
    return best + every


def known_fonts() -> list[str]:
    return [path for path in CANDIDATES if Path(path).is_file()]


def packaged_fonts() -> list[str]:
    """The font installed with clerk-tui (a dependency), when it is there."""
    module, name = PACKAGED
    try:
        path = Path(str(files(module).joinpath(name)))
    except (ImportError, TypeError, ValueError):
        return []
    return [str(path)] if path.is_file() else []


def browser_font_env(folder: str | Path) -> dict[str, str]:
    """The environment that lets a browser (Chromium, through fontconfig) find the packaged CJK font
    besides the system's: the screenshots and the browser tests then look the same on a machine
    without any font, where a page's text would otherwise have no glyphs at all."""
    import os

    dirs = "".join(f"<dir>{Path(f).parent}</dir>" for f in packaged_fonts())
    conf = Path(folder) / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include>{dirs}'
        f"<cachedir>{folder}/fontconfig-cache</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


# In this order; tests narrow it to one source.
SOURCES: list[Callable[[], list[str]]] = [fontconfig_fonts, known_fonts, packaged_fonts]


def installed_fonts() -> Iterator[str]:
    seen: set[str] = set()
    for source in SOURCES:
        for path in source():
            if path not in seen:
                seen.add(path)
                yield path


def find_font(configured: str | None = None) -> str:
    """The configured font file, else the first CJK font of the search (see the module's text)."""
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise FontError(f"字体文件 {path} 不存在；{INSTALL_HINT}")
        check_font(str(path))
        return str(path)
    env = os.environ.get("CLERK_TUI_FONT")
    if env:
        return find_font(env)
    for path in installed_fonts():
        try:
            check_font(path)
        except FontError:
            continue  # fc-match answers with some font even when none is Chinese
        return path
    raise FontError(f"找不到中文字体，无法生成 PDF 或打印生僻字图像；{INSTALL_HINT}")


def _open(path: str, index: int | None = None):
    from fontTools.ttLib import TTCollection, TTFont  # start-up: fontTools loads only to read a font

    with open(path, "rb") as fh:
        head = fh.read(4)
    if head == b"ttcf":
        collection = TTCollection(path, lazy=True)
        return collection.fonts[face_index(path) if index is None else index]
    return TTFont(path, lazy=True)


@lru_cache(maxsize=32)
def face_index(path: str) -> int:
    """In a collection (.ttc), the Simplified Chinese face: Noto Sans CJK's first face is Japanese,
    whose forms of 骨, 直, 角 are not the ones taught in China. 0 for a single font or none found."""
    try:
        from fontTools.ttLib import TTCollection  # start-up: as in _open

        with open(path, "rb") as fh:
            if fh.read(4) != b"ttcf":
                return 0
        collection = TTCollection(path, lazy=True)
    except Exception:
        return 0
    for i, font in enumerate(collection.fonts):
        names = " ".join(filter(None, (font["name"].getDebugName(n) for n in (1, 4)))).replace("-", " ")
        if "Mono" not in names and any(mark in f" {names} " for mark in (" SC ", " GB ", "简")):
            return i
    return 0


@lru_cache(maxsize=32)
def check_font(path: str) -> None:
    """Refuse a file that is not a TrueType/OpenType font (or collection) with CJK glyphs, or that
    is a variable font (fpdf2 embeds those as invalid files: Fedora's NotoSansCJK-VF.ttc)."""
    try:
        cmap = _cmap(path)
    except Exception as exc:
        raise FontError(f"{path} 不是可用的字体文件（{type(exc).__name__}）；{INSTALL_HINT}") from exc
    if ord("中") not in cmap:
        raise FontError(f"字体 {path} 没有中文字形；{INSTALL_HINT}")
    if is_variable(path):
        raise FontError(
            f"字体 {path} 是可变字体，无法嵌入 PDF：请改用非可变的字体文件"
            f"（如 NotoSansCJK-Regular.ttc）；{INSTALL_HINT}"
        )


@lru_cache(maxsize=32)
def is_variable(path: str) -> bool:
    try:
        font = _open(path)
        return "fvar" in font or "CFF2" in font
    except Exception:
        return False


@lru_cache(maxsize=32)
def _cmap(path: str) -> frozenset[int]:
    return frozenset((_open(path).getBestCmap() or {}).keys())


def has_glyphs(path: str, text: str) -> bool:
    try:
        cmap = _cmap(path)
    except Exception:
        return False
    return all(ord(ch) in cmap or ch.isspace() for ch in text)


def missing_glyphs(path: str, text: Iterable[str]) -> list[str]:
    """The characters of ``text`` the font has no glyph for, each once, in order (spaces aside)."""
    try:
        cmap = _cmap(path)
    except Exception:
        cmap = frozenset()
    out: list[str] = []
    for ch in text:
        if not ch.isspace() and ord(ch) not in cmap and ch not in out:
            out.append(ch)
    return out


def fallback_fonts(primary: str, text: Iterable[str]) -> tuple[list[str], list[str]]:
    """For the characters of ``text`` that ``primary`` lacks: fonts that have them (fontconfig's
    fonts with the character, then the search of :func:`installed_fonts`), and the characters no
    font has."""
    missing = missing_glyphs(primary, text)
    chosen: list[str] = []
    unfound: list[str] = []
    for ch in missing:
        if any(has_glyphs(path, ch) for path in chosen):
            continue
        with_char = (
            _fc_list("fc-list", "-f", "%{file}\n", f":charset={ord(ch):x}") if fontconfig_fonts in SOURCES else []
        )
        for path in [*sorted(set(with_char)), *installed_fonts()]:
            if (
                path != primary
                and path.lower().endswith(FONT_SUFFIXES)
                and has_glyphs(path, ch)
                and not is_variable(path)
            ):
                chosen.append(path)
                break
        else:
            unfound.append(ch)
    return chosen, unfound
