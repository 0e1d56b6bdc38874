"""The text helpers screens share: the words for an error, a name clipped to a column.
(The Messages that carry a service call's result or error are in ui/calls.py.)"""

from __future__ import annotations

from rich.cells import cell_len

from clerk_tui.services.errors import person_error


def error_text(exc: BaseException) -> str:
    """The message a person should see for ``exc``: the words the CLI shows (services.errors.person_error),
    else a plain line for a bug."""
    return person_error(exc) or f"程序出错（{type(exc).__name__}），操作未完成，请重试或联系管理员"


def clip(text: str, width: int) -> str:
    """Cut a long name to ``width`` screen columns (CJK counts two) so a list fits 80 columns."""
    out, used = "", 0
    for ch in text:
        w = cell_len(ch)  # the screen's own measure (ARCHITECTURE: CJK width on screen)
        if used + w > width - 1 and len(text) > len(out) + 1:
            return out + "…"
        out, used = out + ch, used + w
    return out
