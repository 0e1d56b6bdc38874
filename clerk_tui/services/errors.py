"""Errors a person can cause. Each carries a Chinese message that says what to do."""

from clerk_tui.domain.text import TextRefused, clean


class ServiceError(Exception):
    """A refused request: nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PermissionDenied(ServiceError):
    pass


class NotFound(ServiceError):
    pass


class AuthError(ServiceError):
    pass


class OverrideRequired(PermissionDenied):
    """A rule a supervisor may lift (主管授权): the screen asks for their number, PIN and reason."""


def typed_text(value: str | None, limit: int, what: str, *, required: bool = False) -> str:
    """Text a person typed (a name, a reason, a note), through the one text policy
    (domain/text.py): NFC, trimmed, required when it must be there, refused — naming the character
    and where — when it holds control, bidi or zero-width characters, or is longer than ``limit``.
    Never interpreted: shown and printed literally."""
    try:
        return clean(value, field=what, limit=limit, required=required)
    except TextRefused as exc:
        raise ServiceError(str(exc)) from None


def person_phone(value: str | None) -> str:
    """A person's phone number as typed (optional): 7–12 digits once spaces and hyphens are
    dropped — a mobile, or a fixed line with its area code."""
    value = (value or "").strip().replace(" ", "").replace("-", "")
    if value and not (value.isdigit() and 7 <= len(value) <= 12):
        raise ServiceError(f"电话号码“{value}”无效：请填写 7–12 位数字（手机或带区号的固定电话），或不填")
    return value


_OS_WORDS = {  # the operating system's words, in the clerk's language
    "Connection refused": "连接被拒绝", "No such file or directory": "文件或目录不存在",
    "timed out": "连接超时", "Permission denied": "没有权限", "No route to host": "网络不通",
    "Network is unreachable": "网络不可达", "No space left on device": "磁盘已满",
    "Name or service not known": "找不到该主机名", "Is a directory": "这是一个目录，不是文件",
    "Read-only file system": "文件系统只读",
}


def os_words(reason: str) -> str:
    return _OS_WORDS.get(reason, reason)
