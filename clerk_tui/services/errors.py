"""Errors a person can cause. Each carries a Chinese message that says what to do."""

import sys

from clerk_tui.clock import ClockError
from clerk_tui.domain.calendar import DateOutOfRange
from clerk_tui.domain.text import TextRefused, clean
from clerk_tui.domain.words import os_words as os_words
from clerk_tui.domain.words import oserror_words, read_failed_words
from clerk_tui.domain.words import toml_words as toml_words
from clerk_tui.settings import SettingsError


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
    """A person's phone number as typed (optional): kept as typed (``0571-12345678`` stays so, and
    is printed so), checked to hold 7–12 digits once spaces and hyphens are set aside — a mobile,
    or a fixed line with its area code."""
    value = " ".join((value or "").split())
    digits = value.replace(" ", "").replace("-", "")
    if value and not (digits.isdigit() and 7 <= len(digits) <= 12 and len(value) <= PHONE_LIMIT):
        raise ServiceError(
            f"电话号码“{value}”无效：请填写 7–12 位数字（手机或带区号的固定电话，区号后可加“-”或空格），或不填"
        )
    return value


PHONE_LIMIT = 20  # the phone columns' width


def phone_forms(value: str) -> list[str]:
    """The ways a phone is usually typed (run together, area code or mobile groups split by ``-`` or
    a space), so that a lookup by equality finds it however it was typed at intake."""
    digits = "".join(c for c in value if c.isdigit())
    forms = {value.strip(), digits}
    for sep in ("-", " "):
        for cut in (3, 4):
            forms.add(digits[:cut] + sep + digits[cut:])
        if len(digits) == 11:
            forms.add(sep.join((digits[:3], digits[3:7], digits[7:])))
    return sorted(f for f in forms if f)


def unknown_item(code: str | None) -> "NotFound":
    """The one message for an item code the catalog does not have, wherever it was typed."""
    code = (code or "").strip()
    if not code:
        return NotFound("请填写事项编码；不知道编码可用 clerk-tui catalog list --search 关键词 查找")
    return NotFound(f"没有编码为 {code} 的事项，请用 clerk-tui catalog list --search 关键词 查找事项编码")


def unknown_window(number: object) -> NotFound:
    """The one message for a window number the hall does not have."""
    return NotFound(f"没有{number}号窗口，请用 clerk-tui window list 查看窗口号")


def unknown_staff(number: object) -> NotFound:
    """The one message for a staff number nobody has."""
    return NotFound(f"没有工号为 {number} 的人员，请用 clerk-tui staff list 查看")


def unknown_department(name: object) -> NotFound:
    """The one message for a department name the hall does not have."""
    return NotFound(f"没有名为“{name}”的部门，请用 clerk-tui catalog list 查看部门名称")


def unknown_inquiry(inquiry_id: object) -> NotFound:
    """The one message for a first-responsibility record (首问登记) that does not exist."""
    return NotFound(f"没有编号为 {inquiry_id} 的首问登记，请用 clerk-tui inquiry list 查看")


def unknown_print_job(job_id: object) -> NotFound:
    """The one message for a print job that does not exist."""
    return NotFound(f"没有编号为 {job_id} 的打印任务，请用 clerk-tui print jobs 查看")


def read_failed(what: str, path: object, exc: BaseException) -> ServiceError:
    """A file a person named could not be read: which file, why, and what to do."""
    return ServiceError(read_failed_words(what, path, exc))


_DB_WORDS = (
    ("Connection refused", "连接被拒绝，数据库服务可能没有运行或端口不对"),
    ("password authentication failed", "用户名或密码不对"),
    ("does not exist", "数据库或用户不存在"),
    ("could not translate host name", "找不到数据库主机"),
    ("Name or service not known", "找不到数据库主机"),
    ("statement timeout", "一条数据库操作超过了 pg_statement_timeout 规定的时间，已被数据库取消"),
    ("connection timeout expired", "数据库服务在 pg_connect_timeout 规定的时间内没有应答"),
    ("timeout", "连接超时"),
    ("timed out", "连接超时"),
    ("database is locked", "数据库正被其他终端占用"),
    ("unable to open database file", "无法打开数据库文件（目录不存在或没有权限）"),
    ("readonly database", "数据库文件只读"),
    ("disk I/O error", "磁盘读写出错"),
    ("No route to host", "网络不通"),
    ("server closed the connection", "数据库服务断开了连接"),
    ("terminating connection", "数据库服务断开了连接"),
)


def database_words(exc: BaseException) -> str:
    """Why the database could not be reached, in Chinese (a driver's words behind, if unknown)."""
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split())
    for english, chinese in _DB_WORDS:
        if english.lower() in text.lower():
            return chinese
    return f"系统原因：{text[:200]}" if text else "原因不明"


TOO_BIG = "输入的数字超出范围（没有这么大的窗口号或编号），请核对后重新输入"


def person_error(exc: BaseException) -> str | None:
    """The one line a person sees for an error they can meet (a refusal, a file, the database, a
    printer), in Chinese and saying what to do; None for a bug. Shared by the CLI and the TUI.

    The store's error classes are looked up only when SQLAlchemy is already loaded, so a command
    that never touches the store does not import it."""
    if isinstance(exc, ServiceError):
        return exc.message
    if isinstance(exc, (SettingsError, ClockError, DateOutOfRange)):
        return getattr(exc, "message", None) or str(exc)
    # Looked up only when already loaded (start-up: a command that never prints or touches the store
    # does not load them); that also keeps services from importing printing for its error classes.
    if "clerk_tui.printing.transport" in sys.modules:
        from clerk_tui.printing.transport import PrinterUrlError, PrintFailed

        if isinstance(exc, (PrintFailed, PrinterUrlError)):
            return str(exc)
    if "sqlalchemy" in sys.modules:
        from sqlalchemy.exc import DatabaseError, DataError, OperationalError

        from clerk_tui.store.engine import DatabaseUrlError
        from clerk_tui.store.schema import SchemaError

        if isinstance(exc, (SchemaError, DatabaseUrlError)):
            return str(exc)
        if isinstance(exc, DataError):  # a number longer than any window, ticket or record
            return TOO_BIG
        if isinstance(exc, OperationalError):
            return (
                f"无法访问数据库（{database_words(exc)}）：请确认数据库服务在运行、数据库地址"
                "（--db / CLERK_TUI_DB 或配置文件）正确，稍后重试；如持续出现请联系管理员"
            )
        if isinstance(exc, DatabaseError):
            return (
                "数据库无法读取：请确认 --db / CLERK_TUI_DB 指向的是 clerk-tui 的数据库"
                f"（{database_words(exc)}），如有疑问请联系管理员"
            )
    if isinstance(exc, OverflowError):
        return TOO_BIG
    if isinstance(exc, OSError):
        return f"操作未完成（{oserror_words(exc)}）：请检查文件路径、权限和磁盘空间后重试"
    return None
