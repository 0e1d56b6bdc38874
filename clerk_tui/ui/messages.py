"""Messages that carry worker results back to the UI thread, and the text helpers screens share."""

from __future__ import annotations

from textual.message import Message


class ErrorShown(Message):
    """A refused request or a failed worker: shown once, by the app."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


def error_text(exc: BaseException) -> str:
    """The message a person should see for ``exc``: the words the CLI shows (services.errors.person_error),
    else a plain line for a bug."""
    from clerk_tui.services.errors import person_error

    return person_error(exc) or f"程序出错（{type(exc).__name__}），操作未完成，请重试或联系管理员"


def clip(text: str, width: int) -> str:
    """Cut a long name to ``width`` screen columns (CJK counts two) so a list fits 80 columns."""
    out, used = "", 0
    for ch in text:
        w = 1 if ord(ch) < 0x1100 else 2
        if used + w > width - 1 and len(text) > len(out) + 1:
            return out + "…"
        out, used = out + ch, used + w
    return out
