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
    """A person's phone number as typed (optional): kept as typed (``0571-12345678`` stays so, and
    is printed so), checked to hold 7–12 digits once spaces and hyphens are set aside — a mobile,
    or a fixed line with its area code."""
    value = " ".join((value or "").split())
    digits = value.replace(" ", "").replace("-", "")
    if value and not (digits.isdigit() and 7 <= len(digits) <= 12 and len(value) <= PHONE_LIMIT):
        raise ServiceError(f"电话号码“{value}”无效：请填写 7–12 位数字（手机或带区号的固定电话，"
                           "区号后可加“-”或空格），或不填")
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


# ---------------------------------------------------------------- the machine's words in Chinese

_OS_WORDS = (  # the operating system's (and libraries') words, in the clerk's language; first match wins
    ("No such file or directory", "文件或目录不存在"), ("Connection refused", "连接被拒绝"),
    ("timed out", "连接超时"), ("timeout", "连接超时"), ("Permission denied", "没有权限"),
    ("No route to host", "网络不通"), ("Network is unreachable", "网络不可达"),
    ("No space left on device", "磁盘已满"), ("Name or service not known", "找不到该主机名"),
    ("nodename nor servname", "找不到该主机名"), ("Temporary failure in name resolution", "找不到该主机名"),
    ("Is a directory", "这是一个目录，不是文件"), ("Not a directory", "路径中有一段不是目录"),
    ("Read-only file system", "文件系统只读"), ("Connection reset", "连接被对方断开"),
    ("Broken pipe", "连接已断开"), ("Device or resource busy", "设备正被占用"),
    ("No such device", "设备不存在"), ("Device not found", "找不到设备"),
    ("Could not open socket", "无法建立网络连接"), ("File exists", "文件已存在"),
)
_ERRNO_WORDS = {
    "ENOENT": "文件或目录不存在", "EACCES": "没有权限", "EPERM": "没有权限", "EISDIR": "这是一个目录，不是文件",
    "ENOTDIR": "路径中有一段不是目录", "ENOSPC": "磁盘已满", "EROFS": "文件系统只读", "EEXIST": "文件已存在",
    "ECONNREFUSED": "连接被拒绝", "ETIMEDOUT": "连接超时", "EHOSTUNREACH": "网络不通",
    "ENETUNREACH": "网络不可达", "ECONNRESET": "连接被对方断开", "EPIPE": "连接已断开", "EBUSY": "设备正被占用",
    "ENODEV": "设备不存在", "ENXIO": "设备不存在", "EIO": "读写出错（设备或磁盘故障）",
}


def os_words(reason: str) -> str:
    """The machine's reason in Chinese. An unknown reason is kept as a detail behind a Chinese word."""
    reason = " ".join((reason or "").split())
    for english, chinese in _OS_WORDS:
        if english.lower() in reason.lower():
            return chinese
    return f"系统原因：{reason}" if reason else "原因不明"


def oserror_words(exc: BaseException) -> str:
    """An OSError (or a library's error around one) as Chinese words, by its errno where it has one."""
    import errno as errno_module

    code = getattr(exc, "errno", None)
    if isinstance(code, int) and (name := errno_module.errorcode.get(code)) in _ERRNO_WORDS:
        return _ERRNO_WORDS[name]
    if isinstance(exc, TimeoutError):
        return "连接超时"
    return os_words(getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)


def read_failed(what: str, path: object, exc: BaseException) -> "ServiceError":
    """A file a person named could not be read: which file, why, and what to do."""
    if isinstance(exc, UnicodeDecodeError):
        return ServiceError(f"无法读取{what} {path}：文件不是 UTF-8 编码的文本，请用 UTF-8 另存后重试")
    words = oserror_words(exc)
    if words == "文件或目录不存在":
        return ServiceError(f"找不到{what} {path}（文件或目录不存在）：请检查路径和文件名后重试")
    return ServiceError(f"无法读取{what} {path}（{words}）：请检查文件路径和权限后重试")


_TOML_WORDS = (
    ("Invalid value", "值无效（文字要加英文双引号，日期写成 2027-01-01，数组用方括号）"),
    ("Expected ']]' at the end of an array declaration", "表头缺少“]]”"),
    ("Expected ']' at the end of a table declaration", "表头缺少“]”"),
    ("Unclosed array", "方括号没有闭合"), ("Unclosed inline table", "花括号没有闭合"),
    ("Expected '=' after a key", "键名后缺少“=”"), ("Invalid statement", "这一行无法识别（应为 键 = 值 或 [表头]）"),
    ("Cannot overwrite a value", "同一个键写了两次"), ("Cannot declare", "同一个表头写了两次"),
    ("Unterminated string", "引号没有闭合"), ("Illegal character", "有不允许的字符"),
    ("Invalid initial character for a key part", "键名开头的字符不允许"),
    ("Expected newline or end of document after a statement", "一行只能写一个 键 = 值"),
    ("Found invalid character in string", "字符串里有不允许的字符"),
    ("Unclosed table", "表头没有闭合"),
)


def toml_words(exc: BaseException) -> str:
    """A TOML syntax error as a Chinese sentence with its line and column: ``第1行第12列：值无效（…）``."""
    import re

    text = str(exc)
    where = ""
    if m := re.search(r"\(at line (\d+), column (\d+)\)", text):
        where = f"第{m.group(1)}行第{m.group(2)}列"
    elif "at end of document" in text:
        where = "文件末尾"
    what = next((chinese for english, chinese in _TOML_WORDS if english in text), None)
    if what is None:
        detail = re.sub(r"\s*\((at line \d+, column \d+|at end of document)\)", "", text).strip()
        what = f"格式不正确（{detail}）" if detail else "格式不正确"
    return f"{where}{'：' if where else ''}{what}"


_DB_WORDS = (
    ("Connection refused", "连接被拒绝，数据库服务可能没有运行或端口不对"),
    ("password authentication failed", "用户名或密码不对"),
    ("does not exist", "数据库或用户不存在"),
    ("could not translate host name", "找不到数据库主机"), ("Name or service not known", "找不到数据库主机"),
    ("timeout", "连接超时"), ("timed out", "连接超时"),
    ("database is locked", "数据库正被其他终端占用"),
    ("unable to open database file", "无法打开数据库文件（目录不存在或没有权限）"),
    ("readonly database", "数据库文件只读"), ("disk I/O error", "磁盘读写出错"),
    ("No route to host", "网络不通"), ("server closed the connection", "数据库服务断开了连接"),
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
    import sys

    from clerk_tui.clock import ClockError
    from clerk_tui.domain.calendar import DateOutOfRange
    from clerk_tui.settings import SettingsError

    if isinstance(exc, ServiceError):
        return exc.message
    if isinstance(exc, (SettingsError, ClockError, DateOutOfRange)):
        return getattr(exc, "message", None) or str(exc)
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
            return (f"无法访问数据库（{database_words(exc)}）：请确认数据库服务在运行、数据库地址"
                    "（--db / CLERK_TUI_DB 或配置文件）正确，稍后重试；如持续出现请联系管理员")
        if isinstance(exc, DatabaseError):
            return ("数据库无法读取：请确认 --db / CLERK_TUI_DB 指向的是 clerk-tui 的数据库"
                    f"（{database_words(exc)}），如有疑问请联系管理员")
    if isinstance(exc, OverflowError):
        return TOO_BIG
    if isinstance(exc, OSError):
        return f"操作未完成（{oserror_words(exc)}）：请检查文件路径、权限和磁盘空间后重试"
    return None
