"""The machine's words in Chinese: an operating system's, a TOML parser's and a file's reasons put
in the clerk's language. Pure functions, shared by every layer (settings, printing, services), so
that printing and settings need not reach up into services for them."""

from __future__ import annotations

import errno as errno_module
import re

_OS_WORDS = (  # the operating system's (and libraries') words, in the clerk's language; first match wins
    ("No such file or directory", "文件或目录不存在"),
    ("Connection refused", "连接被拒绝"),
    ("timed out", "连接超时"),
    ("timeout", "连接超时"),
    ("Permission denied", "没有权限"),
    ("No route to host", "网络不通"),
    ("Network is unreachable", "网络不可达"),
    ("No space left on device", "磁盘已满"),
    ("Name or service not known", "找不到该主机名"),
    ("nodename nor servname", "找不到该主机名"),
    ("Temporary failure in name resolution", "找不到该主机名"),
    ("Is a directory", "这是一个目录，不是文件"),
    ("Not a directory", "路径中有一段不是目录"),
    ("Read-only file system", "文件系统只读"),
    ("Connection reset", "连接被对方断开"),
    ("Broken pipe", "连接已断开"),
    ("Device or resource busy", "设备正被占用"),
    ("No such device", "设备不存在"),
    ("Device not found", "找不到设备"),
    ("Could not open socket", "无法建立网络连接"),
    ("File exists", "文件已存在"),
)
_ERRNO_WORDS = {
    "ENOENT": "文件或目录不存在",
    "EACCES": "没有权限",
    "EPERM": "没有权限",
    "EISDIR": "这是一个目录，不是文件",
    "ENOTDIR": "路径中有一段不是目录",
    "ENOSPC": "磁盘已满",
    "EROFS": "文件系统只读",
    "EEXIST": "文件已存在",
    "ECONNREFUSED": "连接被拒绝",
    "ETIMEDOUT": "连接超时",
    "EHOSTUNREACH": "网络不通",
    "ENETUNREACH": "网络不可达",
    "ECONNRESET": "连接被对方断开",
    "EPIPE": "连接已断开",
    "EBUSY": "设备正被占用",
    "ENODEV": "设备不存在",
    "ENXIO": "设备不存在",
    "EIO": "读写出错（设备或磁盘故障）",
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
    code = getattr(exc, "errno", None)
    if isinstance(code, int) and (name := errno_module.errorcode.get(code)) in _ERRNO_WORDS:
        return _ERRNO_WORDS[name]
    if isinstance(exc, TimeoutError):
        return "连接超时"
    return os_words(getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)


def read_failed_words(what: str, path: object, exc: BaseException) -> str:
    """A file a person named could not be read: which file, why, and what to do."""
    if isinstance(exc, UnicodeDecodeError):
        return f"无法读取{what} {path}：文件不是 UTF-8 编码的文本，请用 UTF-8 另存后重试"
    words = oserror_words(exc)
    if words == "文件或目录不存在":
        return f"找不到{what} {path}（文件或目录不存在）：请检查路径和文件名后重试"
    return f"无法读取{what} {path}（{words}）：请检查文件路径和权限后重试"


_TOML_WORDS = (
    ("Invalid value", "值无效（文字要加英文双引号，日期写成 2027-01-01，数组用方括号）"),
    ("Expected ']]' at the end of an array declaration", "表头缺少“]]”"),
    ("Expected ']' at the end of a table declaration", "表头缺少“]”"),
    ("Unclosed array", "方括号没有闭合"),
    ("Unclosed inline table", "花括号没有闭合"),
    ("Expected '=' after a key", "键名后缺少“=”"),
    ("Invalid statement", "这一行无法识别（应为 键 = 值 或 [表头]）"),
    ("Cannot overwrite a value", "同一个键写了两次"),
    ("Cannot declare", "同一个表头写了两次"),
    ("Unterminated string", "引号没有闭合"),
    ("Illegal character", "有不允许的字符"),
    ("Invalid initial character for a key part", "键名开头的字符不允许"),
    ("Expected newline or end of document after a statement", "一行只能写一个 键 = 值"),
    ("Found invalid character in string", "字符串里有不允许的字符"),
    ("Unclosed table", "表头没有闭合"),
)


def toml_words(exc: BaseException) -> str:
    """A TOML syntax error as a Chinese sentence with its line and column: ``第1行第12列：值无效（…）``."""
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


def toml_loads(text: str) -> dict:
    """``tomllib.loads``, where what a hostile file can do to the parser itself comes back as a
    TOML error like any other (one line, never a traceback): nesting deeper than Python's stack
    (``a = [[[[…``) and an integer longer than Python converts (4,300 digits)."""
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise
    except RecursionError:
        raise tomllib.TOMLDecodeError("嵌套太深，数组或表的层数太多") from None
    except ValueError:
        raise tomllib.TOMLDecodeError("数字的位数太多") from None
