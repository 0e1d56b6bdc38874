"""Messages that carry worker results back to the UI thread, and the text helpers screens share."""

from __future__ import annotations

from textual.message import Message


class ErrorShown(Message):
    """A refused request or a failed worker: shown once, by the app."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


TOO_BIG = "输入的数字超出范围（没有这么大的窗口号或编号），请核对后重新输入"


def error_text(exc: BaseException) -> str:
    """The message a person should see for ``exc``: a service's own words, else a plain line."""
    from sqlalchemy.exc import DatabaseError, DataError, OperationalError

    from clerk_tui.services.errors import ServiceError
    from clerk_tui.settings import SettingsError
    from clerk_tui.store.engine import DatabaseUrlError
    from clerk_tui.store.schema import SchemaError

    if isinstance(exc, ServiceError):
        return exc.message
    if isinstance(exc, (SchemaError, SettingsError, DatabaseUrlError)):
        return str(exc)
    if isinstance(exc, (OverflowError, DataError)):  # a number longer than any window, ticket or record
        return TOO_BIG
    if isinstance(exc, OperationalError):
        return "数据库暂时无法访问，请稍后重试；如持续出现请联系管理员"
    if isinstance(exc, DatabaseError):
        return "数据库文件无法读取：请确认配置的数据库是 clerk-tui 的数据库，并联系管理员"
    return f"程序出错（{type(exc).__name__}），操作未完成，请重试或联系管理员"


def clip(text: str, width: int) -> str:
    """Cut a long name to ``width`` screen columns (CJK counts two) so a list fits 80 columns."""
    out, used = "", 0
    for ch in text:
        w = 1 if ord(ch) < 0x1100 else 2
        if used + w > width - 1 and len(text) > len(out) + 1:
            return out + "…"
        out, used = out + ch, used + w
    return out
