"""The one text policy (文本规范): what a person or a file may put into a stored field, and how stored
text is made safe to show or print.

Every door (TUI, CLI, web, JSON/CSV/TOML files) hands typed text to the services, and the services
pass it through :func:`clean` before it is stored: normalised to NFC, trimmed, and refused, with a
message naming the character and its place, when it holds something that would act instead of
being read — C0/C1 control characters (a tab only where the field allows it, a line break only in a
multi-line field), bidi embeddings, overrides and isolates, zero-width characters, a lone surrogate,
or more characters than the field's stated limit. Nothing is ever cut or dropped silently.

:func:`visible` is the other half (defence in depth): whatever the database holds — a row written
before this policy, or by hand — is shown and printed with every such character replaced by a
visible stand-in, so it can never reach a terminal or a printer raw.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that reorder or hide text (Trojan Source, CVE-2021-42574) or join it unseen.
BIDI = {
    "\u061c": "阿拉伯字母标记 ALM",
    "\u200e": "从左到右标记 LRM",
    "\u200f": "从右到左标记 RLM",
    "\u202a": "从左到右嵌入 LRE",
    "\u202b": "从右到左嵌入 RLE",
    "\u202c": "方向格式结束 PDF",
    "\u202d": "从左到右覆盖 LRO",
    "\u202e": "从右到左覆盖 RLO",
    "\u2066": "从左到右隔离 LRI",
    "\u2067": "从右到左隔离 RLI",
    "\u2068": "首字符方向隔离 FSI",
    "\u2069": "方向隔离结束 PDI",
}
ZERO_WIDTH = {
    "\u200b": "零宽空格 ZWSP",
    "\u200c": "零宽非连接符 ZWNJ",
    "\u200d": "零宽连接符 ZWJ",
    "\u2060": "零宽不换行 WJ",
    "\ufeff": "字节顺序标记 BOM",
    "\u00ad": "软连字符 SHY",
    "\u180e": "蒙古文元音分隔符 MVS",
}
_C0_NAMES = {0: "NUL", 7: "BEL", 8: "BS", 9: "TAB", 10: "LF", 11: "VT", 12: "FF", 13: "CR", 27: "ESC", 127: "DEL"}


class TextRefused(ValueError):
    """Text a field does not accept; the message names the character and its place."""


def describe(ch: str) -> str:
    """A person's name for a character the policy refuses: ``U+001B（ESC 控制字符）``."""
    code = ord(ch)
    label = f"U+{code:04X}"
    if ch in BIDI:
        return f"{label}（{BIDI[ch]}，不可见的文字方向控制符）"
    if ch in ZERO_WIDTH:
        return f"{label}（{ZERO_WIDTH[ch]}，不可见字符）"
    if 0xD800 <= code <= 0xDFFF:
        return f"{label}（不成对的代理码位，文本编码已损坏）"
    if code < 32 or code == 127:
        return f"{label}（{_C0_NAMES.get(code, 'C0')} 控制字符）"
    if 0x80 <= code <= 0x9F:
        return f"{label}（C1 控制字符）"
    return f"{label}（{unicodedata.category(ch)} 类格式字符）"


def refused_char(ch: str, *, multiline: bool = False, tab: bool = False) -> bool:
    """Whether ``ch`` may not be stored in a field (``multiline`` allows a line break, ``tab`` a tab)."""
    code = ord(ch)
    if ch == "\n":
        return not multiline
    if ch == "\t":
        return not tab
    if code < 32 or 0x7F <= code <= 0x9F:
        return True
    if ch in BIDI or ch in ZERO_WIDTH or 0xD800 <= code <= 0xDFFF:
        return True
    # Other invisible format characters (Cf), e.g. U+2061–U+2064 or the tag characters U+E0000–U+E007F.
    return unicodedata.category(ch) == "Cf"


def clean(
    value: str | None, *, field: str, limit: int, required: bool = False, multiline: bool = False, tab: bool = False
) -> str:
    """The text to store for ``field``: NFC, trimmed, checked. Raises :class:`TextRefused` with a
    message that says which character, where, and what to do; never cuts or drops anything."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise TextRefused(f"{field}应为文字（收到 {type(value).__name__}）")
    if multiline:
        value = value.replace("\r\n", "\n")
    for pos, ch in enumerate(value, 1):
        if refused_char(ch, multiline=multiline, tab=tab):
            where = "" if len(value) == 1 else f"第{pos}个字符"
            what = "换行" if ch == "\n" else ("制表符" if ch == "\t" else describe(ch))
            hint = (
                "此处只能填一行，请删去换行"
                if ch == "\n"
                else "请删去该字符后重新输入（从别处粘贴的文字常带有这类字符）"
            )
            raise TextRefused(f"{field}{where}是{what}，不能保存；{hint}")
    value = unicodedata.normalize("NFC", value).strip()
    if required and not value:
        raise TextRefused(f"请填写{field}")
    if len(value) > limit:
        raise TextRefused(f"{field}最多{limit}个字，现在有{len(value)}个字，请删减后重试")
    return value


def visible(text: str | None, *, multiline: bool = False) -> str:
    """``text`` with every character the policy refuses replaced by a visible stand-in, for a
    terminal or a printer: C0 controls become their Control Pictures (ESC → ␛), anything else
    ``<U+202E>``; a line break stays only where ``multiline`` allows it."""
    if not text:
        return ""
    if text.isprintable() or (multiline and all(line.isprintable() for line in text.split("\n"))):
        return text  # the common case, checked in C: no control, format or separator character
    out = []
    for ch in text:
        if not refused_char(ch, multiline=multiline):
            out.append(ch)
            continue
        code = ord(ch)
        if code < 32:
            out.append(chr(0x2400 + code))
        elif code == 127:
            out.append("\u2421")
        else:
            out.append(f"<U+{code:04X}>")
    return "".join(out)


# The terminal's last line of defence: characters a terminal would obey or that reorder what it
# shows (C0 and C1 controls, DEL, bidi controls, zero-width and other invisible marks, surrogates).
# Each has no width on screen, so removing them at the very edge keeps every column where the
# layout put it; the screens show stored text through ``visible`` where a person should see it.
_BEYOND_C0 = "\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff\U000e0000-\U000e007f"
TERMINAL_UNSAFE = re.compile(f"[\x00-\x1f{_BEYOND_C0}]")
UNSAFE_BEYOND_C0 = re.compile(f"[{_BEYOND_C0}]")
"""The same but C0: what ``json.dumps(ensure_ascii=False)`` leaves raw (it escapes C0 itself)."""


def terminal_safe(text: str) -> str:
    """``text`` without any character a terminal would obey (fast when there is none)."""
    return TERMINAL_UNSAFE.sub("", text) if TERMINAL_UNSAFE.search(text) else text
